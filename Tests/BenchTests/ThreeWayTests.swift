import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// The three-way table (baseline, off, on) from recorded runs: a baseline run
/// and a no-op A/B run (`--switch command:true:true`) of null-call and stat,
/// recorded with the real binary (Fixtures/runs/threeway). Every format is
/// checked byte for byte against Fixtures/golden; LMBENCH_SWIFT_UPDATE_GOLDEN=1
/// rewrites them (then read the diff).
final class ThreeWayTests: XCTestCase {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden")

    func baseline() throws -> [MeasuredRun] {
        guard case .run(let run) = try ResultsReader.jsonRun(path: "base.json", bytes: try Fixtures.run("threeway/base.json")) else {
            throw XCTSkip("base.json is not a plain run")
        }
        return [MeasuredRun.fromJSON(run, source: "base.json")]
    }

    func abRun() throws -> ABRunResult {
        guard case .ab(let ab) = try ResultsReader.jsonRun(path: "ab.json", bytes: try Fixtures.run("threeway/ab.json")) else {
            throw XCTSkip("ab.json is not an A/B run")
        }
        return ab
    }

    func threeWay(margin: Double = Comparison.defaultNoiseMargin) throws -> ThreeWayComparison {
        ThreeWayComparison(baseline: try baseline(), ab: try abRun(), source: "ab.json", noiseMargin: margin)
    }

    /// Every output of a three-way table, by file name.
    func outputs(_ t: ThreeWayComparison) -> [(String, String)] {
        ComparisonFormat.allCases.map { format in
            let ext = ["text": "txt", "markdown": "md", "csv": "csv", "json": "json", "latex": "tex"][format.rawValue]!
            return ("threeway.\(ext)", format.render(t, caption: format == .latex ? "Overhead of a no-op switch" : nil,
                                                   label: format == .latex ? "tab:noop" : nil))
        } + [("threeway.svg", ComparisonSVG.render(t))]
    }

    func testEveryFormatIsItsGoldenFile() throws {
        let update = ProcessInfo.processInfo.environment["LMBENCH_SWIFT_UPDATE_GOLDEN"] == "1"
        for (name, text) in outputs(try threeWay()) {
            let url = Self.golden.appendingPathComponent(name)
            if update { try text.write(to: url, atomically: true, encoding: .utf8) }
            let expected = try String(contentsOf: url, encoding: .utf8)
            XCTAssertEqual(text, expected, "\(name) differs from its golden file")
        }
    }

    func testThreeWayRowsAndPairing() throws {
        let t = try threeWay()
        XCTAssertEqual(t.rows.map(\.metric.label), ["null call", "stat"])
        let ab = Comparison(ab: try abRun(), source: "ab.json")
        for row in t.rows {
            // on/off is the A/B run's own paired slowdown.
            let paired = ab.compared.first { $0.metric.key == row.metric.key }!
            XCTAssertEqual(row.ratio(.onOff).slowdown, paired.slowdown)
            XCTAssertEqual(row.ratio(.onOff).interval?.low, paired.interval?.low)
            XCTAssertEqual(row.off, paired.baseline?.value)
        }
        XCTAssertNotNil(t.onOff.overall?.interval)
        XCTAssertTrue(t.notes.contains { $0.contains("unpaired, across runs") })
    }

    func testANoOpSwitchIsWarnedInEveryFormat() throws {
        for (name, text) in outputs(try threeWay()) {
            XCTAssertTrue(text.contains("THE SWITCH DID NOT TAKE EFFECT"), name)
        }
        let ab = Comparison(ab: try abRun(), source: "ab.json")
        for format in ComparisonFormat.allCases {
            XCTAssertTrue(format.render(ab).contains("THE SWITCH DID NOT TAKE EFFECT"), format.rawValue)
        }
        XCTAssertTrue(ComparisonSVG.render(ab).contains("THE SWITCH DID NOT TAKE EFFECT"))
    }

    /// LMBench's results file against our run: the tools differ, in every format.
    func testAMixOfToolsIsWarnedInEveryFormat() throws {
        let lmbench = try MeasuredRun.load([Fixtures.directory.appendingPathComponent("results/x86_64-linux-gnu/vm.0").path])
        let c = Comparison(baseline: lmbench, candidate: try baseline(), resamples: 200)
        let outputs = ComparisonFormat.allCases.map { $0.render(c) } + [ComparisonSVG.render(c)]
        for text in outputs {
            XCTAssertTrue(text.contains("differ in tool: LMBench (baseline) vs lmbench-swift (candidate)"), text)
        }
    }

    func testNoiseMarginDecidesSignificance() throws {
        let t = try threeWay()
        // Every ratio whose interval excludes 1 (the no-op switch's on/off of stat, 1.017 [1.003, 1.036]):
        // not significant at 10%, significant with a margin below its distance from 1, not above it.
        var checked = 0
        for r in t.rows {
            for k in ThreeWayComparison.Ratio.allCases {
                guard let i = r.ratio(k).interval, i.low > 1 || i.high < 1 else { continue }
                let d = i.low > 1 ? i.low - 1 : 1 / i.high - 1
                XCTAssertEqual(r.ratio(k).significant, d > 0.1, "\(r.metric.label) \(k.rawValue)")
                let narrow = try threeWay(margin: d / 2), wide = try threeWay(margin: d * 1.5)
                XCTAssertEqual(narrow.rows.first { $0.metric.key == r.metric.key }?.ratio(k).significant, true)
                XCTAssertEqual(wide.rows.first { $0.metric.key == r.metric.key }?.ratio(k).significant, false)
                // The text marks it (~) only where it is not significant.
                let mark = ComparisonRendering.factor(r.ratio(k).slowdown) + "~"
                XCTAssertTrue(ComparisonFormat.text.render(wide).contains(mark))
                XCTAssertFalse(ComparisonFormat.text.render(narrow).split(separator: "\n")
                    .first { $0.hasPrefix(r.metric.label) }!.contains(mark))
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
        // Recorded in every output.
        let five = try threeWay(margin: 0.05)
        for (name, text) in outputs(five) {
            XCTAssertTrue(text.contains("5%") || text.contains("\"noise_margin\": 0.05"), name)
            XCTAssertFalse(text.contains("10%"), name)
        }
    }
}
