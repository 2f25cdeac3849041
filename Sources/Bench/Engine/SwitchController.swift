import CShims

/// Flips a kernel switch during an A/B run: times each flip, probes a null call
/// after it to check that the switch took effect, and puts the switch back as
/// it found it (also after SIGINT or SIGTERM, which only stop the run).
final class SwitchController {
    /// The probe must change by at least this factor between off and on, or the
    /// switch is reported as not having taken effect.
    static let minimumEffect = 1.5
    /// Flip around every benchmark's pass while the flips cost at most this share
    /// of the measuring time; around every round otherwise.
    static let maximumFlipShare = 0.1

    let driver: SwitchDriver
    let clockReadNs: Double
    private(set) var state: SwitchState
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
            throw error
        }
        let seconds = Double(cshims_clock_now_ns() - started) / 1e9
        state = target
        let probe = Calibration.nullCallProbe(clockReadNs: clockReadNs)
        lastProbeNs[target] = probe
        let ratio = lastProbeNs[.on].flatMap { on in lastProbeNs[.off].map { on / $0 } }
        record.flips.append(.init(round: round, benchmark: benchmark, to: target, seconds: seconds, probeNs: probe, ratio: ratio))
    }

    /// From the first round: flip around each benchmark's pass when a flip costs
    /// at most `maximumFlipShare` of a median pass, else around each round.
    func chooseGranularity(passSeconds: [Double]) {
        guard let flip = record.flipSeconds, !passSeconds.isEmpty else { return }
        let pass = Statistics(passSeconds).median
        let share = flip / max(pass, 1e-9)
        record.granularity = share <= SwitchController.maximumFlipShare ? .benchmark : .round
        record.granularityReason = cFormat("a flip takes %.3f s and a benchmark's pass %.3f s (medians of the first round): ", flip, pass)
            + (record.granularity == .benchmark
               ? cFormat("flipping around every pass costs %.0f%% of the measuring time, so the two sides of a pair are one pass apart", share * 100)
               : cFormat("flipping around every pass would cost %.0f%% of the measuring time, so it flips around every round", share * 100))
    }

    /// Puts the switch back as it was found; records whether that worked.
    func restore() {
        guard record.restored == nil else { return }
        do {
            try driver.restore(from: state, to: record.initialState)
            state = record.initialState
            record.restored = true
        } catch {
            record.restored = false
            record.restoreError = "\(error)"
        }
    }
}
