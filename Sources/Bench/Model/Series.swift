/// One recorded interval: the raw clock difference, the iterations it ran, and
/// the round (pass over the benchmarks) that recorded it.
public struct Sample: Equatable, Sendable {
    public var elapsedNs: Int64
    public var iterations: UInt64
    /// 0-based pass of the run; what pairs the two sides of an A/B run, and the
    /// terms of a difference sampled in turn (see `Cell.blocks`).
    public var round: Int
    /// The switch state it was recorded in, while an interleaved A/B pass records
    /// both sides in one process; nil once the sides are apart (each side's run
    /// is its state) and in plain runs.
    public var side: SwitchState?

    public init(elapsedNs: Int64, iterations: UInt64, round: Int = 0, side: SwitchState? = nil) {
        self.elapsedNs = elapsedNs
        self.iterations = iterations
        self.round = round
        self.side = side
    }
}

/// Every recorded interval of one timed loop, with what is subtracted from them.
public struct Series: Equatable, Sendable {
    public var name: String
    public var samples: [Sample]
    /// Cost of the clock reads around an interval, subtracted once per interval.
    public var clockOverheadNs: Double
    /// Cost of one empty loop iteration, subtracted once per iteration.
    public var loopOverheadNs: Double
    /// Operations one iteration performs (N process switches per trip round a ring).
    public var operationsPerIteration: Double

    public init(name: String, samples: [Sample] = [], clockOverheadNs: Double = 0,
                loopOverheadNs: Double = 0, operationsPerIteration: Double = 1) {
        self.name = name
        self.samples = samples
        self.clockOverheadNs = clockOverheadNs
        self.loopOverheadNs = loopOverheadNs
        self.operationsPerIteration = operationsPerIteration
    }

    /// Nanoseconds per operation of one interval, overheads subtracted.
    public func perOperationNs(_ sample: Sample) -> Double {
        let n = Double(max(sample.iterations, 1))
        let perIteration = (Double(sample.elapsedNs) - clockOverheadNs) / n - loopOverheadNs
        return perIteration / operationsPerIteration
    }

    public var perOperationNs: [Double] { samples.map(perOperationNs) }

    public var statistics: Statistics { Statistics(perOperationNs) }
}
