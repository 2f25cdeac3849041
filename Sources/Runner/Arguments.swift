import BenchCatalog
import BenchCore
import BenchEngine

// Accepted forms (options may come anywhere after the command; "--" ends options):
//   lmbench-swift [RUN-OPTIONS]                    the default run: every benchmark
//   lmbench-swift run [NAME|GROUP ...] [RUN-OPTIONS]
//   lmbench-swift run [NAME|GROUP ...] --switch SPEC [RUN-OPTIONS]   (an A/B run; also --switch-on/--switch-off)
//   lmbench-swift list
//   lmbench-swift summary FILE ...
//   lmbench-swift compare [--format F] [--svg FILE] BASELINE CANDIDATE
//   lmbench-swift compare [--format F] [--svg FILE] AB-RUN.json     (one A/B run: off against on, paired)
//   lmbench-swift compare [--format F] [--svg FILE] --baseline PATH ... --candidate PATH ...
//   lmbench-swift crosscheck --lmbench-bin DIR [NAME|GROUP ...] [--rounds N] [--tolerance PCT] [--switch SPEC]
//                            [--json FILE]
//                            [--format F] [RUN-OPTIONS of the measuring kind]
//   lmbench-swift help [COMMAND]   lmbench-swift [COMMAND] --help|-h   lmbench-swift --version
// An option's value is the next argument or follows '=' (--mb 64, --mb=64).

enum Command: Equatable {
    case run(RunOptions)
    case list(markdown: Bool)
    case summary([String])
    case compare(CompareOptions)
    case crosscheck(CrosscheckOptions)
    case help(String?)
    case version
    /// `--check-arguments ARGUMENT...`: the command line is valid (exit 0); the
    /// seconds it needs at most on a native machine (`RunAllowance`).
    case argumentsChecked(allowanceSeconds: Int)
}

struct RunOptions: Equatable {
    var names: [String] = []
    var resultsDirectory = "results"
    var jsonPath: String?
    /// How it measures, as the options that decide the numbers set it (`OptionSpec.set`);
    /// all but the fsdir, which is checked on the machine that runs it.
    var settings = RunSettings.standard
    var fsdir: String?
    var quiet = false
    var resumePath: String?
    /// --name: the host name of the results (nil: the nodename).
    var hostName: String?
    /// --switch, or --switch-on with --switch-off: an A/B run.
    var kernelSwitch: SwitchSpec?
    /// The options given on the command line (those not given keep their defaults).
    var given: Set<String> = []
}

struct CompareOptions: Equatable {
    /// One A/B run JSON (`compare RUN.json`): its two sides, paired.
    var abRun: String?
    var baseline: [String] = []
    var candidate: [String] = []
    var format = "text"
    var svgPath: String?
    var noiseMarginPercent = 10.0
    var caption: String?
    var plusMinus = false
    var label: String?
}

struct CrosscheckOptions: Equatable {
    var lmbenchDirectory = ""
    var run = RunOptions()
    var rounds = 3
    var tolerancePercent = 15.0
    var format = "text"
}

/// A command line we cannot act on: exit status 2, one line naming the problem.
struct UsageError: Error, Equatable {
    let message: String
    /// The command whose --help explains the right form.
    let command: String?
}

enum Arguments {
    static let commands = ["run", "list", "summary", "compare", "crosscheck", "help"]

    static func parse(_ arguments: [String]) throws -> Command {
        guard let first = arguments.first else { return .run(RunOptions()) }
        switch first {
        case "--version":
            if let extra = arguments.dropFirst().first {
                throw UsageError(message: "'--version' takes no arguments, got '\(extra)'", command: nil)
            }
            return .version
        case "--check-arguments": return try checkArguments(Array(arguments.dropFirst()))
        case "help", "--help", "-h":
            guard arguments.count <= 2 else { throw UsageError(message: "'help' takes at most one command", command: nil) }
            if arguments.count == 2 && !commands.contains(arguments[1]) {
                throw unknownCommand(arguments[1])
            }
            return .help(arguments.count == 2 ? arguments[1] : nil)
        case "run": return try parseRun(Array(arguments.dropFirst()), command: "run")
        case "compare": return try parseCompare(Array(arguments.dropFirst()))
        case "crosscheck": return try parseCrosscheck(Array(arguments.dropFirst()))
        case "list":
            let rest = Array(arguments.dropFirst())
            if rest.contains("--help") || rest.contains("-h") { return .help("list") }
            guard rest.isEmpty || rest == ["--markdown"] else {
                let extra = rest.first { $0 != "--markdown" } ?? "--markdown"
                throw UsageError(message: "'list' takes only --markdown, got '\(extra)'", command: "list")
            }
            return .list(markdown: !rest.isEmpty)
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

    /// The hidden `lmbench-swift --check-arguments ARGUMENT...` (harness/ asks it
    /// on the host before it boots or uploads anything): parses the command line as
    /// it would be run and checks the benchmark names, measures nothing, touches no
    /// file, and prints the seconds the run needs at most on a native machine (the
    /// harness scales them into its time limit); a bad command line throws its
    /// UsageError (exit status 2).
    static func checkArguments(_ arguments: [String]) throws -> Command {
        switch try parse(arguments) {
        case .run(let options):
            // A resumed run measures what its JSON lacks: at most every benchmark.
            let benchmarks = try checkNames(options.resumePath == nil ? options.names : [], command: "run")
            return .argumentsChecked(allowanceSeconds: RunAllowance.seconds(benchmarks, options.settings,
                                                                            abRun: options.kernelSwitch != nil))
        case .crosscheck(let options):
            let benchmarks = try checkNames(options.run.names, command: "crosscheck")
            return .argumentsChecked(allowanceSeconds: RunAllowance.crosscheckSeconds(benchmarks, options.run.settings,
                                                                                      rounds: options.rounds))
        case .argumentsChecked: throw UsageError(message: "'--check-arguments' is given once, first", command: nil)
        default: return .argumentsChecked(allowanceSeconds: 0)
        }
    }

    static func checkNames(_ names: [String], command: String) throws -> [Benchmark] {
        do { return try Catalog.select(names) } catch let error as BenchError {
            throw UsageError(message: error.message, command: command)
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

    static func parseCompare(_ arguments: [String]) throws -> Command {
        var options = CompareOptions()
        var positional: [String] = []
        var reader = OptionReader(arguments, command: "compare", known: Options.compare)
        while let item = try reader.next() {
            switch item {
            case .positional(let value): positional.append(value)
            case .option("--help", _): return .help("compare")
            case .option("--format", let value?): options.format = value
            case .option("--svg", let value?): options.svgPath = value
            case .option("--noise-margin", let value?): options.noiseMarginPercent = Double(value)!
            case .option("--caption", let value?): options.caption = value
            case .option("--interval", let value?): options.plusMinus = value == "pm"
            case .option("--label", let value?): options.label = value
            case .option("--baseline", let value?): options.baseline.append(value)
            case .option("--candidate", let value?): options.candidate.append(value)
            default: break
            }
        }
        if options.baseline.isEmpty && options.candidate.isEmpty && positional.count == 1 {
            options.abRun = positional[0]
        } else if options.baseline.isEmpty && options.candidate.isEmpty {
            guard positional.count >= 2 else {
                throw UsageError(message: "Missing expected argument '<baseline> <candidate>'", command: "compare")
            }
            // Several baselines, one candidate (a run, a directory or an A/B run JSON).
            options.baseline = Array(positional.dropLast())
            options.candidate = [positional.last!]
        } else {
            guard positional.isEmpty else {
                throw UsageError(message: "Give the sides either as two arguments or with --baseline and --candidate, not both", command: "compare")
            }
            guard !options.baseline.isEmpty, !options.candidate.isEmpty else {
                throw UsageError(message: "Missing \(options.baseline.isEmpty ? "'--baseline <path>'" : "'--candidate <path>'")", command: "compare")
            }
        }
        return .compare(options)
    }

    static func parseCrosscheck(_ arguments: [String]) throws -> Command {
        var options = CrosscheckOptions()
        options.run.settings.rounds = 1
        var reader = OptionReader(arguments, command: "crosscheck", known: Options.crosscheck)
        while let item = try reader.next() {
            switch item {
            case .positional(let name): options.run.names.append(name)
            case .option("--help", _): return .help("crosscheck")
            case .option("--lmbench-bin", let value?): options.lmbenchDirectory = value
            case .option("--rounds", let value?): options.rounds = Int(value)!
            case .option("--tolerance", let value?): options.tolerancePercent = Double(value)!
            case .option("--format", let value?): options.format = value
            case .option(let name, let value?) where Options.spec(name, in: Options.crosscheck)?.set != nil:
                Options.spec(name, in: Options.crosscheck)!.set!(&options.run.settings, value)
            case .option("--fsdir", let value?): options.run.fsdir = value
            case .option("--json", let value?): options.run.jsonPath = value
            case .option("--switch", let value?): options.run.kernelSwitch = try switchSpec(value, command: "crosscheck")
            default: break
            }
        }
        guard !options.lmbenchDirectory.isEmpty else {
            throw UsageError(message: "Missing expected option '--lmbench-bin <dir>'", command: "crosscheck")
        }
        return .crosscheck(options)
    }

    static func switchSpec(_ text: String, command: String) throws -> SwitchSpec {
        guard let spec = SwitchSpec.parse(text) else {
            throw UsageError(message: "The value '\(text)' is invalid for '--switch <spec>': expected ftrace, kssb, file:PATH:ON_VALUE:OFF_VALUE or command:ON_CMD:OFF_CMD", command: command)
        }
        return spec
    }

    static func parseRun(_ arguments: [String], command: String?) throws -> Command {
        var options = RunOptions()
        var switchOn: String?, switchOff: String?
        let topic = command ?? "run"
        var reader = OptionReader(arguments, command: topic, known: Options.run)
        while let item = try reader.next() {
            let name: String, text: String
            switch item {
            case .positional(let argument):
                guard command != nil else {
                    throw UsageError(message: "Unexpected argument '\(argument)'. To choose benchmarks: 'lmbench-swift run \(argument)'", command: nil)
                }
                options.names.append(argument)
                continue
            case let .option(option, value):
                name = option
                text = value ?? ""
            }
            options.given.insert(name)
            if let set = Options.spec(name, in: Options.run)?.set {
                set(&options.settings, text)
                continue
            }
            switch name {  // the value is valid for its option (OptionReader checked it against the table)
            case "--help": return .help(topic)
            case "--results-dir": options.resultsDirectory = text
            case "--json": options.jsonPath = text
            case "--fsdir": options.fsdir = text
            case "--quiet": options.quiet = true
            case "--resume": options.resumePath = text
            case "--name": options.hostName = text
            case "--switch": options.kernelSwitch = try switchSpec(text, command: topic)
            case "--switch-on": switchOn = text
            case "--switch-off": switchOff = text
            default: break
            }
        }
        if switchOn != nil || switchOff != nil {
            guard let on = switchOn, let off = switchOff else {
                throw UsageError(message: "Missing '\(switchOn == nil ? "--switch-on" : "--switch-off") <command>': the two come together", command: topic)
            }
            guard options.kernelSwitch == nil else {
                throw UsageError(message: "Give the switch either with '--switch <spec>' or with '--switch-on' and '--switch-off', not both", command: topic)
            }
            options.kernelSwitch = .command(on: on, off: off)
        }
        if options.resumePath != nil {
            // The options that decide the numbers come from the resumed run's JSON.
            if let name = Options.run.first(where: { $0.settingsKey != nil && options.given.contains($0.name) })?.name {
                throw UsageError(message: "'\(name)' does not combine with '--resume': a resumed run keeps the settings it was started with", command: topic)
            }
        }
        if options.given.contains("--rounds"),
           let name = [("--budget", options.settings.budgetSeconds != nil), ("--target-ci", options.settings.targetPrecisionPercent != nil)].first(where: \.1)?.0 {
            throw UsageError(message: "'--rounds' does not combine with '\(name)': the time budget and the precision target decide the rounds", command: topic)
        }
        if options.kernelSwitch != nil && options.resumePath != nil {
            throw UsageError(message: "'--switch' does not combine with '--resume': a resumed A/B run keeps the switch it was started with", command: topic)
        }
        return .run(options)
    }
}

/// Reads options (`--name value`, `--name=value`) and positional arguments, in
/// order; "--" ends the options. Each option's value is checked against its
/// spec; unknown options get a "Did you mean".
struct OptionReader {
    enum Item: Equatable {
        case positional(String)
        case option(String, String?)
    }

    let arguments: [String]
    let command: String
    let known: [OptionSpec]
    var index = 0
    var ended = false

    init(_ arguments: [String], command: String, known: [OptionSpec]) {
        self.arguments = arguments
        self.command = command
        self.known = known
    }

    mutating func next() throws -> Item? {
        guard index < arguments.count else { return nil }
        let argument = arguments[index]
        index += 1
        if ended || !argument.hasPrefix("-") || argument == "-" { return .positional(argument) }
        if argument == "--" {
            ended = true
            return try next()
        }
        if argument == "-h" { return .option("--help", nil) }
        var name = argument
        var inline: String?
        if let equals = argument.firstIndex(of: "=") {
            name = String(argument[..<equals])
            inline = String(argument[argument.index(after: equals)...])
        }
        guard let option = Options.spec(name, in: known) else {
            var message = "Unknown option '\(name)'"
            let names = known.map { $0.name == "-h, --help" ? "--help" : $0.name }
            if let near = names.min(by: { editDistance($0, name) < editDistance($1, name) }), editDistance(near, name) <= 3 {
                message += ". Did you mean '\(near)'?"
            }
            throw UsageError(message: message, command: command)
        }
        guard let placeholder = option.placeholder else {
            if inline != nil { throw UsageError(message: "'\(name)' takes no value", command: command) }
            return .option(name, nil)
        }
        let value: String
        if let inline {
            value = inline
        } else {
            guard index < arguments.count else {
                throw UsageError(message: "Missing value for '\(name) \(placeholder)'", command: command)
            }
            index += 1
            value = arguments[index - 1]
        }
        // '--opt=' as '--opt ''': an empty path would name the file system's root.
        guard !value.isEmpty else {
            throw UsageError(message: "The value for '\(name) \(placeholder)' must not be empty", command: command)
        }
        if let problem = option.problem(value) {
            let separator = { if case .choice = option.value { return ". " }; return ": " }()
            throw UsageError(message: "The value '\(value)' is invalid for '\(name) \(placeholder)'\(separator)\(problem)", command: command)
        }
        return .option(name, value)
    }
}
