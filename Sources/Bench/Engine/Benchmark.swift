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

/// A benchmark: a stable id, what it times, its LMBench counterpart, and the body
/// that measures it inside a forked benchmark process.
public struct Benchmark: Sendable {
    public let id: String
    public let groups: [Group]
    /// One line: what one timed operation is.
    public let summary: String
    /// The LMBench program and arguments it corresponds to.
    public let lmbench: String
    /// Only listed and runnable when LMBENCH_SWIFT_TEST_BENCHMARKS=1 (fault-handling tests).
    public let testOnly: Bool
    public let placement: Placement
    /// Measured in every round (false: once per run, like LMBench's lmdd step).
    public let everyRound: Bool
    let body: @Sendable (BenchmarkContext) throws -> Void

    public init(id: String, groups: [Group], summary: String, lmbench: String, testOnly: Bool = false,
                placement: Placement = .scheduler, everyRound: Bool = true,
                body: @escaping @Sendable (BenchmarkContext) throws -> Void) {
        self.placement = placement
        self.everyRound = everyRound
        self.id = id
        self.groups = groups
        self.summary = summary
        self.lmbench = lmbench
        self.testOnly = testOnly
        self.body = body
    }
}

/// What one pass of a benchmark measures: how many intervals each cell gets (0:
/// leave the cell alone), and the iteration counts earlier passes settled on.
public struct CellPlan: Sendable {
    public var defaultIntervals: Int
    public var intervals: [String: Int] = [:]
    /// Last iteration count per "cell/series", so a later pass skips the ramp-up.
    public var startIterations: [String: UInt64] = [:]

    public init(defaultIntervals: Int, intervals: [String: Int] = [:]) {
        self.defaultIntervals = defaultIntervals
        self.intervals = intervals
    }

    public func intervals(for cell: String) -> Int { intervals[cell] ?? defaultIntervals }

    static func key(_ cell: String, _ series: String) -> String { cell + "/" + series }
}
