import Bench

// Accepted forms (options may come anywhere after the command; "--" ends options):
//   lmbench-swift [RUN-OPTIONS]                    the default run: every benchmark
//   lmbench-swift run [NAME|GROUP ...] [RUN-OPTIONS]
//   lmbench-swift list
//   lmbench-swift summary FILE ...
//   lmbench-swift help [COMMAND]   lmbench-swift [COMMAND] --help|-h   lmbench-swift --version
// An option's value is the next argument or follows '=' (--mb 64, --mb=64).

enum Command: Equatable {
    case run(RunOptions)
    case list
    case summary([String])
    case help(String?)
    case version
}

struct RunOptions: Equatable {
    var names: [String] = []
    var resultsDirectory = "results"
    var jsonPath: String?
    var repetitions = 11
    var rounds = 11
    var enoughMicroseconds = 5000
    var mb = 64
    var fsdir: String?
    var pinContextSwitch = false
    var quiet = false
}

/// A command line we cannot act on: exit status 2, one line naming the problem.
struct UsageError: Error, Equatable {
    let message: String
    /// The command whose --help explains the right form.
    let command: String?
}

enum Arguments {
    static let commands = ["run", "list", "summary", "help"]

    static func parse(_ arguments: [String]) throws -> Command {
        guard let first = arguments.first else { return .run(RunOptions()) }
        switch first {
        case "--help", "-h": return .help(nil)
        case "--version": return .version
        case "help":
            guard arguments.count <= 2 else { throw UsageError(message: "'help' takes at most one command", command: nil) }
            if arguments.count == 2 && !commands.contains(arguments[1]) {
                throw unknownCommand(arguments[1])
            }
            return .help(arguments.count == 2 ? arguments[1] : nil)
        case "run": return try parseRun(Array(arguments.dropFirst()), command: "run")
        case "list":
            if let extra = arguments.dropFirst().first {
                if extra == "--help" || extra == "-h" { return .help("list") }
                throw UsageError(message: "'list' takes no arguments, got '\(extra)'", command: "list")
            }
            return .list
        case "summary":
            let rest = Array(arguments.dropFirst())
            if rest.contains("--help") || rest.contains("-h") { return .help("summary") }
            let files = rest.first == "--" ? Array(rest.dropFirst()) : rest
            if let option = files.first(where: { $0.hasPrefix("-") && $0 != "-" }), rest.first != "--" {
                throw UsageError(message: "Unknown option '\(option)'", command: "summary")
            }
            guard !files.isEmpty else {
                throw UsageError(message: "Missing expected argument '<file> ...'", command: "summary")
            }
            return .summary(files)
        default:
            if first.hasPrefix("-") { return try parseRun(arguments, command: nil) }
            throw unknownCommand(first)
        }
    }

    static func unknownCommand(_ name: String) -> UsageError {
        var message = "Unknown command '\(name)'"
        if let near = commands.min(by: { editDistance($0, name) < editDistance($1, name) }),
           editDistance(near, name) <= 2 {
            message += ". Did you mean '\(near)'?"
        } else if Catalog.available.contains(where: { $0.id == name }) || Catalog.groupNames.contains(name) {
            message += ". To run it: 'lmbench-swift run \(name)'"
        }
        return UsageError(message: message, command: nil)
    }

    /// Options of `run` (and of the default run): name, value placeholder.
    static let runOptions: [(name: String, placeholder: String?)] = [
        ("--results-dir", "<dir>"), ("--json", "<file>"), ("--repetitions", "<n>"), ("--rounds", "<n>"),
        ("--enough", "<microseconds>"), ("--mb", "<mib>"), ("--fsdir", "<dir>"),
        ("--pin-ctx", nil), ("--quiet", nil), ("--help", nil),
    ]

    static func parseRun(_ arguments: [String], command: String?) throws -> Command {
        var options = RunOptions()
        let topic = command ?? "run"
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") {
                guard command != nil else {
                    throw UsageError(message: "Unexpected argument '\(argument)'. To choose benchmarks: 'lmbench-swift run \(argument)'", command: nil)
                }
                options.names.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if name == "--help" || name == "-h" { return .help(topic) }
            guard let option = runOptions.first(where: { $0.name == name }) else {
                var message = "Unknown option '\(name)'"
                if let near = runOptions.map(\.name).min(by: { editDistance($0, name) < editDistance($1, name) }),
                   editDistance(near, name) <= 3 {
                    message += ". Did you mean '\(near)'?"
                }
                throw UsageError(message: message, command: topic)
            }
            func value() throws -> String {
                if let inlineValue { return inlineValue }
                guard index < arguments.count else {
                    throw UsageError(message: "Missing value for '\(name) \(option.placeholder ?? "")'", command: topic)
                }
                index += 1
                return arguments[index - 1]
            }
            func number(_ range: ClosedRange<Int>) throws -> Int {
                let text = try value()
                guard let n = Int(text), range.contains(n) else {
                    throw UsageError(message: "The value '\(text)' is invalid for '\(name) \(option.placeholder ?? "")': expected a whole number from \(range.lowerBound) to \(range.upperBound)", command: topic)
                }
                return n
            }
            func path() throws -> String {
                let text = try value()
                guard !text.isEmpty else {
                    throw UsageError(message: "The value for '\(name) \(option.placeholder ?? "")' must not be empty", command: topic)
                }
                return text
            }
            if option.placeholder == nil, inlineValue != nil {
                throw UsageError(message: "'\(name)' takes no value", command: topic)
            }
            switch name {
            case "--results-dir": options.resultsDirectory = try path()
            case "--json": options.jsonPath = try path()
            case "--repetitions": options.repetitions = try number(1...1000)
            case "--rounds": options.rounds = try number(1...1000)
            case "--enough": options.enoughMicroseconds = try number(100...10_000_000)
            case "--mb": options.mb = try number(1...1_048_576)
            case "--fsdir": options.fsdir = try path()
            case "--pin-ctx": options.pinContextSwitch = true
            case "--quiet": options.quiet = true
            default: break
            }
        }
        return .run(options)
    }
}
