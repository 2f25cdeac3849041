import BenchCore

/// The summary tables; each is also a group of benchmarks on the command line.
public enum Group: String, CaseIterable, Sendable {
    case processor, ctx, latency, filevm, bandwidth

    public var title: String {
        switch self {
        case .processor: return "Processor, Processes"
        case .ctx: return "Context switching"
        case .latency: return "*Local* Communication latencies"
        case .filevm: return "File & VM system latencies"
        case .bandwidth: return "*Local* Communication bandwidths"
        }
    }
}

/// A benchmark, in one place: a stable id, what it times, the body that measures
/// it inside a forked benchmark process, its lines in the results file, the
/// summary cells it feeds, its LMBench counterpart and its row of
/// docs/benchmarks.md. Adding one means its family's file (and its C loop) and
/// `Catalog.all`, then the generated table put in docs/benchmarks.md.
public struct Benchmark: Sendable {
    public let id: String
    public let groups: [Group]
    /// One line: what one timed operation is.
    public let summary: String
    /// Seconds it took at the defaults (11 intervals of 5 ms, 64 MB) on a 2-core
    /// development machine, run alone: what `RunAllowance` scales into time limits.
    public let typicalSeconds: Double
    /// Its row of docs/benchmarks.md (`lmbench-swift list --markdown`): the one
    /// timed operation in full, and where it differs from LMBench on purpose
    /// ("—": nowhere; "fixed: " marks a defect of LMBench's that we do not copy).
    public let operation: String
    public let differences: String
    /// The LMBench program it corresponds to, and how crosscheck runs it.
    public let lmbench: LMBenchProgram
    /// Only listed and runnable when LMBENCH_SWIFT_TEST_BENCHMARKS=1 (fault-handling tests).
    public let testOnly: Bool
    public let placement: Placement
    /// Measured in every round (false: once per run, like LMBench's lmdd step).
    public let everyRound: Bool
    /// Its lines in the results file, in LMBench's order and format (the results
    /// file writes the benchmarks in catalog order).
    package let results: @Sendable (inout ResultsWriter) -> Void
    /// The cells of LMBench's summary tables it feeds (compare's rows).
    public let metrics: [SummaryMetric]
    let body: @Sendable (BenchmarkContext) throws -> Void

    public init(id: String, groups: [Group], summary: String, typicalSeconds: Double = 0.5, operation: String = "",
                differences: String = "—", lmbench: LMBenchProgram, testOnly: Bool = false,
                placement: Placement = .scheduler, everyRound: Bool = true, metrics: [SummaryMetric] = [],
                results: @escaping @Sendable (inout ResultsWriter) -> Void = { _ in },
                body: @escaping @Sendable (BenchmarkContext) throws -> Void) {
        self.placement = placement
        self.everyRound = everyRound
        self.id = id
        self.groups = groups
        self.summary = summary
        self.typicalSeconds = typicalSeconds
        self.operation = operation
        self.differences = differences
        self.lmbench = lmbench
        self.testOnly = testOnly
        self.metrics = metrics
        self.results = results
        self.body = body
    }
}

extension Benchmark {
    /// The ids of the cells it feeds the summary tables with, when they are
    /// fixed (nil when a summary cell is its largest size, known only once measured).
    var summaryCellIDs: [String]? {
        var ids: [String] = []
        for metric in metrics {
            for input in metric.cellInputs {
                guard case .exact(let id) = input else { return nil }
                ids.append(id)
            }
        }
        return ids
    }
}

/// What one pass of a benchmark measures: how many intervals each cell gets (0:
/// leave the cell alone; pairs of intervals when interleaved), and the iteration
/// counts earlier passes settled on.
public struct CellPlan: Sendable {
    public var defaultIntervals: Int
    public var intervals: [String: Int] = [:]
    /// Last iteration count per "cell/series" (and switch state), so a later pass skips the ramp-up.
    public var startIterations: [String: UInt64] = [:]
    /// An interleaved A/B pass: the state the switch is in when it starts; both
    /// sides are recorded in this one pass, flipping between intervals.
    public var interleavedFrom: SwitchState?

    public init(defaultIntervals: Int, intervals: [String: Int] = [:]) {
        self.defaultIntervals = defaultIntervals
        self.intervals = intervals
    }

    public func intervals(for cell: String) -> Int { intervals[cell] ?? defaultIntervals }

    static func key(_ cell: String, _ series: String, _ side: SwitchState? = nil) -> String {
        cell + "/" + series + (side.map { "@" + $0.rawValue } ?? "")
    }
}
