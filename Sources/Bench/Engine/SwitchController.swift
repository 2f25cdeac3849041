import CShims

/// Flips a kernel switch during an A/B run: times each flip, probes a null call
/// after it to check that the switch took effect, and puts the switch back as
/// it found it (also after SIGINT or SIGTERM, which only stop the run).
final class SwitchController {
    /// The probe must change by at least this factor between off and on, or the
    /// switch is reported as not having taken effect.
    static let minimumEffect = 1.5
    /// Flip as often as this share of the measuring time allows: the flips (and
    /// the probe after each) may add at most a quarter to a round.
    static let maximumFlipShare = 0.25

    let driver: SwitchDriver
    let clockReadNs: Double
    private(set) var state: SwitchState
    private var stateKnown = true
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
    func flip(to target: SwitchState, round: Int, benchmark: String?) throws {
        guard target != state else { return }
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
        let probe = Calibration.nullCallProbe(clockReadNs: clockReadNs)
        let seconds = Double(flipped - started) / 1e9, probeSeconds = Double(cshims_clock_now_ns() - flipped) / 1e9
        lastProbeNs[target] = probe
        let ratio = lastProbeNs[.on].flatMap { on in lastProbeNs[.off].map { on / $0 } }
        record.flips.append(.init(round: round, benchmark: benchmark, to: target, seconds: seconds,
                                  probeSeconds: probeSeconds, probeNs: probe, ratio: ratio))
    }

    /// The first flip, before anything is measured: a switch that cannot be
    /// flipped is bad input (a BenchError).
    func flipBeforeMeasuring(progress: ProgressReporter) throws {
        let target = state.other
        do { try flip(to: target, round: -1, benchmark: nil) } catch {
            throw BenchError(error is BenchError ? "\(error)" : "--switch \(record.spec.text): cannot switch it \(target.rawValue): \(error)")
        }
        progress.message(describe(record.flips.last!))
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

    /// Puts the switch back as it was found; records whether that worked.
    func restore() {
        guard record.restored == nil else { return }
        do {
            try driver.restore(from: stateKnown ? state : nil, to: record.initialState)
            state = record.initialState
            record.restored = true
        } catch {
            record.restored = false
            record.restoreError = "\(error)"
        }
    }
}
