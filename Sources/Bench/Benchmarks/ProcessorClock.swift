import BenchCore
import BenchEngine
import CShims

/// The processor clock (LMBench's mhz, by our own method): a chain of dependent
/// one-cycle additions; the fastest interval's time per addition is the clock
/// period. Header line "[MHZ: <n> MHz, <period> nanosec clock]".
package enum ProcessorClock {
    /// The benchmark's id and its one cell's (the results header reads it).
    package static let id = "mhz"

    static let mhz = Benchmark(
        id: id, groups: [.processor], summary: "a chain of dependent register additions, one cycle each",
        operation: #"a chain of 1000 dependent register additions (one cycle each); MHz = 1 / fastest time per addition"#,
        differences: #"own method (LMBench fits a clock period to nine loop bodies); measured in every run, as the header needs it; its value is the header line `[MHZ: ...]`"#,
        lmbench: LMBenchProgram("mhz", LMBenchInvocation(program: "mhz", arguments: [], output: .clock)),
        placement: .quietestCPU
    ) { ctx in
        guard ctx.wants(id) else { return }
        let series = try ctx.measure(id, [.init("chain", TimedLoop(cshims_loop_add_chain),
                                                operationsPerIteration: Double(CSHIMS_ADD_CHAIN_LENGTH))])
        ctx.record(Cell(id: id, unit: .megahertz,
                        estimate: Estimate(terms: [.init("chain", 1, .minimum)], form: .reciprocal(numerator: 1000)),
                        series: series))
    }
}
