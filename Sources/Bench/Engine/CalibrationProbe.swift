import BenchCore
import CShims

extension Calibration {
    /// Typical costs on current hardware, used only to express how slow this kernel
    /// is (the slowdown that scales every timeout), never to correct a figure.
    package static let typicalNullCallNs = 300.0
    static let typicalForkNs = 300_000.0

    /// Measures the overheads the engine subtracts (or takes them from
    /// `overheadsFrom`, so that two sides subtract the same) and how slow this system is.
    static func measure(overheadsFrom other: Calibration? = nil) -> Calibration {
        var c = Calibration()
        c.clockReadNs = other?.clockReadNs ?? clockReadNs()
        c.loopOverheadNs = other?.loopOverheadNs ?? loopOverheadNs(clockReadNs: c.clockReadNs)
        c.nullCallNs = nullCallProbe(clockReadNs: c.clockReadNs)
        c.forkNs = fastest(of: 3) { perIteration(TimedLoop(cshims_loop_fork_exit), 2, c.clockReadNs) }
        c.slowdown = max(1, c.nullCallNs / typicalNullCallNs, c.forkNs / typicalForkNs)
        return c
    }

    /// A quick null-call figure: fastest of five 2000-call loops, ns per call.
    package static func nullCallProbe(clockReadNs: Double) -> Double {
        fastest(of: 5) { perIteration(TimedLoop(cshims_loop_getppid), 2000, clockReadNs) }
    }

    /// Median cost of an empty timed region: the two clock reads around an interval.
    static func clockReadNs() -> Double {
        var values: [Double] = []
        for _ in 0..<1001 {
            var elapsed: Int64 = 0
            _ = cshims_timing_run(cshims_loop_empty, nil, 0, &elapsed)
            values.append(Double(elapsed))
        }
        return Statistics(values).median
    }

    /// Fastest of several runs of the empty loop, per iteration.
    static func loopOverheadNs(clockReadNs: Double) -> Double {
        max(0, fastest(of: 11) { perIteration(TimedLoop(cshims_loop_empty), 1_000_000, clockReadNs) })
    }

    private static func perIteration(_ loop: TimedLoop, _ n: UInt64, _ clockReadNs: Double) -> Double {
        var elapsed: Int64 = 0
        if cshims_timing_run(loop.function, loop.state, n, &elapsed) != 0 { return .infinity }
        return (Double(elapsed) - clockReadNs) / Double(n)
    }

    private static func fastest(of runs: Int, _ body: () -> Double) -> Double {
        (0..<runs).map { _ in body() }.min() ?? 0
    }
}
