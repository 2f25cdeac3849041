import CShims

/// The processor clock (LMBench's mhz, by our own method): a chain of dependent
/// one-cycle additions; the fastest interval's time per addition is the clock
/// period. Header line "[MHZ: <n> MHz, <period> nanosec clock]".
enum ProcessorClock {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "mhz", groups: [.processor],
                  summary: "a chain of dependent register additions, one cycle each", lmbench: "mhz",
                  placement: .quietestCPU) { ctx in
            guard ctx.wants("mhz") else { return }
            let series = try ctx.measure("mhz", [.init("chain", TimedLoop(cshims_loop_add_chain),
                                                       operationsPerIteration: Double(CSHIMS_ADD_CHAIN_LENGTH))])
            ctx.record(Cell(id: "mhz", unit: .megahertz,
                            estimate: Estimate(terms: [.init("chain", 1, .minimum)], form: .reciprocal(numerator: 1000)),
                            series: series))
        },
    ]
}
