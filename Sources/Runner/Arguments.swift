import Bench

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
    case list
    case summary([String])
    case compare(CompareOptions)
    case crosscheck(CrosscheckOptions)
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
    var budgetSeconds: Double?
    var targetPrecisionPercent: Double?
    var resumePath: String?
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
        case "--help", "-h": return .help(nil)
        case "--version": return .version
        case "help":
            guard arguments.count <= 2 else { throw UsageError(message: "'help' takes at most one command", command: nil) }
            if arguments.count == 2 && !commands.contains(arguments[1]) {
                throw unknownCommand(arguments[1])
            }
            return .help(arguments.count == 2 ? arguments[1] : nil)
        case "run": return try parseRun(Array(arguments.dropFirst()), command: "run")
        case "compare": return try parseCompare(Array(arguments.dropFirst()))
        case "crosscheck": return try parseCrosscheck(Array(arguments.dropFirst()))
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

    static let compareFormats = ["text", "markdown", "csv", "json", "latex"]

    static func parseCompare(_ arguments: [String]) throws -> Command {
        var options = CompareOptions()
        var positional: [String] = []
        var reader = OptionReader(arguments, command: "compare",
                                    known: [("--format", "<format>"), ("--svg", "<file>"), ("--baseline", "<path>"),
                                            ("--candidate", "<path>"), ("--help", nil)])
        while let item = try reader.next() {
            switch item {
            case .positional(let value): positional.append(value)
            case .option("--help", _), .option("-h", _): return .help("compare")
            case .option("--format", let value?):
                guard compareFormats.contains(value) else {
                    throw UsageError(message: "The value '\(value)' is invalid for '--format <format>'. Please provide one of 'text', 'markdown', 'csv', 'json' or 'latex'", command: "compare")
                }
                options.format = value
            case .option("--svg", let value?): options.svgPath = value
            case .option("--baseline", let value?): options.baseline.append(value)
            case .option("--candidate", let value?): options.candidate.append(value)
            default: break
            }
        }
        if options.baseline.isEmpty && options.candidate.isEmpty && positional.count == 1 {
            options.abRun = positional[0]
        } else if options.baseline.isEmpty && options.candidate.isEmpty {
            guard positional.count == 2 else {
                throw UsageError(message: positional.count < 2 ? "Missing expected argument '<baseline> <candidate>'"
                                 : "\(positional.count - 2) unexpected argument(s): \(positional.dropFirst(2).map { "'\($0)'" }.joined(separator: ", "))",
                                 command: "compare")
            }
            options.baseline = [positional[0]]
            options.candidate = [positional[1]]
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
        options.run.rounds = 1
        var reader = OptionReader(arguments, command: "crosscheck",
                                  known: [("--lmbench-bin", "<dir>"), ("--rounds", "<n>"), ("--tolerance", "<percent>"),
                                          ("--format", "<format>"), ("--repetitions", "<n>"), ("--enough", "<microseconds>"),
                                          ("--mb", "<mib>"), ("--fsdir", "<dir>"), ("--switch", "<spec>"), ("--json", "<file>"),
                                          ("--help", nil)])
        while let item = try reader.next() {
            switch item {
            case .positional(let name): options.run.names.append(name)
            case .option("--help", _): return .help("crosscheck")
            case .option("--lmbench-bin", let value?): options.lmbenchDirectory = value
            case .option("--rounds", let value?): options.rounds = try integer(value, "--rounds <n>", 1...100, "crosscheck")
            case .option("--tolerance", let value?):
                guard let percent = Double(value), percent > 0, percent < 1000 else {
                    throw UsageError(message: "The value '\(value)' is invalid for '--tolerance <percent>': expected a number above 0", command: "crosscheck")
                }
                options.tolerancePercent = percent
            case .option("--format", let value?):
                guard ["text", "markdown", "json"].contains(value) else {
                    throw UsageError(message: "The value '\(value)' is invalid for '--format <format>'. Please provide one of 'text', 'markdown' or 'json'", command: "crosscheck")
                }
                options.format = value
            case .option("--repetitions", let value?):
                options.run.repetitions = try integer(value, "--repetitions <n>", 1...1000, "crosscheck")
            case .option("--enough", let value?):
                options.run.enoughMicroseconds = try integer(value, "--enough <microseconds>", 100...10_000_000, "crosscheck")
            case .option("--mb", let value?): options.run.mb = try integer(value, "--mb <mib>", 1...1_048_576, "crosscheck")
            case .option("--fsdir", let value?): options.run.fsdir = value
            case .option("--json", let value?): options.run.jsonPath = value
            case .option("--switch", let value?):
                guard let spec = SwitchSpec.parse(value) else {
                    throw UsageError(message: "The value '\(value)' is invalid for '--switch <spec>': expected ftrace, kssb or command:ON_CMD:OFF_CMD", command: "crosscheck")
                }
                options.run.kernelSwitch = spec
            default: break
            }
        }
        guard !options.lmbenchDirectory.isEmpty else {
            throw UsageError(message: "Missing expected option '--lmbench-bin <dir>'", command: "crosscheck")
        }
        return .crosscheck(options)
    }

    static func integer(_ text: String, _ option: String, _ range: ClosedRange<Int>, _ command: String) throws -> Int {
        guard let n = Int(text), range.contains(n) else {
            throw UsageError(message: "The value '\(text)' is invalid for '\(option)': expected a whole number from \(range.lowerBound) to \(range.upperBound)", command: command)
        }
        return n
    }

    /// Options of `run` (and of the default run): name, value placeholder.
    static let runOptions: [(name: String, placeholder: String?)] = [
        ("--results-dir", "<dir>"), ("--json", "<file>"), ("--repetitions", "<n>"), ("--rounds", "<n>"),
        ("--enough", "<microseconds>"), ("--mb", "<mib>"), ("--fsdir", "<dir>"),
        ("--pin-ctx", nil), ("--quiet", nil), ("--budget", "<duration>"), ("--target-ci", "<percent>"),
        ("--resume", "<json>"), ("--switch", "<spec>"), ("--switch-on", "<command>"), ("--switch-off", "<command>"),
        ("--help", nil),
    ]

    /// "90s", "10m", "2h" or plain seconds; between 1 second and a week.
    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
        var number = Substring(text)
        var scale = 1.0
        if let last = text.last, let unit = units[last] {
            number = number.dropLast()
            scale = unit
        }
        guard let value = Double(number), value.isFinite else { return nil }
        let seconds = value * scale
        return seconds >= 1 && seconds <= 7 * 86400 ? seconds : nil
    }

    static func parseRun(_ arguments: [String], command: String?) throws -> Command {
        var options = RunOptions()
        var switchOn: String?, switchOff: String?
        let topic = command ?? "run"
        var reader = OptionReader(arguments, command: topic, known: runOptions)
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
            let placeholder = runOptions.first { $0.name == name }?.placeholder ?? ""
            func invalid(_ expected: String) -> UsageError {
                UsageError(message: "The value '\(text)' is invalid for '\(name) \(placeholder)': \(expected)", command: topic)
            }
            func number(_ range: ClosedRange<Int>) throws -> Int {
                guard let n = Int(text), range.contains(n) else {
                    throw invalid("expected a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
                return n
            }
            switch name {
            case "--help": return .help(topic)
            case "--results-dir": options.resultsDirectory = text
            case "--json": options.jsonPath = text
            case "--repetitions": options.repetitions = try number(RunSettings.repetitionsRange)
            case "--rounds": options.rounds = try number(RunSettings.roundsRange)
            case "--enough": options.enoughMicroseconds = try number(RunSettings.enoughRange)
            case "--mb": options.mb = try number(RunSettings.mbRange)
            case "--fsdir": options.fsdir = text
            case "--pin-ctx": options.pinContextSwitch = true
            case "--quiet": options.quiet = true
            case "--resume": options.resumePath = text
            case "--switch":
                guard let spec = SwitchSpec.parse(text) else {
                    throw invalid("expected ftrace, kssb or command:ON_CMD:OFF_CMD")
                }
                options.kernelSwitch = spec
            case "--switch-on": switchOn = text
            case "--switch-off": switchOff = text
            case "--budget":
                guard let seconds = duration(text) else { throw invalid("expected a duration such as 90s, 10m or 2h") }
                options.budgetSeconds = seconds
            case "--target-ci":
                guard let percent = Double(text), percent > 0, percent <= 100 else {
                    throw invalid("expected a number above 0 and at most 100")
                }
                options.targetPrecisionPercent = percent
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
            let kept = ["--enough", "--mb", "--repetitions", "--rounds", "--pin-ctx", "--budget", "--target-ci"]
            if let name = kept.first(where: options.given.contains) {
                throw UsageError(message: "'\(name)' does not combine with '--resume': a resumed run keeps the settings it was started with", command: topic)
            }
        }
        if options.kernelSwitch != nil {
            let conflicting = [("--resume", options.resumePath != nil), ("--budget", options.budgetSeconds != nil),
                               ("--target-ci", options.targetPrecisionPercent != nil)].first { $0.1 }
            if let (name, _) = conflicting {
                throw UsageError(message: "'--switch' does not combine with '\(name)': an A/B run measures a fixed number of rounds", command: topic)
            }
        }
        return .run(options)
    }
}

/// Reads options (`--name value`, `--name=value`) and positional arguments, in
/// order; "--" ends the options. Unknown options get a "Did you mean".
struct OptionReader {
    enum Item: Equatable {
        case positional(String)
        case option(String, String?)
    }

    let arguments: [String]
    let command: String
    let known: [(name: String, placeholder: String?)]
    var index = 0
    var ended = false

    init(_ arguments: [String], command: String, known: [(String, String?)]) {
        self.arguments = arguments
        self.command = command
        self.known = known.map { (name: $0.0, placeholder: $0.1) }
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
        guard let option = known.first(where: { $0.name == name }) else {
            var message = "Unknown option '\(name)'"
            if let near = known.map(\.name).min(by: { editDistance($0, name) < editDistance($1, name) }),
               editDistance(near, name) <= 3 {
                message += ". Did you mean '\(near)'?"
            }
            throw UsageError(message: message, command: command)
        }
        guard let placeholder = option.placeholder else {
            if inline != nil { throw UsageError(message: "'\(name)' takes no value", command: command) }
            return .option(name, nil)
        }
        if let inline { return .option(name, inline) }
        guard index < arguments.count else {
            throw UsageError(message: "Missing value for '\(name) \(placeholder)'", command: command)
        }
        index += 1
        let value = arguments[index - 1]
        guard !value.isEmpty else {
            throw UsageError(message: "The value for '\(name) \(placeholder)' must not be empty", command: command)
        }
        return .option(name, value)
    }
}
