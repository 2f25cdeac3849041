import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// A small run with made-up samples, shared by the format tests.
enum SampleRun {
    static func series(_ name: String, _ perOpNs: [Double], ops: Double = 1) -> Series {
        Series(name: name, samples: perOpNs.map { Sample(elapsedNs: Int64($0 * 10_000 * ops), iterations: 10_000) },
               clockOverheadNs: 0, loopOverheadNs: 0, operationsPerIteration: ops)
    }

    static func latency(_ id: String, _ us: Double) -> Cell {
        Cell(id: id, unit: .microseconds, estimate: .microseconds(),
             series: [series("main", [us * 1000, us * 1010, us * 990])])
    }

    static func make() -> RunResult {
        var env = Environment()
        env.sysname = "Linux"; env.nodename = "guest"; env.release = "6.1.0-test"; env.version = "#1 SMP"
        env.machine = "x86_64"; env.osTriplet = "x86_64-linux-gnu"; env.cpuCount = 2
        env.startDate = "Tue Nov 24 15:24:17 UTC 2026"; env.endDate = "Tue Nov 24 15:25:17 UTC 2026"
        env.uptime = " 15:24:17 up 18 min, load average: 0.1, 0.1, 0.1"
        var settings = RunSettings()
        settings.fsdir = "/var/tmp"
        var run = RunResult(settings: settings, environment: env, calibration: Calibration())
        let mhz = Cell(id: "mhz", unit: .megahertz,
                       estimate: Estimate(terms: [.init("chain", 1, .minimum)], form: .reciprocal(numerator: 1000)),
                       series: [series("chain", [0.3125, 0.32, 0.33], ops: 1000)])
        run.outcomes = [
            BenchmarkOutcome(id: "mhz", cells: [mhz]),
            BenchmarkOutcome(id: "null-call", cells: [latency("null-call", 0.27)]),
            BenchmarkOutcome(id: "null-read", cells: [latency("null-read", 0.32)]),
            BenchmarkOutcome(id: "null-write", cells: [latency("null-write", 0.30)]),
            BenchmarkOutcome(id: "select-tcp", cells: [latency("select-tcp/10", 1.1), latency("select-tcp/100", 8.1)]),
            BenchmarkOutcome(id: "sig-catch", cells: [Cell(
                id: "sig-catch", unit: .microseconds,
                estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                series: [series("send", [500, 500, 500]), series("catch", [3400, 3400, 3400])])]),
            BenchmarkOutcome(id: "fork", cells: [latency("fork", 196.2759)], notes: ["x": "y"]),
            BenchmarkOutcome(id: "exec", status: .failed("killed by signal 11 (SIGSEGV)"),
                             warnings: [.reported("something odd")]),
        ]
        return run
    }
}

final class RunJSONTests: XCTestCase {
    func testRoundTrip() throws {
        let run = SampleRun.make()
        let text = RunJSON.encode(run).prettyText
        let back = try RunJSON.decode(try JSON.parse(text))
        XCTAssertEqual(back.outcomes, run.outcomes)
        XCTAssertEqual(back.environment, run.environment)
        XCTAssertEqual(back.settings, run.settings)
        XCTAssertEqual(back.calibration, run.calibration)
    }

    func testDerivedFieldsAreWritten() throws {
        let json = try JSON.parse(RunJSON.encode(SampleRun.make()).prettyText)
        let cell = try XCTUnwrap(json["benchmarks"]?.arrayValue?[1]["cells"]?.arrayValue?.first)
        XCTAssertEqual(try XCTUnwrap(cell["value"]?.doubleValue), 0.27, accuracy: 1e-9)
        XCTAssertNotNil(cell["ci95"]?.arrayValue)
        XCTAssertEqual(cell["series"]?.arrayValue?.first?["stats"]?["count"]?.intValue, 3)
        XCTAssertEqual(json["benchmarks"]?.arrayValue?.last?["reason"]?.stringValue, "killed by signal 11 (SIGSEGV)")
    }

    func testOtherJSONIsRefusedWithAReason() {
        XCTAssertThrowsError(try RunJSON.decode(.object([("x", .number(1))]))) { error in
            XCTAssertTrue("\(error)".contains("schema"))
        }
        let broken = JSON.object([("schema", .string(RunJSON.schema)), ("benchmarks", .array([.object([("id", .string("a"))])]))])
        XCTAssertThrowsError(try RunJSON.decode(broken)) { error in
            XCTAssertTrue("\(error)".contains("benchmark 1"), "\(error)")
        }
    }

    func testMergingPassesAppendsSamples() {
        let first = BenchmarkOutcome(id: "b", cells: [SampleRun.latency("b", 1)])
        let second = BenchmarkOutcome(id: "b", cells: [SampleRun.latency("b", 1), SampleRun.latency("b/2", 2)])
        let merged = first.merging(second)
        XCTAssertEqual(merged.cells.count, 2)
        XCTAssertEqual(merged.cells[0].series[0].samples.count, 6)
        let failed = merged.merging(BenchmarkOutcome(id: "b", status: .failed("boom")))
        XCTAssertEqual(failed.status, .failed("boom"))
        XCTAssertEqual(failed.merging(BenchmarkOutcome(id: "b")).status, .failed("boom"), "the first failure stays")
    }

    func testRoundsShareOutTheRepetitions() {
        XCTAssertEqual((0..<11).map { RunSession.cumulativeIntervals(round: $0, rounds: 11, repetitions: 11) }, Array(1...11))
        XCTAssertEqual((0..<4).map { RunSession.cumulativeIntervals(round: $0, rounds: 4, repetitions: 11) }, [3, 6, 9, 11])
        XCTAssertEqual(RunSession.cumulativeIntervals(round: 0, rounds: 1, repetitions: 11), 11)
        var sofar = BenchmarkOutcome(id: "b", cells: [SampleRun.latency("b", 1)])
        sofar.cells[0].series[0].samples[2].iterations = 777
        let plan = RunSession.plan(for: sofar, target: 5)
        XCTAssertEqual(plan.intervals(for: "b"), 2)
        XCTAssertEqual(plan.intervals(for: "new"), 5)
        XCTAssertEqual(plan.startIterations["b/main"], 777)
    }
}

/// The ± a run shows live is the interval --target-ci aims at: the bootstrap of
/// the cell's median over its intervals, not another estimate.
final class LivePrecisionTests: XCTestCase {
    func testTheLiveLineShowsTheCellsOwnInterval() throws {
        var g = SplitMix64(seed: 7)
        // Skewed, as interval times are: a few slow intervals in many fast ones.
        let values = (0..<41).map { _ -> Double in
            let u = Double(g.next() % 1000) / 1000
            return 1000 * (1 + 0.05 * u + (u > 0.9 ? 0.5 : 0))
        }
        let cell = Cell(id: "null-call", unit: .microseconds, estimate: .microseconds(),
                        series: [SampleRun.series("main", values)])
        let live = try XCTUnwrap(ConsoleProgress.roughPrecision(values))
        let target = try XCTUnwrap(cell.roughPrecision)
        // The same estimator with another seed: equal up to the replicates' own noise.
        XCTAssertEqual(live / target, 1, accuracy: 0.25, "live ±\(live), cell ±\(target)")
        XCTAssertNil(ConsoleProgress.roughPrecision([1, 2]), "no ± from fewer than three intervals")
    }

    /// A bootstrap draw takes whole blocks with replacement, each term's values of
    /// a block together (the terms stay paired), one generator step per block.
    func testResamplingDrawsWholeBlocksKeepingTermsTogether() {
        let blocks = (0..<5).map { i in
            Cell.Block(round: i, slot: 0, values: [[Double(i)], [Double(10 * i), Double(10 * i + 1)]])
        }
        let resampling = Cell.Resampling(blocks, terms: 2)
        var generator = SplitMix64(seed: 7), expected = SplitMix64(seed: 7)
        let groups = resampling.draw(&generator)
        let picks = (0..<5).map { _ in Int(expected.next() % 5) }
        XCTAssertEqual(groups[0], picks.map(Double.init))
        XCTAssertEqual(groups[1], picks.flatMap { [Double(10 * $0), Double(10 * $0 + 1)] })
        XCTAssertEqual(generator.next(), expected.next(), "one generator step per block drawn")
        XCTAssertEqual(Cell.Resampling([], terms: 2).draw(&generator), [[], []])
    }
}
