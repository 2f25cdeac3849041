/// The options that decide what a run's numbers mean (where its files go is the
/// command line's business, not theirs).
public struct RunSettings: Equatable, Sendable {
    /// What a run uses unless told otherwise: the one place the defaults are
    /// written (the command line and the option tables read them from here).
    public static let standard = RunSettings()

    /// Target length of one timed interval (LMBench's ENOUGH), microseconds.
    public var enoughMicroseconds: Int = 5000
    /// Recorded intervals per series (LMBench's TRIES).
    public var repetitions: Int = 11
    /// Passes over the benchmarks that share out the repetitions (1: LMBench's
    /// consecutive intervals).
    public var rounds: Int = 11
    /// File and memory size requested with --mb, MiB.
    public var requestedMB: Int = 64
    /// The size actually used (fits the file system of fsdir), MiB.
    public var mb: Int = 64
    /// Directory under which the private run directory is made.
    public var fsdir: String = ""
    /// Pin every process of a context-switch ring to one CPU.
    public var pinContextSwitch: Bool = false
    /// Time budget in seconds (nil: LMBench's fixed method).
    public var budgetSeconds: Double?
    /// Target half-width of the 95% interval, percent of the value.
    public var targetPrecisionPercent: Double?
    /// The benchmarks the run was asked for (so that --resume knows them all).
    public var benchmarkIDs: [String] = []

    /// Why these settings (read from a JSON) are not ones a run can have, or nil:
    /// the ranges the command line takes (`Options.run`).
    public var invalidReason: String? {
        let checks: [(String, Int, ClosedRange<Int>?)] = [
            ("enough_us", enoughMicroseconds, Options.range(settingsKey: "enough_us")),
            ("repetitions", repetitions, Options.range(settingsKey: "repetitions")),
            ("rounds", rounds, Options.range(settingsKey: "rounds")),
            ("requested_mb", requestedMB, Options.range(settingsKey: "mb")), ("mb", mb, Options.range(settingsKey: "mb")),
        ]
        for case let (name, value, range?) in checks where !range.contains(value) {
            return "\"\(name)\" is \(value), not a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
        if fsdir.isEmpty { return "\"fsdir\" is missing" }
        if let budget = budgetSeconds, OptionSpec.seconds(String(budget)) == nil { return "\"budget_s\" is \(budget), not 1 to 604800" }
        if let percent = targetPrecisionPercent, !(percent > 0 && percent <= 100) {
            return "\"target_precision_percent\" is \(percent), not above 0 and at most 100"
        }
        return nil
    }

    /// The precision aimed at with --budget alone, percent.
    public static let defaultTargetPercent = 2.0
    /// The same for an A/B run: the slowdown's half-width.
    public static let defaultABTargetPercent = 5.0
    /// Pairs per cell the first pass of an A/B run with a budget or a precision
    /// target measures (over two rounds, each side leading one), before the
    /// widest intervals get more.
    package static let firstPairs = 8

    /// The precision aimed at, as a fraction, when the run aims at one: the
    /// value's in a plain run, the slowdown's in an A/B run (`abRun`).
    public func precisionTarget(abRun: Bool) -> Double? {
        if let percent = targetPrecisionPercent { return percent / 100 }
        guard budgetSeconds != nil else { return nil }
        return (abRun ? RunSettings.defaultABTargetPercent : RunSettings.defaultTargetPercent) / 100
    }

    /// A budget without a target: the whole budget is spent, each cell first
    /// brought to the default target, then the widest narrowed further.
    public var spendsWholeBudget: Bool { budgetSeconds != nil && targetPrecisionPercent == nil }

    public init() {}
}

/// Measured once per run, before any benchmark.
public struct Calibration: Equatable, Sendable {
    /// Cost of the two clock reads around a timed region, ns (subtracted per interval).
    public var clockReadNs: Double = 0
    /// Cost of one empty loop iteration, ns (subtracted per iteration).
    public var loopOverheadNs: Double = 0
    /// A quick null-call figure, ns: how slow this kernel is.
    public var nullCallNs: Double = 0
    /// The same null-call probe at the end of the run: a large change means the
    /// machine itself changed speed during the run (a busy host under a VM).
    public var nullCallEndNs: Double = 0
    /// A quick fork+exit figure, ns.
    public var forkNs: Double = 0
    /// How many times slower than a typical machine (>= 1); scales every timeout.
    public var slowdown: Double = 1

    public init() {}

    /// Relative change of the null-call probe from start to end of the run.
    public var drift: Double {
        guard nullCallNs > 0, nullCallEndNs > 0 else { return 0 }
        return nullCallEndNs / nullCallNs - 1
    }
}

/// One run: settings, environment, calibration and every benchmark's outcome.
public struct RunResult: Equatable, Sendable {
    public var toolVersion: String = ToolInfo.version
    public var settings: RunSettings
    public var environment: Environment
    public var calibration: Calibration
    public var outcomes: [BenchmarkOutcome]
    /// True when the run was interrupted and some requested benchmarks are missing.
    public var partial: Bool = false
    public var startedAt: String = ""
    public var finishedAt: String = ""
    /// Where its results file went (recorded in the JSON's settings as results_dir).
    public var resultsDirectory: String = "results"
    /// The side of an A/B run this is (nil: a plain run).
    public var switchSide: SwitchSide?

    public init(settings: RunSettings, environment: Environment, calibration: Calibration,
                outcomes: [BenchmarkOutcome] = []) {
        self.settings = settings
        self.environment = environment
        self.calibration = calibration
        self.outcomes = outcomes
    }

    /// The cell with this id, from whichever benchmark measured it.
    public func cell(_ id: String) -> Cell? {
        for outcome in outcomes {
            if let cell = outcome.cells.first(where: { $0.id == id }) { return cell }
        }
        return nil
    }

    public func outcome(_ id: String) -> BenchmarkOutcome? { outcomes.first { $0.id == id } }

    public var allCells: [Cell] { outcomes.flatMap(\.cells) }
}

public enum ToolInfo {
    public static let name = "lmbench-swift"
    public static let version = "0.1.0"
}
