import BenchCore
import CShims

/// Flips a kernel switch during an A/B run: times each flip, probes a null call
/// after it to check that the switch took effect, and puts the switch back as
/// it found it (also after SIGINT or SIGTERM, which only stop the run).
///
/// How often it flips follows from what a flip costs: between the recorded
/// intervals inside each benchmark (interleaved) when a flip is fast
/// (`chooseInterleaving`); else around blocks of benchmarks, as small as a
/// quarter of a round's measuring time pays for.
final class SwitchController {
    /// Flip around benchmarks as often as this share of the measuring time
    /// allows: the flips (and the probe after each) may add at most a quarter
    /// to a round.
    static let maximumFlipShare = 0.25
    /// Flips this cheap are repeated before measuring, for a second probe of
    /// each state (what tells a real switch from a no-op) and a better cost.
    static let cheapFlipSeconds = 0.5

    let driver: SwitchDriver
    let clockReadNs: Double
    private(set) var state: SwitchState
    private(set) var stateKnown = true
    private(set) var record: SwitchRecord
    private var lastProbeNs: [SwitchState: Double] = [:]

    /// Checks that the switch is there and reads its state: throws a BenchError
    /// (bad input: nothing is measured) when it is missing or refused.
    init(spec: SwitchSpec, clockReadNs: Double) throws {
        driver = spec.makeDriver()
        self.clockReadNs = clockReadNs
        record = SwitchRecord(spec: spec)
        let found = try driver.prepare { Calibration.nullCallProbe(clockReadNs: clockReadNs) }
        state = found.state
        record.initialState = found.state
        record.initialDetail = found.detail
        record.initialProbeNs = Calibration.nullCallProbe(clockReadNs: clockReadNs)
        lastProbeNs[state] = record.initialProbeNs
    }

    /// The order of the two sides of the next pair: the current state first, so
    /// that one flip per pair suffices and the order alternates (off-on, on-off, ...).
    var order: [SwitchState] { [state, state.other] }

    /// The null-call probe last taken in each state (its end-of-run figure).
    func lastProbe(_ state: SwitchState) -> Double? { lastProbeNs[state] }

    /// Sets the switch; a failure is recorded and thrown (the run stops there).
    /// A switch whose state is unknown (after an interleaved pass that did not
    /// report its end) is set even when it should already be `target`.
    func flip(to target: SwitchState, round: Int, benchmark: String?) throws {
        guard target != state || !stateKnown else { return }
        // A probe right before the flip too: the flip's own on/off ratio comes
        // from two probes milliseconds apart, whatever the host's speed did
        // since the last flip (the first flip has the initial probe).
        let before = record.flips.isEmpty ? record.initialProbeNs : Calibration.nullCallProbe(clockReadNs: clockReadNs)
        let started = cshims_clock_now_ns()
        do {
            try driver.set(target)
        } catch {
            record.failure = "\(error)"
            stateKnown = false  // it may have done part of its work: restore() sets the initial state whatever it is
            throw error
        }
        let flipped = cshims_clock_now_ns()
        state = target
        stateKnown = true
        let probe = Calibration.nullCallProbe(clockReadNs: clockReadNs)
        let seconds = Double(flipped - started) / 1e9, probeSeconds = Double(cshims_clock_now_ns() - flipped) / 1e9
        lastProbeNs[target] = probe
        let ratio = probeRatio(before, probe, to: target)
        record.flips.append(.init(round: round, benchmark: benchmark, to: target, seconds: seconds,
                                  probeSeconds: probeSeconds, probeNs: probe, probeBeforeNs: before, ratio: ratio))
    }

    /// The probe on over the probe off around one flip (nil without a probe before it).
    private func probeRatio(_ before: Double, _ after: Double, to target: SwitchState) -> Double? {
        guard before > 0, after > 0 else { return nil }
        return target == .on ? after / before : before / after
    }

    /// The first flip, before anything is measured: a switch that cannot be
    /// flipped is bad input (a BenchError). A cheap switch is flipped back and
    /// forth once more (a second probe of each state).
    func flipBeforeMeasuring(progress: ProgressReporter) throws {
        let target = state.other
        do { try flip(to: target, round: -1, benchmark: nil) } catch {
            throw BenchError(error is BenchError ? "\(error)" : "--switch \(record.spec.text): cannot switch it \(target.rawValue): \(error)")
        }
        progress.message(describe(record.flips.last!))
        if record.flips[0].seconds <= SwitchController.cheapFlipSeconds {
            for again in [target.other, target] {
                do { try flip(to: again, round: -1, benchmark: nil) } catch {
                    throw BenchError(error is BenchError ? "\(error)" : "--switch \(record.spec.text): cannot switch it \(again.rawValue): \(error)")
                }
            }
        }
    }

    /// Interleaved when a flip (on average, both ways) takes at most
    /// `maximumInterleavedFlipSeconds`, or a quarter of an interval (`enoughNs`
    /// long) if that is more: the two intervals of a pair are then well under a
    /// tenth of a second apart, far less than the seconds for which this kind of
    /// host slows a vCPU, and the precision that buys outweighs the time the
    /// flips take (measured: ±2% against ±10% in the same time, for flips that
    /// cost four times an interval). A slower switch (the function tracer: 2 s
    /// under TCG) flips around benchmarks.
    func chooseInterleaving(enoughNs: Double) {
        guard !record.flips.isEmpty else { return }
        let cost = record.flips.map(\.seconds).reduce(0, +) / Double(record.flips.count)
        let allowed = SwitchController.interleavingLimit(enoughNs: enoughNs)
        record.interleaved = cost <= allowed
        record.granularityReason = cFormat("a flip takes %.4f s on average, ", cost)
            + (record.interleaved ? "at most" : "more than") + cFormat(" %.3f s", allowed)
            + (record.interleaved ? ": it flips between the recorded intervals of each cell, inside the benchmarks (pairs milliseconds apart)"
                                  : ": it flips around benchmarks, as the first round's length allows (pairs seconds apart)")
    }

    /// The costliest flip, seconds, that still interleaves.
    static func interleavingLimit(enoughNs: Double) -> Double {
        max(maximumInterleavedFlipSeconds, maximumFlipShare * enoughNs / 1e9)
    }

    /// See `chooseInterleaving`.
    static let maximumInterleavedFlipSeconds = 0.05

    /// What an interleaved pass did with the switch: its flips count, and the
    /// state is unknown unless the pass reported leaving it where it started.
    func recordInterleaved(flips: Int, seconds: Double, endState: SwitchState?, failure: String?) {
        record.interleavedFlips += flips
        record.interleavedFlipSeconds += seconds
        if endState != state { stateKnown = false }
        if let failure, record.failure == nil {
            record.failure = failure
            stateKnown = false
        }
    }

    /// A flip between a companion's measurements in an interleaved run (see
    /// `PassCompanion`): no probes around it (they would cost more than the
    /// flip), counted with the flips inside the benchmarks; a failure is
    /// recorded and thrown.
    func flipBetweenMeasurements(to target: SwitchState) throws {
        guard target != state || !stateKnown else { return }
        let started = cshims_clock_now_ns()
        do { try driver.set(target) } catch {
            recordInterleaved(flips: 0, seconds: 0, endState: nil, failure: "\(error)")
            throw error
        }
        state = target
        stateKnown = true
        recordInterleaved(flips: 1, seconds: Double(cshims_clock_now_ns() - started) / 1e9, endState: target, failure: nil)
    }

    /// After the first interleaved round: if the flips inside the benchmarks
    /// cost more than allowed after all, flip around benchmarks from now on.
    /// False when it stopped interleaving.
    func confirmInterleaving(enoughNs: Double) -> Bool {
        guard record.interleaved, record.interleavedFlips > 0 else { return record.interleaved }
        let cost = record.interleavedFlipSeconds / Double(record.interleavedFlips)
        let allowed = SwitchController.interleavingLimit(enoughNs: enoughNs)
        guard cost > allowed else { return true }
        record.interleaved = false
        record.granularityReason = cFormat("inside the benchmarks a flip took %.4f s on average, more than ", cost)
            + cFormat("%.3f s: from the second round on it flips around benchmarks", allowed)
        return false
    }

    /// One line on a flip: how long it took and what the probe saw.
    func describe(_ flip: SwitchRecord.Flip) -> String {
        var text = "switch \(record.spec.text) \(flip.to.rawValue) in " + cFormat("%.2f s; null call %.0f ns", flip.seconds, flip.probeNs)
        if let ratio = flip.ratio { text += cFormat(" (on/off %.1fx)", ratio) }
        return text
    }

    /// From the first round (every benchmark on one side, then on the other):
    /// the fewest benchmarks between two flips whose flips, probe included, add
    /// at most `maximumFlipShare` to a round's measuring time. One flip serves
    /// each block of benchmarks (the order alternates), so blocks of k benchmarks
    /// cost ceil(n / k) flips a round, and the two sides of a pair are one block apart.
    func chooseGranularity(benchmarks: Int, roundSeconds: Double) {
        let costs = record.flips.map { $0.seconds + $0.probeSeconds }
        guard benchmarks > 0, !costs.isEmpty, roundSeconds > 0 else { return }
        let cost = Statistics(costs).median
        record.benchmarksPerRound = benchmarks
        record.benchmarksPerFlip = SwitchController.benchmarksPerFlip(benchmarks: benchmarks, roundSeconds: roundSeconds, flipSeconds: cost)
        let flips = (benchmarks + record.benchmarksPerFlip - 1) / record.benchmarksPerFlip
        record.granularityReason = cFormat("a flip and its probe take %.3f s and the first round measured for %.1f s: ", cost, roundSeconds)
            + "\(flips) flip\(flips == 1 ? "" : "s") a round for \(benchmarks) benchmark\(benchmarks == 1 ? "" : "s") add "
            + cFormat("%.0f%%", Double(flips) * cost / roundSeconds * 100) + " (at most "
            + cFormat("%.0f%%", SwitchController.maximumFlipShare * 100) + " allowed), so it flips around \(record.granularity)"
    }

    /// The smallest block size whose flips (one per block) cost at most
    /// `maximumFlipShare` of `roundSeconds`; all benchmarks when even one flip is more.
    static func benchmarksPerFlip(benchmarks: Int, roundSeconds: Double, flipSeconds: Double) -> Int {
        let affordable = max(1, Int(maximumFlipShare * roundSeconds / max(flipSeconds, 1e-9)))
        return affordable >= benchmarks ? 1 : (benchmarks + affordable - 1) / affordable
    }

    /// Before resuming an interrupted A/B run: the switch is put back in the
    /// state that run found it in (if it was left otherwise), so that this run
    /// starts, and ends, where the first one did.
    func resume(_ previous: SwitchRecord, progress: ProgressReporter) throws {
        guard previous.initialState != state else { return }
        do { try driver.set(previous.initialState) } catch {
            throw BenchError("--resume: cannot put the switch back \(previous.initialState.rawValue), as the interrupted run found it: \(error)")
        }
        progress.message("switch \(record.spec.text) was \(state.rawValue): put back \(previous.initialState.rawValue), as the interrupted run found it")
        state = previous.initialState
        record.initialState = state
        record.initialDetail = previous.initialDetail + "; put back so before resuming"
        record.initialProbeNs = Calibration.nullCallProbe(clockReadNs: clockReadNs)
    }

    /// Puts the switch back as it was found; records whether that worked. Then
    /// ends what the switch commands left running (the off command should have
    /// ended it), and records that as a warning: at the very end of the run,
    /// when no benchmark runs, every child left is theirs.
    func restore(progress: ProgressReporter) {
        guard record.restored == nil else { return }
        do {
            try driver.restore(from: stateKnown ? state : nil, to: record.initialState, progress: progress)
            state = record.initialState
            record.restored = true
        } catch {
            record.restored = false
            record.restoreError = "\(error)"
        }
        record.leftProcesses = endLeftoverChildren()
    }
}
