import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// Several A/B runs (boots) of one kernel pooled: on/off is the median of all
/// the boots' per-pair ratios, its interval resamples boots, then within each. One
/// A/B run pooled alone is exactly the A/B comparison of before.
final class PoolingTests: XCTestCase {
    /// A synthetic boot of `pairs` null-call pairs: each pair's drift hits both
    /// sides alike; on/off is `ratio` times a per-pair scatter of ±3% (seeded).
    static func boot(ratio: Double, seed: UInt64, pairs: Int = 31, startDate: String) -> ABRunResult {
        var generator = SplitMix64(seed: seed)
        func uniform() -> Double { Double(generator.next() >> 11) / Double(1 << 53) }
        var off: [Double] = [], on: [Double] = []
        for _ in 0..<pairs {
            let drift = 1 + uniform()
            off.append(460 * drift)
            on.append(460 * drift * ratio * (0.97 + 0.06 * uniform()))
        }
        var ab = SwitchTests.abRun(offNs: off, onNs: on, ratio: ratio)
        ab.off.environment.startDate = startDate
        ab.on.environment.startDate = startDate
        return ab
    }

    static func nullCall(_ c: Comparison) throws -> Comparison.Row {
        try XCTUnwrap(c.compared.first { $0.metric.label == "null call" })
    }

    func width(_ i: (low: Double, high: Double)) -> Double { i.high - i.low }

    /// ThreeWayTests' fixtures and outputs (its recorded baseline, every format by file name).
    static var threeWayHelpers: ThreeWayTests { ThreeWayTests(name: "helpers", testClosure: { _ in }) }

    /// The recorded no-op A/B run, and a second boot made of it: another start
    /// time, its on side `onFactor` times slower.
    func recordedBoots(onFactor: Double = 1.1) throws -> (ABRunResult, ABRunResult) {
        guard case .ab(let ab) = try ResultsReader.jsonRun(path: "ab.json", bytes: try Fixtures.run("threeway/ab.json")) else {
            throw XCTSkip("ab.json is not an A/B run")
        }
        var second = ab
        second.off.environment.startDate = "Thu Dec  3 09:00:00 UTC 2026"
        second.on.environment.startDate = second.off.environment.startDate
        for o in second.on.outcomes.indices {
            for c in second.on.outcomes[o].cells.indices {
                for s in second.on.outcomes[o].cells[c].series.indices {
                    for k in second.on.outcomes[o].cells[c].series[s].samples.indices {
                        let sample = second.on.outcomes[o].cells[c].series[s].samples[k]
                        second.on.outcomes[o].cells[c].series[s].samples[k].elapsedNs = Int64((Double(sample.elapsedNs) * onFactor).rounded())
                    }
                }
            }
        }
        return (ab, second)
    }

    /// (a) One A/B run pooled alone: every format of `compare ab.json` byte for
    /// byte (Fixtures/golden/abrun.*, first recorded before pooling existed;
    /// LMBENCH_SWIFT_UPDATE_GOLDEN=1 rewrites them), and the three-way table as
    /// its golden files.
    func testOneABRunPooledAloneIsTheABComparison() throws {
        let (ab, _) = try recordedBoots()
        let pooled = Comparison(abRuns: [(ab, "ab.json")])
        let outputs = ComparisonFormat.allCases.map { format in
            ("abrun." + ["text": "txt", "markdown": "md", "csv": "csv", "json": "json", "latex": "tex"][format.rawValue]!, format.render(pooled))
        } + [("abrun.svg", ComparisonSVG.render(pooled))]
        let update = ProcessInfo.processInfo.environment["LMBENCH_SWIFT_UPDATE_GOLDEN"] == "1"
        for (name, text) in outputs {
            let url = ThreeWayTests.golden.appendingPathComponent(name)
            if update { try text.write(to: url, atomically: true, encoding: .utf8) }
            XCTAssertEqual(text, try String(contentsOf: url, encoding: .utf8), "\(name) differs from its golden file")
        }
        XCTAssertNil(pooled.poolingDescription)

        let synthetic = PoolingTests.boot(ratio: 13, seed: 7, startDate: "a")
        XCTAssertEqual(ComparisonFormat.json.render(Comparison(abRuns: [(synthetic, "s.json")], resamples: 300)),
                       ComparisonFormat.json.render(Comparison(ab: synthetic, source: "s.json", resamples: 300)))

        let three = PoolingTests.threeWayHelpers
        let t = ThreeWayComparison(baseline: try three.baseline(), abRuns: [(ab, "ab.json")])
        for (name, text) in three.outputs(t) {
            let expected = try String(contentsOf: ThreeWayTests.golden.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(text, expected, "\(name) differs from its golden file")
        }
    }

    /// (b) Two boots a constant factor apart (the second's on side 10% slower):
    /// the pooled interval is wider than either boot's own and holds both slowdowns.
    func testBootsThatDifferWidenThePooledInterval() throws {
        let first = PoolingTests.boot(ratio: 13, seed: 1, startDate: "Mon Nov 30 10:00:00 UTC 2026")
        let second = PoolingTests.boot(ratio: 13 * 1.1, seed: 2, startDate: "Tue Dec  1 10:00:00 UTC 2026")
        let one = try PoolingTests.nullCall(Comparison(ab: first, source: "one.json"))
        let two = try PoolingTests.nullCall(Comparison(ab: second, source: "two.json"))
        let pooled = Comparison(abRuns: [(first, "one.json"), (second, "two.json")])
        let row = try PoolingTests.nullCall(pooled)
        let (i1, i2, p) = (try XCTUnwrap(one.interval), try XCTUnwrap(two.interval), try XCTUnwrap(row.interval))
        let (s1, s2, s) = (try XCTUnwrap(one.slowdown), try XCTUnwrap(two.slowdown), try XCTUnwrap(row.slowdown))
        XCTAssertGreaterThan(s2 / s1, 1.05, "the boots differ: \(s1), \(s2)")
        XCTAssertLessThan(i1.high, i2.low, "each boot's own interval misses the other boot: \(i1), \(i2)")
        XCTAssertGreaterThan(width(p), width(i1), "pooled \(p), first \(i1)")
        XCTAssertGreaterThan(width(p), width(i2), "pooled \(p), second \(i2)")
        XCTAssertTrue(p.low <= s1 && s2 <= p.high, "pooled \(p) holds \(s1) and \(s2)")
        XCTAssertTrue(s1 < s && s < s2, "the pooled slowdown \(s) lies between the boots'")
        // The geometric means resample the same boots: their interval carries the spread too.
        let mean = try XCTUnwrap(pooled.overall?.interval)
        XCTAssertTrue(mean.low <= s1 && s2 <= mean.high, "\(mean)")
        XCTAssertEqual(row.baseline?.runs, 2)
        XCTAssertEqual(pooled.pairing, .pairs(31))
    }

    /// (c) Two boots of one distribution: the pooled interval stays about as
    /// narrow as one boot's (the boots agree), and holds the common slowdown.
    func testBootsThatAgreeKeepANarrowInterval() throws {
        let first = PoolingTests.boot(ratio: 13, seed: 3, startDate: "Mon Nov 30 10:00:00 UTC 2026")
        let second = PoolingTests.boot(ratio: 13, seed: 4, startDate: "Tue Dec  1 10:00:00 UTC 2026")
        let i1 = try XCTUnwrap(try PoolingTests.nullCall(Comparison(ab: first, source: "one.json")).interval)
        let i2 = try XCTUnwrap(try PoolingTests.nullCall(Comparison(ab: second, source: "two.json")).interval)
        let row = try PoolingTests.nullCall(Comparison(abRuns: [(first, "one.json"), (second, "two.json")]))
        let p = try XCTUnwrap(row.interval)
        XCTAssertLessThan(width(p), 1.5 * max(width(i1), width(i2)), "pooled \(p), boots \(i1), \(i2)")
        XCTAssertGreaterThan(width(p), 0.25 * min(width(i1), width(i2)), "pooled \(p), boots \(i1), \(i2)")
        XCTAssertTrue(p.low < 13 && 13 < p.high, "\(p)")
        XCTAssertEqual(row.significant, true)
    }

    /// Pooled, every format names each A/B run and says it pools them; a boot's
    /// own warning is named by its file; the three-way table pools the sides.
    func testPooledOutputsNameEveryBootAndItsWarnings() throws {
        let (ab, second) = try recordedBoots()
        let pooled = Comparison(abRuns: [(ab, "ab.json"), (second, "ab2.json")])
        let three = ThreeWayComparison(baseline: try PoolingTests.threeWayHelpers.baseline(), abRuns: [(ab, "ab.json"), (second, "ab2.json")])
        let outputs = ComparisonFormat.allCases.flatMap { [$0.render(pooled), $0.render(three)] }
            + [ComparisonSVG.render(pooled), ComparisonSVG.render(three)]
        for text in outputs {
            XCTAssertTrue(text.contains("ab.json") && text.contains("ab2.json"), text)
            XCTAssertTrue(text.contains("pooled over 2 A/B boots (pairs within each boot; the interval resamples boots, then within each)"), text)
            XCTAssertTrue(text.contains("ab2.json: THE SWITCH DID NOT TAKE EFFECT"), text)
        }
        XCTAssertTrue(ComparisonFormat.json.render(three).contains("\"ab_runs\": ["))
        XCTAssertFalse(ComparisonFormat.json.render(three).contains("\"ab_run\":"))
        // The off column is the median of the boots' off values; on/off moves by the second boot's 10%.
        let row = try XCTUnwrap(three.rows.first { $0.metric.label == "null call" })
        let onOff = try XCTUnwrap(row.ratio(.onOff).slowdown)
        XCTAssertGreaterThan(onOff, try XCTUnwrap(Comparison(ab: ab, source: "ab.json").compared.first { $0.metric.key == row.metric.key }?.slowdown))
        XCTAssertEqual(row.ratio(.offBaseline).candidate?.runs, 2)
        XCTAssertTrue(three.notes.contains { $0.contains("2 A/B boots' sides") })
    }

    /// What pooling cannot reconcile is warned: different switches, boots of different kernels, one boot given twice.
    func testMixedBootsAreWarned() throws {
        let (ab, second) = try recordedBoots(onFactor: 1)
        var other = PoolingTests.boot(ratio: 13, seed: 5, startDate: "Tue Dec  1 10:00:00 UTC 2026")
        other.off.environment.release = "6.2.0-other"
        other.on.environment.release = "6.2.0-other"
        let mixed = Comparison(abRuns: [(ab, "ab.json"), (other, "ftrace.json")], resamples: 200)
        XCTAssertTrue(mixed.warnings.contains { $0.hasPrefix("the A/B runs switch different things, pooled regardless: ab.json: commands") && $0.contains("ftrace.json: ") },
                      "\(mixed.warnings)")
        XCTAssertTrue(mixed.warnings.contains { $0.hasPrefix("the A/B runs differ in kernel release: ") }, "\(mixed.warnings)")
        // One boot given twice counts once (its pairs twice would hide the spread between boots).
        let twice = Comparison(abRuns: [(ab, "ab.json"), (ab, "copy.json")], resamples: 200)
        XCTAssertTrue(twice.warnings.contains("'copy.json' is the same A/B run as 'ab.json' (host and start time): counted once"),
                      "\(twice.warnings)")
        XCTAssertEqual(twice.abSources, ["ab.json"])
        let once = Comparison(ab: ab, source: "ab.json", resamples: 200)
        XCTAssertEqual(twice.compared.map(\.interval?.low), once.compared.map(\.interval?.low))
        let three = ThreeWayComparison(baseline: try PoolingTests.threeWayHelpers.baseline(), abRuns: [(ab, "ab.json"), (ab, "copy.json")],
                                       resamples: 200)
        XCTAssertEqual(three.abSources, ["ab.json"])
        XCTAssertTrue(three.warnings.contains { $0.contains("counted once") }, "\(three.warnings)")
        let distinct = Comparison(abRuns: [(ab, "ab.json"), (second, "ab2.json")], resamples: 200)
        XCTAssertFalse(distinct.warnings.contains { $0.contains("same A/B run") || $0.contains("differ in") || $0.contains("different things") }, "\(distinct.warnings)")
    }
}
