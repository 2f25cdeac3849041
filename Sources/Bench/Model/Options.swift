/// One command-line option: its name, the value it takes, its default, what it
/// does, and (for the options that decide the numbers) the run JSON's settings
/// key. Parsing, `--help`, the README's option table and the check of a resumed
/// JSON's settings all come from `Options.run` (and `Options.crosscheck`).
public struct OptionSpec: Sendable {
    public enum Value: Sendable, Equatable {
        case flag
        case text
        /// A whole number within the range.
        case integer(ClosedRange<Int>)
        /// "90s", "10m", "2h" or plain seconds, from 1 second to a week.
        case duration
        /// A number above 0 and at most `maximum`.
        case number(maximum: Double)
        case choice([String])
    }

    public let name: String
    /// The value's placeholder ("<n>"); nil for a flag.
    public let placeholder: String?
    public let value: Value
    /// As --help shows it, nil for none.
    public let defaultText: String?
    public let help: String
    /// The run JSON's settings key of an option that decides the numbers (kept
    /// from the JSON by --resume, which refuses it on the command line).
    public let settingsKey: String?
    /// How it changes the run's settings, given a value `problem` accepts (nil:
    /// the command sets it elsewhere, an option that does not decide the numbers).
    public let set: (@Sendable (inout RunSettings, String) -> Void)?

    init(_ name: String, _ placeholder: String?, _ value: Value, default defaultText: String? = nil,
         settings settingsKey: String? = nil, set: (@Sendable (inout RunSettings, String) -> Void)? = nil, _ help: String) {
        self.name = name
        self.placeholder = placeholder
        self.value = value
        self.defaultText = defaultText
        self.help = help
        self.settingsKey = settingsKey
        self.set = set
    }

    /// The name with its placeholder, as errors and help name it ("--mb <mib>").
    public var usage: String { placeholder.map { "\(name) \($0)" } ?? name }

    /// Why `text` is not a value of this option, or nil.
    public func problem(_ text: String) -> String? {
        switch value {
        case .flag, .text: return nil
        case .integer(let range):
            guard let n = Int(text), range.contains(n) else {
                return "expected a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        case .duration:
            return OptionSpec.seconds(text) == nil ? "expected a duration such as 90s, 10m or 2h" : nil
        case .number(let maximum):
            guard let v = Double(text), v > 0, v <= maximum else {
                return "expected a number above 0 and at most " + cFormat("%g", maximum)
            }
            return nil
        case .choice(let values):
            guard values.contains(text) else {
                let quoted = values.map { "'\($0)'" }
                return "Please provide one of " + Options.words(quoted)
            }
            return nil
        }
    }

    /// "90s", "10m", "2h" or plain seconds; between 1 second and a week.
    public static func seconds(_ text: String) -> Double? {
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
}

public enum Options {
    /// --mb: the size asked for, and the size used until the file system is checked.
    static let setMB: @Sendable (inout RunSettings, String) -> Void = { settings, text in
        settings.requestedMB = Int(text)!
        settings.mb = settings.requestedMB
    }

    public static let run: [OptionSpec] = [
        .init("--results-dir", "<dir>", .text, default: "results", "Where results files go, as <dir>/<os>/<host>.<n>."),
        .init("--json", "<file>", .text, "Also write every sample, statistic and failure to this JSON file."),
        .init("--repetitions", "<n>", .integer(1...1000), default: "\(RunSettings.standard.repetitions), as LMBench", settings: "repetitions",
              set: { $0.repetitions = Int($1)! }, "Recorded intervals per measurement, 1 to 1000."),
        .init("--rounds", "<n>", .integer(1...1000), default: "\(RunSettings.standard.rounds)", settings: "rounds",
              set: { $0.rounds = Int($1)! }, "Passes over the benchmarks that share out the intervals, so that each cell's intervals span the run; 1 measures them back to back as LMBench does."),
        .init("--enough", "<microseconds>", .integer(100...10_000_000), default: "\(RunSettings.standard.enoughMicroseconds)", settings: "enough_us",
              set: { $0.enoughMicroseconds = Int($1)! }, "Target length of one interval, 100 to 10000000."),
        .init("--mb", "<mib>", .integer(1...1_048_576), default: "\(RunSettings.standard.requestedMB)", settings: "mb",
              set: setMB, "Size of the test file and memory buffers; reduced to fit the file system of --fsdir."),
        .init("--fsdir", "<dir>", .text, default: "the first writable of /var/tmp and /tmp", settings: "fsdir",
              "Directory for the private run directory (test files); refused if another user can write to it or to a directory above it (without the sticky bit)."),
        .init("--pin-ctx", nil, .flag, settings: "pin_ctx", set: { settings, _ in settings.pinContextSwitch = true }, "Pin every process of a context-switch ring to one CPU."),
        .init("--budget", "<duration>", .duration, settings: "budget_s", set: { $0.budgetSeconds = OptionSpec.seconds($1) },
              "Time for the whole run (90s, 10m, 2h): three intervals per cell first (eight pairs in an A/B run), then more for the cells whose interval is widest until each reaches --target-ci; without --target-ci a cell that cannot reach it in the time left is left where it is, and the time left then narrows the others further, cheapest first. It decides the rounds: not with --rounds."),
        .init("--target-ci", "<percent>", .number(maximum: 100), default: "2 with --budget; 5 in an A/B run", settings: "target_precision_percent",
              set: { $0.targetPrecisionPercent = Double($1) }, "Half-width of the 95% interval to aim at, percent of the value (of the slowdown in an A/B run)."),
        .init("--resume", "<json>", .text,
              "Continue the interrupted run of this JSON file: its settings and benchmarks, measuring only the cells it lacks."),
        .init("--switch", "<spec>", .text,
              "An A/B run: measure every cell with a kernel switch off and on, flipping it between the two sides of each pair, in this one boot. <spec>: ftrace (the function tracer), kssb (Ozz/OEMU's hypercall), file:<path>:<on-value>:<off-value> (a flag file written with one write(), such as /sys/kernel/tracing/tracing_on:1:0) or command:<on-command>:<off-command>. A switch that flips in a fraction of an interval is flipped between the recorded intervals inside each benchmark (pairs milliseconds apart). Writes a results file per side, one JSON with both, and prints the paired overhead table."),
        .init("--switch-on", "<command>", .text, "With --switch-off: the switch as two shell commands (which may contain ':')."),
        .init("--switch-off", "<command>", .text, "With --switch-on: the command that turns the switch off (it ends what the on command left running in the background; what is left at the end is ended and named)."),
        .init("--name", "<host>", .text, default: "the nodename (uname -n)",
              "The host name the results file, its header and the JSON give the run (a guest booted from the same image as another can keep its results apart)."),
        .init("--quiet", nil, .flag, "Report only warnings and failures on standard error."),
        .init("-h, --help", nil, .flag, "Show help information."),
    ]

    public static let crosscheck: [OptionSpec] = [
        .init("--lmbench-bin", "<dir>", .text, "LMBench's binaries as its own make builds them (bin/<os>)."),
        .init("--rounds", "<n>", .integer(1...100), default: "3", "Rounds of ours-then-LMBench's, 1 to 100."),
        .init("--tolerance", "<percent>", .number(maximum: 999), default: "15", "Agreement tolerance."),
        .init("--format", "<format>", .choice(CrosscheckFormat.allCases.map(\.rawValue)), default: "text",
              words(CrosscheckFormat.allCases.map(\.rawValue)) + "."),
        .init("--repetitions", "<n>", .integer(1...1000), default: "\(RunSettings.standard.repetitions)", set: { $0.repetitions = Int($1)! },
              "As for 'run' (ours; LMBench takes its own 11)."),
        .init("--enough", "<microseconds>", .integer(100...10_000_000), default: "\(RunSettings.standard.enoughMicroseconds)",
              set: { $0.enoughMicroseconds = Int($1)! }, "Interval length for both (LMBench's ENOUGH)."),
        .init("--mb", "<mib>", .integer(1...1_048_576), default: "\(RunSettings.standard.requestedMB)", set: setMB,
              "Test file and buffer size for both."),
        .init("--fsdir", "<dir>", .text, default: "/var/tmp or /tmp", "Where both make their files."),
        .init("--switch", "<spec>", .text,
              "Measure both tools with a kernel switch off and on (as for 'run'), and compare their slowdowns."),
        .init("--json", "<file>", .text, "Also write the JSON table to this file."),
        .init("-h, --help", nil, .flag, "Show help information."),
    ]

    public static let compare: [OptionSpec] = [
        .init("--format", "<format>", .choice(ComparisonFormat.allCases.map(\.rawValue)), default: "text",
              words(ComparisonFormat.allCases.map(\.rawValue)) + "."),
        .init("--svg", "<file>", .text, "Also draw the slowdown factors with their intervals as an SVG bar chart."),
        .init("--noise-margin", "<percent>", .number(maximum: 100), default: "10",
              "A factor is significant only when its interval lies wholly outside 1 ± this margin."),
        .init("--caption", "<text>", .text, "LaTeX: put the table in a table environment with this caption."),
        .init("--label", "<key>", .text, "LaTeX: put the table in a table environment with this label."),
        .init("--interval", "<style>", .choice(["brackets", "pm"]), default: "brackets",
              "LaTeX: each interval as [low, high] after its factor, or as ± half its width."),
        .init("--baseline", "<path>", .text, "A baseline run or directory (repeatable)."),
        .init("--candidate", "<path>", .text, "A candidate run or directory (repeatable)."),
        .init("-h, --help", nil, .flag, "Show help information."),
    ]

    /// "a, b or c".
    static func words(_ values: [String]) -> String {
        values.count < 2 ? values.joined() : values.dropLast().joined(separator: ", ") + " or " + values.last!
    }

    /// The spec of `name` in `table` ("-h" and "--help" are one).
    public static func spec(_ name: String, in table: [OptionSpec]) -> OptionSpec? {
        table.first { $0.name == name || ($0.name == "-h, --help" && (name == "--help" || name == "-h")) }
    }

    /// The range of the run option that sets this JSON settings key.
    public static func range(settingsKey: String) -> ClosedRange<Int>? {
        guard case .integer(let range)? = run.first(where: { $0.settingsKey == settingsKey })?.value else { return nil }
        return range
    }

    /// The OPTIONS section of --help: names from column 2, text from column 26,
    /// wrapped at 98 columns, the default appended.
    public static func help(_ table: [OptionSpec]) -> String {
        var out = "OPTIONS:"
        for option in table {
            let head = "  " + option.usage
            let text = option.help + (option.defaultText.map { " (default: \($0))" } ?? "")
            var lines: [String] = []
            var current = ""
            for word in text.split(separator: " ") {
                if !current.isEmpty && current.count + 1 + word.count > 72 {
                    lines.append(current)
                    current = ""
                }
                current += (current.isEmpty ? "" : " ") + word
            }
            lines.append(current)
            if head.count >= 26 {
                out += "\n" + head
            } else {
                out += "\n" + head + String(repeating: " ", count: 26 - head.count) + lines.removeFirst()
            }
            for line in lines { out += "\n" + String(repeating: " ", count: 26) + line }
        }
        return out
    }

    /// The README's table of `run`'s options (a test checks that README.md has it).
    public static func markdown(_ table: [OptionSpec]) -> String {
        var out = "| option | meaning | default |\n|---|---|---|\n"
        for option in table where option.name != "-h, --help" {
            let name = option.placeholder.map { "`\(option.name) \($0.dropFirst().dropLast().uppercased())`" } ?? "`\(option.name)`"
            let help = option.help.replacing("<", with: "&lt;").replacing(">", with: "&gt;")
            out += "| \(name) | \(help) | \(option.defaultText ?? "") |\n"
        }
        return out
    }
}

/// `compare`'s outputs: text grouped like LMBench's summary, Markdown, CSV,
/// LaTeX and JSON (schema "lmbench-swift.compare/1", described in docs/formats.md).
public enum ComparisonFormat: String, CaseIterable, Sendable {
    case text, markdown, csv, json, latex
}

/// `crosscheck`'s agreement table: text, Markdown, or JSON (schema
/// "lmbench-swift.crosscheck/1", described in docs/formats.md).
public enum CrosscheckFormat: String, CaseIterable, Sendable {
    case text, markdown, json
}
