import BenchCatalog
import BenchCore
import BenchReports
import CShims
import Glibc

/// Bad input found after parsing (a file that cannot be read, a directory that
/// cannot be written): exit status 2, one line.
struct InputError: Error {
    let message: String
}

func printError(_ text: String) {
    try? Sys.writeAll(2, "Error: \(text)\n")
}

func execute(_ command: Command) throws -> Int32 {
    switch command {
    case .help(let topic):
        print(Usage.text(for: topic))
        return 0
    case .version:
        print("\(ToolInfo.name) \(ToolInfo.version)")
        return 0
    case .argumentsChecked(let seconds):
        print(seconds)
        return 0
    case .list(let markdown):
        print(markdown ? Catalog.markdownTable() : Usage.listing(), terminator: "")
        return 0
    case .summary(let paths):
        print(try SummaryCommand.render(paths), terminator: "")
        return 0
    case .run(let options):
        return try RunCommand.execute(options)
    case .compare(let options):
        return try CompareCommand.execute(options)
    case .crosscheck(let options):
        return try CrosscheckCommand.execute(options)
    }
}

let status: Int32
do {
    // Not CommandLine.arguments: it reads /proc, which a guest may not have mounted.
    let arguments = (1..<max(1, Int(cshims_argument_count()))).compactMap { cshims_argument(Int32($0)).map { String(cString: $0) } }
    status = try execute(try Arguments.parse(arguments))
} catch let error as UsageError {
    let hint = error.command.map { " See 'lmbench-swift \($0) --help'." } ?? " See 'lmbench-swift --help'."
    let period = error.message.hasSuffix("?") || error.message.hasSuffix(".") ? "" : "."
    printError(error.message + period + hint)
    status = 2
} catch let error as InputError {
    printError(error.message)
    status = 2
} catch let error as ResultsReader.ReadError {
    printError(error.description)
    status = 2
} catch {
    printError("\(error)")
    status = 1
}
// An error that SIGINT or SIGTERM caused (a switch command stopped) reports the signal.
let interrupt = cshims_interrupt_signal()
exit(status != 0 && interrupt != 0 ? 128 + interrupt : status)
