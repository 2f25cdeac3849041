import CShims
import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// A switch driver for tests: it only remembers what it was set to, and can be
/// told to fail from its n-th flip on.
final class RecordingDriver: SwitchDriver {
    var states: [SwitchState] = []
    var failFrom: Int?
    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String) { (.off, "test") }
    func set(_ state: SwitchState) throws {
        if let failFrom, states.count >= failFrom { throw BenchError("refused") }
        states.append(state)
    }
    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws {}
}

/// Interleaving within a benchmark: the order of the two sides (ABBA), the
/// sampler's pairs, and what a failing flip leaves.
final class InterleavingTests: XCTestCase {
    func testSlotsAlternateInABBAOrder() {
        let interleaver = Interleaver(driver: RecordingDriver(), start: .on)
        let sides = (0..<8).map { interleaver.side(ofSlot: $0) }
        XCTAssertEqual(sides, [.on, .off, .off, .on, .on, .off, .off, .on])
        // Every pair (slots 2k, 2k+1) has both sides; the side recorded first alternates.
        for k in 0..<4 {
            XCTAssertNotEqual(sides[2 * k], sides[2 * k + 1])
            XCTAssertEqual(sides[2 * k], k % 2 == 0 ? .on : .off)
        }
    }

    /// Each slot records one interval of every subject on its side, flipping
    /// only between slots of different sides; both sides end with the same
    /// count (pair k is the k-th interval of each), and the switch ends where it began.
    func testTheSamplerRecordsPairsAndEndsWhereItBegan() throws {
        for repetitions in [1, 4, 5] {
            let driver = RecordingDriver()
            let interleaver = Interleaver(driver: driver, start: .off)
            let sampler = Sampler(targetNs: 200_000, repetitions: repetitions)
            var order: [(Int, SwitchState?)] = []
            let samples = try sampler.sample([
                .init(name: "a", loop: TimedLoop(cshims_loop_getppid)),
                .init(name: "b", loop: TimedLoop(cshims_loop_empty)),
            ], interleaver: interleaver) { i, sample in order.append((i, sample.side)) }
            for subject in samples {
                XCTAssertEqual(subject.filter { $0.side == .off }.count, repetitions)
                XCTAssertEqual(subject.filter { $0.side == .on }.count, repetitions)
            }
            // Recorded in slot order: a then b on each slot's side.
            let expected = (0..<(2 * repetitions)).flatMap { slot in [0, 1].map { ($0, interleaver.side(ofSlot: slot)) } }
            XCTAssertEqual(order.map(\.0), expected.map(\.0))
            XCTAssertEqual(order.map(\.1), expected.map(\.1))
            XCTAssertEqual(interleaver.state, .off, "back in the start state")
            // Ramp-up on the other side, back, then a flip before every odd slot, and back at the end if needed.
            let flips = 2 + repetitions + (repetitions % 2 == 1 ? 1 : 0)
            XCTAssertEqual(interleaver.flips, flips, "repetitions \(repetitions)")
            XCTAssertEqual(driver.states.count, flips)
            XCTAssertEqual(zip(driver.states, driver.states.dropFirst()).filter { $0 == $1 }.count, 0, "every set is a change")
        }
    }

    /// A flip that fails stops the sampling with a SwitchFailure, and every
    /// later flip fails too, so a benchmark that catches the error and goes on
    /// with its other cells still reports the failure.
    func testAFailingFlipIsRememberedAndRethrown() throws {
        let driver = RecordingDriver()
        driver.failFrom = 3
        let interleaver = Interleaver(driver: driver, start: .off)
        let sampler = Sampler(targetNs: 100_000, repetitions: 5)
        XCTAssertThrowsError(try sampler.sample([.init(name: "a", loop: TimedLoop(cshims_loop_getppid))], interleaver: interleaver)) {
            XCTAssertTrue($0 is SwitchFailure, "\($0)")
        }
        XCTAssertNotNil(interleaver.failure)
        XCTAssertThrowsError(try interleaver.set(interleaver.state.other))
    }

    /// The guarded hypercall returns from a machine with no hypervisor to take
    /// it (SIGILL on bare metal and under TCG, SIGSEGV where KVM answers with
    /// #GP) instead of dying, and puts the caller's handlers back.
    func testTheHypercallReportsAFaultAndKeepsTheCallersHandlers() throws {
        var before = sigaction()
        sigaction(SIGSEGV, nil, &before)
        var rax = 0
        var signal: Int32 = 0
        XCTAssertEqual(cshims_kssb_hypercall(CSHIMS_KSSB_DISABLE, &rax, &signal), 0)
        // No machine this runs on takes Ozz's hypercall from user mode.
        XCTAssertTrue(signal == SIGILL || signal == SIGSEGV || rax != 0, "signal \(signal), RAX \(rax)")
        var after = sigaction()
        sigaction(SIGSEGV, nil, &after)
        XCTAssertEqual(unsafeBitCast(after.__sigaction_handler.sa_handler, to: Int.self),
                       unsafeBitCast(before.__sigaction_handler.sa_handler, to: Int.self))
    }
}

/// The paired slowdown of an A/B cell: its value, and an interval from a
/// moving-block bootstrap over the pairs.
final class PairedSlowdownTests: XCTestCase {
    /// One cell's two sides, `off[k]` and `on[k]` the k-th pair (ns per operation), all in one round.
    static func pair(off: [Double], on: [Double], round: (Int) -> Int = { _ in 0 }) -> CellPair {
        func cell(_ values: [Double]) -> Cell {
            Cell(id: "null-call", unit: .microseconds, estimate: .microseconds(), series: [
                Series(name: "main", samples: values.enumerated().map { k, ns in
                    Sample(elapsedNs: Int64(ns * 10_000), iterations: 10_000, round: round(k))
                }),
            ])
        }
        return CellPair(off: cell(off), on: cell(on))
    }

    /// A drift that hits both intervals of a pair alike (the host's slow phases,
    /// seconds long, against pairs milliseconds apart) cancels: the interval is
    /// tight around the true slowdown.
    func testDriftSharedWithinPairsCancels() throws {
        var generator = SplitMix64(seed: 3)
        let drift = (0..<200).map { k in (k / 40) % 2 == 0 ? 1.0 : 2.0 }  // slow phases of 40 pairs
        let noise = { (g: inout SplitMix64) in 1 + Double(g.next() % 1000) / 100_000 }  // ±0.5%
        let off = drift.map { 1000 * $0 * noise(&generator) }
        let on = drift.map { 2760 * $0 * noise(&generator) }
        let paired = PairedSlowdownTests.pair(off: off, on: on)
        XCTAssertEqual(paired.pairs, 200)
        let interval = try XCTUnwrap(paired.interval())
        XCTAssertTrue(interval.low <= 2.76 && 2.76 <= interval.high, "\(interval)")
        XCTAssertLessThan((interval.high - interval.low) / 2 / 2.76, 0.01, "\(interval)")
        XCTAssertEqual(paired.slowdown, 2.76, accuracy: 0.03)
    }

    /// A/A: both sides from one distribution: the interval holds 1, and it is
    /// no narrower than the spread of the data allows.
    func testAnAARunHoldsOne() throws {
        var generator = SplitMix64(seed: 11)
        var held = 0
        for trial in 0..<40 {
            let values = (0..<120).map { _ in 1000 + Double(generator.next() % 200) }
            let paired = PairedSlowdownTests.pair(off: Array(values[0..<60]), on: Array(values[60..<120]))
            XCTAssertEqual(paired.pairs, 60, "trial \(trial)")
            let interval = try XCTUnwrap(paired.interval(resamples: 400))
            if interval.low <= 1 && 1 <= interval.high { held += 1 }
        }
        XCTAssertGreaterThanOrEqual(held, 34, "a 95% interval should hold 1 in about 38 of 40 trials")
    }

    /// Pairs match by round and slot: an extra interval on one side is no pair,
    /// and pairs from different rounds stay apart.
    func testPairsMatchByRoundAndSlot() {
        let paired = PairedSlowdownTests.pair(off: [1000, 1000, 1000, 1000], on: [2000, 2000, 2000], round: { $0 / 2 })
        XCTAssertEqual(paired.pairs, 3, "round 0 slots 0 and 1, round 1 slot 0")
        XCTAssertNil(PairedSlowdownTests.pair(off: [1000, 1000], on: [2000, 2000]).interval(), "two pairs: no interval")
    }

    /// A difference whose off side can be zero within its noise (a protection
    /// fault minus the signal it raises) has no interval rather than a wild one.
    func testADifferenceNearZeroHasNoInterval() {
        let off = Cell(id: "sig-catch", unit: .microseconds,
                       estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                       series: [SampleRun.series("send", [1000, 1010, 990, 1005, 995]),
                                SampleRun.series("catch", [1001, 1000, 1012, 990, 1003])])
        var on = off
        on.series[1] = SampleRun.series("catch", [3000, 3010, 2990, 3005, 2995])
        XCTAssertNil(CellPair(off: off, on: on).interval(resamples: 200))
    }

    func testBlockLengthsAndDraws() {
        XCTAssertEqual(BlockBootstrap.blockLength(1), 1)
        XCTAssertEqual(BlockBootstrap.blockLength(8), 2)
        XCTAssertEqual(BlockBootstrap.blockLength(200), 6)
        var generator = SplitMix64(seed: 5)
        let drawn = BlockBootstrap.draw(20, length: 6, &generator)
        XCTAssertEqual(drawn.count, 20)
        // Runs of consecutive indices, each starting where a block may start.
        var runs = 0
        for (i, index) in drawn.enumerated() where i % 6 == 0 {
            XCTAssertLessThanOrEqual(index, 14)
            runs += 1
        }
        XCTAssertEqual(runs, 4)
        for i in drawn.indices where i % 6 != 0 { XCTAssertEqual(drawn[i], drawn[i - 1] + 1) }
    }
}
