import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// What the bootstraps keep together: the terms of a difference sampled in turn,
/// the two sides of an A/B round, and whole runs for a table's geometric mean.
final class PairingTests: XCTestCase {
    /// A disturbance that hits each catch interval and the send interval taken
    /// next to it alike cancels in the difference, so resampling them as pairs
    /// gives a tight interval (independent resampling would not).
    func testTermsSampledInTurnAreResampledAsPairs() throws {
        let drift: [Double] = [0, 1800, 300, 2000, 50, 1200, 700, 1500, 100, 900, 1600]
        let cell = Cell(id: "sig-catch", unit: .microseconds,
                        estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                        series: [SampleRun.series("send", drift.map { 500 + $0 }), SampleRun.series("catch", drift.map { 3000 + $0 })])
        XCTAssertEqual(cell.blocks.count, drift.count, "one block per interval pair")
        XCTAssertEqual(cell.value, 2.5, accuracy: 1e-9)
        let interval = try XCTUnwrap(cell.statistics.interval)
        XCTAssertEqual(interval.low, 2.5, accuracy: 1e-6)
        XCTAssertEqual(interval.high, 2.5, accuracy: 1e-6)
        let independent = try XCTUnwrap(Bootstrap.interval(groups: cell.termGroups, seed: 1) { cell.estimate.evaluate($0) })
        XCTAssertGreaterThan(independent.high - independent.low, 0.5, "resampled on their own, the drift does not cancel")
    }

    /// Blocks follow the rounds and, within a round, the slot: the n-th interval
    /// of each term (a ring's overhead, sampled with every ring size, has several).
    func testBlocksFollowRoundsAndSlots() {
        func series(_ name: String, _ rounds: [Int]) -> Series {
            Series(name: name, samples: rounds.map { Sample(elapsedNs: 1_000_000, iterations: 1000, round: $0) })
        }
        let cell = Cell(id: "ctx-0k/2", unit: .microseconds,
                        estimate: Estimate(terms: [.init("ring"), .init("overhead", -1, .minimum)], form: .linear(scale: 0.001)),
                        series: [series("ring", [0, 1, 2]), series("overhead", [0, 0, 0, 1, 1, 1, 2, 2, 2])])
        let blocks = cell.blocks
        XCTAssertEqual(blocks.map(\.round), [0, 1, 2])
        XCTAssertEqual(blocks.map { $0.values.map(\.count) }, [[1, 3], [1, 3], [1, 3]])
    }

    /// One round's drift hits both sides of the A/B pair: resampling rounds keeps
    /// the pairs, and the slowdown's interval is far tighter than when each side
    /// is resampled on its own (as two separate runs would be).
    func testPairedRoundsAreTighterThanSeparateRuns() throws {
        let drift: [Double] = [1.0, 1.6, 1.1, 1.9, 1.3, 1.0, 1.7, 1.2, 1.5, 1.05, 1.8]
        let ab = SwitchTests.abRun(offNs: drift.map { 460 * $0 }, onNs: drift.map { 460 * 13 * $0 })
        let paired = Comparison(ab: ab, source: "ab.json", resamples: 500)
        let row = try XCTUnwrap(paired.compared.first { $0.metric.label == "null call" })
        XCTAssertEqual(try XCTUnwrap(row.slowdown), 13, accuracy: 1e-6)
        let p = try XCTUnwrap(row.interval)
        XCTAssertEqual(paired.pairing, .pairs(drift.count))
        XCTAssertEqual(row.significant, true)

        let separate = Comparison(baseline: [MeasuredRun.fromJSON(ab.off, source: "off")],
                                  candidate: [MeasuredRun.fromJSON(ab.on, source: "on")], resamples: 500)
        let s = try XCTUnwrap(separate.compared.first { $0.metric.label == "null call" }?.interval)
        XCTAssertLessThan(p.high - p.low, (s.high - s.low) / 2, "paired \(p), separate \(s)")
        XCTAssertEqual(paired.sideNames.candidate, "on")
        XCTAssertTrue(ComparisonFormat.text.render(paired).contains("slowdown = on / off"))
    }

    /// A benchmark measured in the first round only (the file system's) is paired
    /// by its intervals' slots: it keeps its interval, and so does its table's mean.
    func testACellOfOneRoundKeepsItsIntervalInAnABRun() throws {
        let drift: [Double] = [1.0, 1.6, 1.1, 1.9, 1.3, 1.0, 1.7, 1.2, 1.5, 1.05, 1.8]
        var ab = SwitchTests.abRun(offNs: drift.map { 460 * $0 }, onNs: drift.map { 460 * 13 * $0 })
        func firstRoundOnly(_ ns: [Double]) -> BenchmarkOutcome {
            let series = Series(name: "main", samples: ns.map { Sample(elapsedNs: Int64($0 * 1000), iterations: 1000, round: 0) })
            return BenchmarkOutcome(id: "stat", cells: [Cell(id: "stat", unit: .microseconds, estimate: .microseconds(), series: [series])])
        }
        ab.off.outcomes.append(firstRoundOnly([1000, 1040, 980, 1010, 1090]))
        ab.on.outcomes.append(firstRoundOnly([5000, 5300, 4900, 5100, 5200]))
        let c = Comparison(ab: ab, source: "ab.json", resamples: 500)
        let stat = try XCTUnwrap(c.compared.first { $0.metric.label == "stat" })
        let interval = try XCTUnwrap(stat.interval, "\(stat.flags)")
        let slowdown = try XCTUnwrap(stat.slowdown)
        XCTAssertEqual(slowdown, 5, accuracy: 1e-9, "the median of the pairs' ratios 5, 5.10, 5, 5.05, 4.77")
        XCTAssertTrue(interval.low <= slowdown && slowdown <= interval.high, "\(interval)")
        XCTAssertEqual(stat.significant, true)
        XCTAssertNotNil(c.tables.first { $0.table == .processor }?.interval)
    }

    /// A/A with a switch that does nothing: noise only, nothing significant.
    func testPairedAAFlagsNothing() throws {
        let off: [Double] = [460, 520, 455, 700, 470, 480, 610, 450, 465, 530, 490]
        let on: [Double] = [470, 500, 465, 660, 455, 500, 640, 445, 475, 510, 480]
        let c = Comparison(ab: SwitchTests.abRun(offNs: off, onNs: on, ratio: 1.02), source: "aa.json", resamples: 500)
        let row = try XCTUnwrap(c.compared.first)
        XCTAssertNotEqual(row.significant, true, "\(String(describing: row.interval))")
        XCTAssertTrue(c.warnings.first?.hasPrefix("THE SWITCH DID NOT TAKE EFFECT") ?? false, "\(c.warnings)")
    }

    /// Two runs per side, each run shifting every cell alike (a boot's speed):
    /// the geometric mean's interval resamples whole runs, so it is as wide as a
    /// cell's, not narrowed as if the cells varied independently.
    func testGeometricMeanResamplesWholeRuns() throws {
        func run(_ scale: Double, _ source: String) -> MeasuredRun {
            var result = SampleRun.make()
            result.outcomes = ["null-call", "stat", "open-close", "sig-install", "fork"].map { id in
                BenchmarkOutcome(id: id, cells: [Cell(id: id, unit: .microseconds, estimate: .microseconds(),
                                                       series: [SampleRun.series("main", [1000 * scale, 1001 * scale, 999 * scale])])])
            }
            return MeasuredRun.fromJSON(result, source: source)
        }
        let c = Comparison(baseline: [run(1, "b1"), run(1.3, "b2")], candidate: [run(1, "c1"), run(1.3, "c2")], resamples: 500)
        let widths = c.compared.filter { $0.metric.table == .processor }.compactMap { $0.interval.map { $0.high - $0.low } }
        XCTAssertEqual(widths.count, 5)
        let table = try XCTUnwrap(c.tables.first { $0.table == .processor }?.interval)
        XCTAssertGreaterThan(table.high - table.low, 0.8 * Statistics(widths).median, "\(table) against cells \(widths)")
    }

    /// An interleaved A/B run whose ratio moves from round to round (by up to
    /// 8%, drifting) while the pairs of a round agree to within 1%: the
    /// interval resamples rounds, so it is wider than a bootstrap of the same
    /// pairs as if they were one visit (what the interval was before: 384 pairs
    /// in blocks of seven), spans that one, and covers the rounds' centre. A
    /// cell of one round (the file system's) keeps that pair-level interval.
    func testTheIntervalResamplesRoundsWhenTheRatioMovesBetweenThem() throws {
        let roundFactors = [0.92, 0.95, 1.06, 1.08, 0.97, 0.94, 1.05, 1.02]
        var generator = SplitMix64(seed: 42)
        func noise() -> Double { 1 + (Double(generator.next() % 2001) / 1000 - 1) * 0.01 }
        var offNs: [[Double]] = [], onNs: [[Double]] = []
        for factor in roundFactors {
            offNs.append((0..<48).map { _ in 460 * noise() })
            onNs.append(offNs.last!.map { $0 * 3 * factor * noise() })
        }
        func side(_ values: [[Double]]) -> Cell {
            let samples = values.enumerated().flatMap { round, ns in
                ns.map { Sample(elapsedNs: Int64($0 * 10_000), iterations: 10_000, round: round) }
            }
            return Cell(id: "null-call", unit: .microseconds, estimate: .microseconds(), series: [Series(name: "main", samples: samples)])
        }
        let pair = CellPair(off: side(offNs), on: side(onNs))
        XCTAssertEqual(pair.rounds, 8)
        XCTAssertEqual(pair.pairs, 384)
        let interval = try XCTUnwrap(pair.interval(resamples: 1000))
        let centre = 3 * Statistics(roundFactors).median
        XCTAssertTrue(interval.low < centre && centre < interval.high, "\(interval) around \(centre)")

        let oneRound = CellPair(off: side([Array(offNs.joined())]), on: side([Array(onNs.joined())]))
        XCTAssertEqual(oneRound.rounds, 1)
        let pairLevel = try XCTUnwrap(oneRound.interval(resamples: 1000), "a cell of one round keeps a pair-level interval")
        XCTAssertGreaterThan(interval.high - interval.low, 1.2 * (pairLevel.high - pairLevel.low), "rounds \(interval), pairs \(pairLevel)")
        // The interval spans the pairs' bootstrap too (from a few rounds, a draw of rounds is too coarse).
        XCTAssertEqual(pair.draws, [.rounds, .pairs])
        XCTAssertTrue(interval.low <= pairLevel.low && pairLevel.high <= interval.high, "\(interval) spans \(pairLevel)")
    }

    /// A cell paired in rounds whose on/off ratio is `slowdown` times each round's factor.
    static func roundPair(_ id: String, slowdown: Double, factors: [Double], pairsPerRound: Int, seed: UInt64) -> CellPair {
        var generator = SplitMix64(seed: seed)
        func noise() -> Double { 1 + (Double(generator.next() % 2001) / 1000 - 1) * 0.02 }
        func side(_ values: [[Double]]) -> Cell {
            let samples = values.enumerated().flatMap { round, ns in
                ns.map { Sample(elapsedNs: Int64($0 * 10_000), iterations: 10_000, round: round) }
            }
            return Cell(id: id, unit: .microseconds, estimate: .microseconds(), series: [Series(name: "main", samples: samples)])
        }
        let off = factors.map { _ in (0..<pairsPerRound).map { _ in 460 * noise() } }
        let on = zip(off, factors).map { values, factor in values.map { $0 * slowdown * factor * noise() } }
        return CellPair(off: side(off), on: side(on))
    }

    /// Crosscheck's ratio of two tools' slowdowns, measured in the same rounds:
    /// when a round moves both tools' ratios alike (the host's state at that
    /// visit), the draws that keep rounds matched cancel it, so the interval is
    /// far tighter than dividing independent draws of each tool's pairs (what
    /// it was) and still covers the true ratio; when each tool's rounds move on
    /// their own, nothing cancels and the interval is wide and covers it.
    func testTheSlowdownRatioKeepsTheRoundsBothToolsMeasuredMatched() throws {
        let shared = [0.90, 1.08, 0.95, 1.10, 0.93, 1.04, 0.97]
        let ours = PairingTests.roundPair("null-call", slowdown: 3, factors: shared, pairsPerRound: 11, seed: 1)
        let lmbench = PairingTests.roundPair("null-call", slowdown: 2.5, factors: shared, pairsPerRound: 4, seed: 2)
        let matched = try XCTUnwrap(CellPair.slowdownRatioInterval(ours, over: lmbench, resamples: 1000))
        XCTAssertTrue(matched.low < 1.2 && 1.2 < matched.high, "\(matched) around 1.2")
        let x = try XCTUnwrap(ours.slowdownReplicates(.pairs, resamples: 1000))
        let y = try XCTUnwrap(lmbench.slowdownReplicates(.pairs, resamples: 1000))
        let independent = try XCTUnwrap(Bootstrap.percentileInterval(zip(x, y).map { $0 / $1 }))
        XCTAssertLessThan(matched.high - matched.low, (independent.high - independent.low) / 2, "matched \(matched), independent \(independent)")

        let own = PairingTests.roundPair("null-call", slowdown: 2.5, factors: [1.06, 0.92, 1.09, 0.94, 1.03, 0.90, 1.07],
                                         pairsPerRound: 4, seed: 3)
        let apart = try XCTUnwrap(CellPair.slowdownRatioInterval(ours, over: own, resamples: 1000))
        XCTAssertTrue(apart.low < 1.2 && 1.2 < apart.high, "\(apart) around 1.2")
        XCTAssertGreaterThan(apart.high - apart.low, 2 * (matched.high - matched.low), "apart \(apart), matched \(matched)")
    }

    /// The live precision's draws (kept buffers, no pooling) are the general
    /// replicate's, draw for draw: rounds and pairs alike, a time and a rate.
    func testTheQuickDrawsAreTheReplicatesDrawForDraw() throws {
        let pair = PairingTests.roundPair("null-call", slowdown: 3, factors: [0.90, 1.08, 0.95, 1.10, 0.93, 1.04, 0.97],
                                          pairsPerRound: 9, seed: 5)
        XCTAssertTrue(pair.isPaired)
        for draw in [CellPair.Draw.rounds, .pairs] {
            let quick = try XCTUnwrap(pair.slowdownReplicates(draw, resamples: 300))
            var generator = SplitMix64(seed: SplitMix64.seed(pair.off.id + draw.seed))
            let general = (0..<300).map { _ in
                CellPair.slowdown(ratio: pair.replicate(&generator, ratios: pair.pairRatios, withOffValue: false, draw: draw).ratio,
                                  prefersSmaller: true)
            }
            XCTAssertEqual(quick, general, "\(draw)")
        }
    }

    /// A difference of two times within its noise of zero in over a tenth of its
    /// pairs (the protection fault with the switch off) has no per-pair ratio:
    /// its slowdown is the quotient of the sides' values, with an interval from
    /// the same draws of rounds while both stay positive, and the table says so.
    func testADifferenceNearZeroGetsTheSidesRatioWithAnInterval() throws {
        var generator = SplitMix64(seed: 7)
        func jitter(_ spread: Double) -> Double { (Double(generator.next() % 2001) / 1000 - 1) * spread }
        func side(_ difference: Double) -> BenchmarkOutcome {
            var prot: [Sample] = [], catchSamples: [Sample] = []
            for round in 0..<8 {
                for _ in 0..<12 {
                    let signal = 90_000 + jitter(9_000)
                    catchSamples.append(Sample(elapsedNs: Int64(signal * 100), iterations: 100, round: round))
                    prot.append(Sample(elapsedNs: Int64((signal + difference + jitter(30_000)) * 100), iterations: 100, round: round))
                }
            }
            let estimate = Estimate(terms: [.init("prot"), .init("catch", -1)], form: .linear(scale: 0.001))
            return BenchmarkOutcome(id: "prot-fault", cells: [Cell(id: "prot-fault", unit: .microseconds, estimate: estimate, series: [
                Series(name: "prot", samples: prot), Series(name: "catch", samples: catchSamples),
            ])])
        }
        var ab = SwitchTests.abRun(offNs: [450, 460, 470, 455, 465], onNs: [5900, 6000, 6100, 5950, 6050])
        ab.off.outcomes.append(side(20_000))
        ab.on.outcomes.append(side(60_000))
        let pair = CellPair(off: try XCTUnwrap(ab.off.cell("prot-fault")), on: try XCTUnwrap(ab.on.cell("prot-fault")))
        XCTAssertFalse(pair.isPaired, "over a tenth of the off side's pairs come out at or below zero")
        let c = Comparison(ab: ab, source: "ab.json", resamples: 500)
        let row = try XCTUnwrap(c.compared.first { $0.metric.label == "Prot Fault" })
        let interval = try XCTUnwrap(row.interval, "\(row.flags)")
        let slowdown = try XCTUnwrap(row.slowdown)
        XCTAssertTrue(interval.low < slowdown && slowdown < interval.high && interval.low > 1.5 && interval.high < 6, "\(slowdown) \(interval)")
        XCTAssertTrue(row.flags.contains(.sidesRatio), "\(row.flags)")
    }

    func testSVGTicksAreRoundFactors() {
        XCTAssertEqual(ComparisonSVG.roundFactors(from: 0.6, to: 38), [0.5, 1, 2, 5, 10, 20, 50])
        XCTAssertEqual(ComparisonSVG.roundFactors(from: 0.316, to: 1.58), [0.2, 0.5, 1, 2])
        XCTAssertEqual(ComparisonSVG.roundFactors(from: 1, to: 1), [1])
        let ab = SwitchTests.abRun(offNs: [450, 460, 470, 455], onNs: [5900, 6000, 6100, 5950])
        let svg = ComparisonSVG.render(Comparison(ab: ab, source: "ab.json", resamples: 100))
        let labels = svg.split(separator: "\n").filter { $0.contains("font-size=\"10\"") }.map { line -> String in
            String(line.split(separator: ">")[1].split(separator: "<")[0])
        }
        XCTAssertEqual(labels, ["1", "2", "5", "10", "20"])
    }
}
