import BenchCore
import CShims

/// The one timing method every benchmark uses, after LMBench's benchmp():
/// grow the iteration count until an interval lasts about `target` (those ramp-up
/// intervals and one full-length warm-up interval are discarded), then record
/// intervals, re-scaling the count whenever an interval drifts out of
/// [0.99, 1.2] × target. Intervals shorter than 0.95 × target are not recorded
/// (unless a single iteration already exceeds the target). Per-interval setup and
/// cleanup run outside the clock.
///
/// Several loops (the terms of a difference, such as catch and send) are sampled
/// in turn, one interval each, so that a disturbance hits them alike.
public struct Sampler {
    public var targetNs: Double
    public var repetitions: Int
    /// Never run more iterations than this per interval (e.g. files per directory tree).
    public var maximumIterations: UInt64 = 1 << 40

    public init(targetNs: Double, repetitions: Int) {
        self.targetNs = max(targetNs, 1)
        self.repetitions = repetitions
    }

    /// Times one region: clock read, the C loop for `n` iterations, clock read;
    /// its status (0 or an errno) and the nanoseconds between the reads.
    package typealias Timer = (_ loop: TimedLoop, _ n: UInt64) -> (status: Int32, elapsedNs: Int64)
    /// The C timing run; tests give a scripted clock instead, so that every
    /// decision of the sampler can be checked exactly.
    package var timer: Timer = { loop, n in
        var elapsed: Int64 = 0
        let status = cshims_timing_run(loop.function, loop.state, n, &elapsed)
        return (status, elapsed)
    }

    public struct Hooks {
        public var setup: ((UInt64) throws -> Void)?
        public var cleanup: ((UInt64) throws -> Void)?
        public init(setup: ((UInt64) throws -> Void)? = nil, cleanup: ((UInt64) throws -> Void)? = nil) {
            self.setup = setup
            self.cleanup = cleanup
        }
    }

    /// One loop to sample: its name (for errors), the loop, its hooks, and the
    /// iteration count to start from (known from an earlier pass), if any, per
    /// switch state (nil: a plain run).
    public struct Subject {
        public var name: String
        public var loop: TimedLoop
        public var hooks: Hooks
        public var startIterations: [SwitchState?: UInt64]
        /// Warm up until two consecutive full-length intervals agree within 5%
        /// (a TCP stream, whose window and buffers grow for a while), instead of
        /// one warm-up interval.
        public var warmUntilSteady: Bool
        public init(name: String, loop: TimedLoop, hooks: Hooks = Hooks(), startIterations: [SwitchState?: UInt64] = [:],
                    warmUntilSteady: Bool = false) {
            self.name = name
            self.loop = loop
            self.hooks = hooks
            self.startIterations = startIterations
            self.warmUntilSteady = warmUntilSteady
        }
    }

    /// The next iteration count after an interval of `elapsed` ns with `n` iterations.
    public func rescaled(_ n: UInt64, elapsedNs elapsed: Double) -> UInt64 {
        let next: Double
        if elapsed <= targetNs / 32 {
            next = Double(n) * 8  // far too short to scale from reliably
        } else {
            next = Double(n) * 1.1 * targetNs / elapsed + 1
        }
        return UInt64(min(max(next, 1), Double(maximumIterations)))
    }

    /// Records `repetitions` samples of each subject; `onSample` sees each as it
    /// is recorded. With an interleaver (an A/B run flipping its switch between
    /// intervals), `repetitions` pairs of each: see `sampleInterleaved`.
    func sample(_ subjects: [Subject], interleaver: Interleaver? = nil,
                       onSample: (Int, Sample) -> Void = { _, _ in }) throws -> [[Sample]] {
        if let interleaver { return try sampleInterleaved(subjects, interleaver, onSample) }
        var states = subjects.map { State(n: max($0.startIterations[nil] ?? 1, 1)) }
        var samples = Array(repeating: [Sample](), count: subjects.count)
        guard repetitions > 0 else { return samples }
        // Ramp-up and warm-up, each subject on its own.
        for (i, subject) in subjects.enumerated() { try rampUp(subject, &states[i]) }
        // Recording, one interval of each subject in turn.
        let patience = 4 * repetitions + 64
        while samples.contains(where: { $0.count < repetitions }) {
            for (i, subject) in subjects.enumerated() where samples[i].count < repetitions {
                let n = states[i].n
                let t = try interval(subject, n)
                states[i].attempts += 1
                if isLongEnough(t, n) || states[i].attempts > patience {
                    let sample = Sample(elapsedNs: Int64(t), iterations: n)
                    samples[i].append(sample)
                    onSample(i, sample)
                }
                rescaleIfOff(&states[i], t)
            }
        }
        return samples
    }

    /// The interleaved A/B form: each subject ramped up on both sides (the other
    /// side first, so the first recorded interval follows a warm-up in its own
    /// state), then `repetitions` pairs of slots in ABBA order, one interval of
    /// each subject per slot, the switch flipped between slots whose sides
    /// differ. Every slot records one interval of every subject (one that comes
    /// out too short is measured again, in the same state), so the k-th interval
    /// of a series on one side and the k-th on the other form pair k. The switch
    /// is back in the interleaver's start state afterwards, also after an error.
    private func sampleInterleaved(_ subjects: [Subject], _ interleaver: Interleaver,
                                   _ onSample: (Int, Sample) -> Void) throws -> [[Sample]] {
        var samples = Array(repeating: [Sample](), count: subjects.count)
        guard repetitions > 0 else { return samples }
        do {
            var states: [SwitchState: [State]] = [:]
            for side in [interleaver.start.other, interleaver.start] {
                try interleaver.set(side)
                var sideStates = subjects.map { State(n: max($0.startIterations[side] ?? 1, 1)) }
                for (i, subject) in subjects.enumerated() { try rampUp(subject, &sideStates[i]) }
                states[side] = sideStates
            }
            for slot in 0..<(2 * repetitions) {
                let side = interleaver.side(ofSlot: slot)
                if side != interleaver.state {
                    try interleaver.set(side)
                    // A short untimed run of each loop in the new state, so that the
                    // interval after a flip is not the first to run it (see `settleShare`).
                    for (i, subject) in subjects.enumerated() where states[side]![i].n >= Sampler.settleMinimumIterations {
                        _ = try interval(subject, max(1, UInt64(Double(states[side]![i].n) * Sampler.settleShare)))
                    }
                }
                for (i, subject) in subjects.enumerated() {
                    var attempts = 0
                    while true {
                        let n = states[side]![i].n
                        let t = try interval(subject, n)
                        attempts += 1
                        rescaleIfOff(&states[side]![i], t)
                        if isLongEnough(t, n) || attempts > Sampler.slotPatience {
                            let sample = Sample(elapsedNs: Int64(t), iterations: n, side: side)
                            samples[i].append(sample)
                            onSample(i, sample)
                            break
                        }
                    }
                }
            }
        } catch {
            try? interleaver.set(interleaver.start)
            throw error
        }
        try interleaver.set(interleaver.start)
        return samples
    }

    /// Grows the iteration count until an interval is long enough, then discards
    /// one full-length warm-up interval (or waits for steadiness).
    private func rampUp(_ subject: Subject, _ state: inout State) throws {
        var previous: Double?
        var warmups = 0
        while true {
            let n = state.n
            let t = try interval(subject, n)
            if isLongEnough(t, n) {
                warmups += 1
                let perIteration = t / Double(n)
                guard subject.warmUntilSteady, warmups < Sampler.maximumSteadyWarmups else { break }
                if let previous, abs(perIteration - previous) <= Sampler.steadyTolerance * min(perIteration, previous) {
                    break
                }
                previous = perIteration
            }
            state.n = rescaled(n, elapsedNs: t)
        }
    }

    /// A new count when an interval drifted out of [0.99, 1.2] × target (not
    /// when a single iteration is already longer than the target).
    private func rescaleIfOff(_ state: inout State, _ t: Double) {
        let singleIterationTooLong = state.n == 1 && t > targetNs
        if (t < 0.99 * targetNs || t > 1.2 * targetNs) && !singleIterationTooLong {
            state.n = rescaled(state.n, elapsedNs: t)
        }
    }

    /// One interval of a single iteration, no warm-up.
    public static func once(_ loop: TimedLoop, name: String) throws -> Sample {
        var elapsed: Int64 = 0
        let status = cshims_timing_run(loop.function, loop.state, 1, &elapsed)
        if status != 0 { throw SystemError(name, errno: Errno(status)) }
        return Sample(elapsedNs: elapsed, iterations: 1)
    }

    /// Consecutive warm-up intervals within this fraction of each other are steady.
    static let steadyTolerance = 0.05
    /// At most this many full-length warm-up intervals when waiting for steadiness.
    static let maximumSteadyWarmups = 40
    /// Tries for one interleaved slot before a short interval is recorded anyway.
    static let slotPatience = 8
    /// After a flip, each loop first runs this share of an interval untimed (at
    /// least one iteration). Measured in a TCG guest under `tracing_on` (256
    /// pairs a cell): without it, the interval right after turning the ring
    /// buffer on was 7-9% slower than the next for TCP and RPC round trips
    /// (1-4% elsewhere).
    static let settleShare = 0.125
    /// Loops of fewer iterations an interval (exec, sh: one or two long
    /// operations) are not settled: a run of one would cost half an interval or more.
    static let settleMinimumIterations: UInt64 = 4

    private struct State {
        var n: UInt64
        var attempts = 0
    }

    private func isLongEnough(_ t: Double, _ n: UInt64) -> Bool {
        t >= 0.95 * targetNs || n >= maximumIterations
    }

    /// One timed interval, with the per-interval setup and cleanup around it.
    private func interval(_ subject: Subject, _ n: UInt64) throws -> Double {
        try subject.hooks.setup?(n)
        let (status, elapsed) = timer(subject.loop, n)
        try subject.hooks.cleanup?(n)
        if status != 0 { throw SystemError(subject.name, errno: Errno(status)) }
        return Double(elapsed)
    }
}
