import CShims
import XCTest
@testable import BenchCore
@testable import BenchEngine

/// A clock for the sampler that answers from a script instead of timing: each
/// timed region of `n` iterations lasts `n × perIterationNs(call, side)`, and
/// every region is remembered, so the sampler's decisions (ramp-up, what it
/// records, rescaling, the order of an interleaved pass) are checked exactly.
final class ScriptedClock {
    struct Region: Equatable {
        let iterations: UInt64
        let side: SwitchState?
    }

    private(set) var regions: [Region] = []
    var perIterationNs: (_ call: Int, _ side: SwitchState?) -> Double
    /// The interleaver whose switch state a region runs in (nil: a plain run).
    var interleaver: Interleaver?

    init(perIterationNs: @escaping (_ call: Int, _ side: SwitchState?) -> Double) {
        self.perIterationNs = perIterationNs
    }

    func sampler(targetNs: Double, repetitions: Int) -> Sampler {
        var sampler = Sampler(targetNs: targetNs, repetitions: repetitions)
        sampler.timer = { [self] _, n in
            let side = interleaver?.state
            let elapsed = Double(n) * perIterationNs(regions.count, side)
            regions.append(Region(iterations: n, side: side))
            return (0, Int64(elapsed))
        }
        return sampler
    }
}

final class ScriptedSamplerTests: XCTestCase {
    let subject = Sampler.Subject(name: "scripted", loop: TimedLoop(cshims_loop_empty))

    /// 100 ns an iteration, 1 ms intervals: the count grows eightfold while an
    /// interval is under 1/32 of the target, then aims at 1.1 × target; the first
    /// interval long enough is a warm-up, and the next five are recorded as they are.
    func testRampUpDiscardsTheWarmUpAndRecordsTheRest() throws {
        let clock = ScriptedClock { _, _ in 100 }
        let samples = try clock.sampler(targetNs: 1_000_000, repetitions: 5).sample([subject])
        XCTAssertEqual(clock.regions.map(\.iterations), [1, 8, 64, 512, 11_001] + Array(repeating: 11_001, count: 5))
        XCTAssertEqual(samples[0].map(\.iterations), Array(repeating: 11_001, count: 5))
        XCTAssertEqual(samples[0].map(\.elapsedNs), Array(repeating: 1_100_100, count: 5))
    }

    /// An interval that comes out short (the loop ran twice as fast for it) is
    /// not recorded and the count is rescaled; one that comes out long (the host
    /// slowed the vCPU) is recorded, then the count is rescaled back to the target.
    func testShortIntervalsAreMeasuredAgainAndLongOnesRescaled() throws {
        let fast = ScriptedClock { call, _ in call == 6 ? 50 : 100 }
        let samples = try fast.sampler(targetNs: 1_000_000, repetitions: 5).sample([subject])
        XCTAssertEqual(samples[0].count, 5)
        XCTAssertTrue(samples[0].allSatisfy { $0.elapsedNs >= 950_000 }, "\(samples[0])")
        XCTAssertEqual(fast.regions.count, 11, "one interval more than without the short one")
        XCTAssertEqual(fast.regions[7].iterations, 22_001, "rescaled from 0.55 ms to aim at 1.1 ms")

        let slowed = ScriptedClock { call, _ in call >= 7 ? 200 : 100 }
        let slowSamples = try slowed.sampler(targetNs: 1_000_000, repetitions: 5).sample([subject])
        XCTAssertEqual(slowSamples[0].map(\.elapsedNs), [1_100_100, 1_100_100, 2_200_200, 1_100_200, 1_100_200])
        XCTAssertEqual(slowSamples[0].map(\.iterations), [11_001, 11_001, 11_001, 5_501, 5_501])
    }

    /// A loop whose time does not grow with its count (nothing to scale) ends
    /// at the iteration limit, instead of ramping up for ever.
    func testAnIntervalThatNeverGrowsStopsAtTheLimit() throws {
        let clock = ScriptedClock { _, _ in 0 }
        var sampler = clock.sampler(targetNs: 1_000_000, repetitions: 3)
        sampler.maximumIterations = 1 << 20
        let samples = try sampler.sample([subject])
        XCTAssertEqual(samples[0].map(\.iterations), [1 << 20, 1 << 20, 1 << 20])
        XCTAssertLessThan(clock.regions.count, 20)
    }

    /// Interleaved, with the switch doubling the time per iteration: each
    /// recorded interval ran in the state it is labelled with (the flip comes
    /// before the interval, never inside it), every flip is followed by an
    /// untimed settling run of an eighth of an interval, and the slots go ABBA.
    func testInterleavedIntervalsRunInTheirSideAfterASettlingRun() throws {
        let clock = ScriptedClock { _, side in side == .on ? 200 : 100 }
        let interleaver = Interleaver(driver: RecordingDriver(), start: .off)
        clock.interleaver = interleaver
        let samples = try clock.sampler(targetNs: 1_000_000, repetitions: 4).sample([subject], interleaver: interleaver)
        XCTAssertEqual(samples[0].map(\.side), [.off, .on, .on, .off, .off, .on, .on, .off])
        for sample in samples[0] {
            XCTAssertEqual(Double(sample.elapsedNs) / Double(sample.iterations), sample.side == .on ? 200 : 100,
                           accuracy: 1e-9)
        }
        // After ramping up on each side: off, flip, settle on, on, on, flip, settle off, off, off, ...
        let afterRampUp = Array(clock.regions.suffix(8 + 4))
        let recordedOn = try XCTUnwrap(samples[0].first { $0.side == .on }).iterations
        XCTAssertEqual(afterRampUp[1], .init(iterations: UInt64(Double(recordedOn) * Sampler.settleShare), side: .on))
        XCTAssertEqual(afterRampUp.map(\.side), [.off, .on, .on, .on, .off, .off, .off, .on, .on, .on, .off, .off])
        XCTAssertEqual(interleaver.state, .off, "the pass ends in its start state")
    }
}
