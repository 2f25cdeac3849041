import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchEngine

/// Progress nobody reads.
final class SilentProgress: ProgressReporter {
    func benchmarkStarted(_ benchmark: Benchmark, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?) {}
    func sampleRecorded(cell: String, series: String, side: SwitchState?, perIterationNs: [Double]) {}
    func benchmarkFinished(_ outcome: BenchmarkOutcome, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?) {}
    func roundFinished(_ round: Int, rounds: Int, elapsedSeconds: Double) {}
    func runFinished(_ outcomes: [BenchmarkOutcome]) {}
    func warning(_ text: String) {}
    func message(_ text: String) {}
}

/// A pass runner that measures nothing: each benchmark's one cell gets the
/// intervals its plan asks for, 5 ms each unless told, with a fixed relative spread
/// (alternating above and below its value), and every pass moves a scripted
/// clock on by its intervals plus a fixed cost of starting the process.
final class ScriptedRunner: PassRunner {
    let calibration = Calibration()
    /// Per benchmark: the relative spread of its intervals.
    let spread: [String: Double]
    /// Per benchmark: how long an interval takes, if not `intervalSeconds`.
    let intervalLength: [String: Double]
    /// With a seed, each interval's deviation is drawn within ±spread instead.
    private var generator: SplitMix64?
    static let intervalSeconds = 0.005, passOverheadSeconds = 0.05
    private(set) var nowNs: Int64 = 0
    private(set) var passes: [(benchmark: String, intervals: Int)] = []

    init(spread: [String: Double], intervalLength: [String: Double] = [:], seed: UInt64? = nil) {
        self.spread = spread
        self.intervalLength = intervalLength
        generator = seed.map { SplitMix64(seed: $0) }
    }

    func run(_ benchmark: Benchmark, plan: CellPlan) -> Supervisor.PassOutcome {
        let intervals = plan.intervals(for: benchmark.id)
        let spread = self.spread[benchmark.id] ?? 0.01
        let length = intervalLength[benchmark.id] ?? ScriptedRunner.intervalSeconds
        let iterations = (length * 1e6).rounded()
        let samples = (0..<intervals).map { i in
            // A value of 1 µs an iteration, the k-th interval off by ±spread × (k mod 3) / 2.
            var deviation = Double((passes.count + i) % 3 - 1)
            if generator != nil { deviation = Double(generator!.next() % 2001) / 1000 - 1 }
            return Sample(elapsedNs: Int64(1000 * (1 + spread * deviation) * iterations), iterations: UInt64(iterations))
        }
        let seconds = Double(intervals) * length + ScriptedRunner.passOverheadSeconds
        nowNs += Int64(seconds * 1e9)
        passes.append((benchmark.id, intervals))
        let cell = Cell(id: benchmark.id, unit: .microseconds, estimate: .microseconds(),
                        series: [Series(name: "main", samples: samples)])
        return Supervisor.PassOutcome(sides: [BenchmarkOutcome(id: benchmark.id, cells: [cell], elapsedSeconds: seconds)])
    }
}

/// The scheduler's choices in a plain run with a budget or a precision target,
/// from a scripted runner and clock: what the first rounds measure, which
/// benchmarks refining passes go to, and that the budget is kept.
final class ScriptedSchedulerTests: XCTestCase {
    let quiet = Catalog.benchmark("null-call")!, noisy = Catalog.benchmark("stat")!

    func passes(_ runner: ScriptedRunner, budget: Double?, target: Double?, benchmarks: [Benchmark]? = nil) -> Passes {
        var settings = RunSettings()
        settings.budgetSeconds = budget
        settings.targetPrecisionPercent = target
        return Passes(benchmarks: benchmarks ?? [quiet, noisy], settings: settings, supervisors: [runner], progress: SilentProgress(),
                      controller: nil, previous: [], started: 0, clock: { runner.nowNs })
    }

    /// A target alone: three intervals each in three rounds first, then refining
    /// passes only for the cell that has not reached it, until it has; the quiet
    /// cell gets no pass beyond the first rounds.
    func testATargetSendsTheRefiningPassesToTheWidestCell() throws {
        let runner = ScriptedRunner(spread: [quiet.id: 0.001, noisy.id: 0.2])
        var scheduler = passes(runner, budget: nil, target: 2)
        scheduler.measureInRounds(rounds: 3, repetitions: 3)
        XCTAssertEqual(runner.passes.map(\.intervals), [1, 1, 1, 1, 1, 1], "a round each: one interval per cell per round")
        scheduler.refine(target: 0.02)
        let refining = runner.passes.dropFirst(6)
        XCTAssertFalse(refining.isEmpty)
        XCTAssertTrue(refining.allSatisfy { $0.benchmark == noisy.id }, "\(refining.map(\.benchmark))")
        for lane in scheduler.lanes {
            for outcome in lane.outcomes.values {
                let cell = try XCTUnwrap(outcome.cells.first)
                let precision = try XCTUnwrap(cell.roughPrecision)
                XCTAssertTrue(precision <= 0.02 || cell.series[0].samples.count >= RunSession.maximumAdaptiveIntervals,
                              "\(cell.id): ±\(precision) from \(cell.series[0].samples.count) intervals")
            }
        }
    }

    /// A budget: no refining pass starts that its predicted length would take
    /// past the budget, so the run ends within it (give or take a misprediction
    /// of one pass's cost), whatever precision is left.
    func testABudgetIsNotOverrun() throws {
        for budget in [1.0, 3.0, 10.0] {
            let runner = ScriptedRunner(spread: [quiet.id: 0.3, noisy.id: 0.3])
            var scheduler = passes(runner, budget: budget, target: 0.1)
            scheduler.measureInRounds(rounds: 3, repetitions: 3)
            scheduler.refine(target: 0.001)
            let spent = Double(runner.nowNs) / 1e9
            XCTAssertLessThanOrEqual(spent, budget + ScriptedRunner.passOverheadSeconds, "budget \(budget)")
            XCTAssertGreaterThan(runner.passes.count, 6, "budget \(budget): it refined")
        }
    }

    /// A refining round starts each pass, widest cell first, that fits in what
    /// is left of the budget (a later, cheaper one may still fit).
    func testARefiningRoundTakesThePassesThatFitTheBudget() {
        XCTAssertEqual(Passes.choose([0.1, 0.2, 0.5, 0.1], budgetLeft: 0.35), [0, 1], "0.1 + 0.2, and no other fits")
        XCTAssertEqual(Passes.choose([0.1, 0.2, 0.5, 0.1], budgetLeft: 0.45), [0, 1, 3])
        XCTAssertEqual(Passes.choose([0.1, 0.2, 0.5, 0.1], budgetLeft: nil), [0, 1, 2, 3])
    }

    /// A budget alone and a cell that cannot reach the goal in the time left
    /// (intervals of 100 ms scattered by ±90%): it is left where it is, and
    /// the time goes to narrowing the other one below the goal, within the budget.
    func testACellThatCannotReachTheGoalDoesNotTakeTheWholeBudget() throws {
        let slow = try XCTUnwrap(Catalog.benchmark("exec"))
        let runner = ScriptedRunner(spread: [quiet.id: 0.05, slow.id: 0.9], intervalLength: [slow.id: 0.1], seed: 2)
        var scheduler = passes(runner, budget: 8, target: nil, benchmarks: [quiet, slow])
        scheduler.measureInRounds(rounds: 3, repetitions: 30)
        let first = runner.passes.count
        scheduler.refine(target: 0.05)
        XCTAssertLessThanOrEqual(Double(runner.nowNs) / 1e9, 8 + ScriptedRunner.passOverheadSeconds)
        let refining = runner.passes.dropFirst(first)
        XCTAssertFalse(refining.isEmpty)
        XCTAssertTrue(refining.allSatisfy { $0.benchmark == quiet.id }, "\(refining.map(\.benchmark))")
        let quietPrecision = try XCTUnwrap(scheduler.precisions(quiet).first?.precision)
        XCTAssertLessThan(quietPrecision, 0.05 * 0.7)
    }
}
