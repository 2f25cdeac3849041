import BenchCore

/// Where a run reports what it is doing (standard error, a live line, or nothing).
/// A run measures its benchmarks in rounds (each round records a share of every
/// cell's intervals), so the same benchmark starts once per round.
public protocol ProgressReporter: AnyObject {
    /// `side`: the switch state of an A/B run's pass (nil in a plain run).
    func benchmarkStarted(_ benchmark: Benchmark, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?)
    /// A batch of recorded intervals; `perIterationNs` holds every interval of this
    /// series in this pass (of one side, `side`, in an interleaved A/B pass).
    func sampleRecorded(cell: String, series: String, side: SwitchState?, perIterationNs: [Double])
    /// `outcome` holds everything measured so far, over all rounds.
    func benchmarkFinished(_ outcome: BenchmarkOutcome, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?)
    func roundFinished(_ round: Int, rounds: Int, elapsedSeconds: Double)
    /// Every benchmark's final outcome.
    func runFinished(_ outcomes: [BenchmarkOutcome])
    func warning(_ text: String)
    func message(_ text: String)
}
