import Glibc

/// Everything an A/B run did with its switch: the state it found, every flip
/// with its cost and the null-call probe after it, and whether it was put back.
public struct SwitchRecord: Equatable, Sendable {
    public struct Flip: Equatable, Sendable {
        /// The round it began (-1: before the first, while calibrating).
        public var round: Int
        /// The benchmark whose pass follows (nil: a whole round, or calibration).
        public var benchmark: String?
        public var to: SwitchState
        /// How long the flip itself took.
        public var seconds: Double
        /// How long the probe after it took (a flip's cost is both).
        public var probeSeconds: Double
        /// The null-call probe right after it, ns.
        public var probeNs: Double
        /// The probe right before it, ns (0: none).
        public var probeBeforeNs: Double
        /// The probe on over the probe off around this flip, the two taken
        /// milliseconds apart (nil without both).
        public var ratio: Double?

        public init(round: Int, benchmark: String?, to: SwitchState, seconds: Double, probeSeconds: Double = 0,
                    probeNs: Double, probeBeforeNs: Double = 0, ratio: Double?) {
            self.round = round
            self.benchmark = benchmark
            self.to = to
            self.seconds = seconds
            self.probeSeconds = probeSeconds
            self.probeNs = probeNs
            self.probeBeforeNs = probeBeforeNs
            self.ratio = ratio
        }
    }

    public var spec: SwitchSpec
    public var initialState: SwitchState = .off
    /// How the initial state was found ("current_tracer was nop").
    public var initialDetail = ""
    /// The null-call probe in the initial state, before any flip, ns.
    public var initialProbeNs = 0.0
    /// Flipped between the recorded intervals of each cell, inside the benchmarks'
    /// processes (the switch is cheap enough): the two sides of a pair are
    /// milliseconds apart. Otherwise `benchmarksPerFlip` says how coarse.
    public var interleaved = false
    /// Flips made inside benchmarks (interleaved), and their total time.
    public var interleavedFlips = 0
    public var interleavedFlipSeconds = 0.0
    /// Benchmarks measured between two flips from the second round on: 1 flips
    /// around every benchmark's pass, all of them (or 0, not chosen) around every round.
    public var benchmarksPerFlip = 0
    /// Benchmarks in a round.
    public var benchmarksPerRound = 0
    public var granularityReason = ""
    public var flips: [Flip] = []
    /// Whether the switch was put back as it was found (nil: not yet).
    public var restored: Bool?
    public var restoreError: String?
    /// What the switch commands left running at the end, ended then ("pid N (comm)").
    public var leftProcesses: [String] = []
    /// Why the run stopped early because of the switch, if it did.
    public var failure: String?

    public init(spec: SwitchSpec) { self.spec = spec }

    /// The median time one flip took, seconds.
    public var flipSeconds: Double? { flips.isEmpty ? nil : Statistics(flips.map(\.seconds)).median }

    /// "every interval", "every benchmark", "every 5 benchmarks", "every round".
    public var granularity: String {
        if interleaved { return "every interval" }
        switch benchmarksPerFlip {
        case 1: return "every benchmark"
        case 2..<max(2, benchmarksPerRound): return "every \(benchmarksPerFlip) benchmarks"
        default: return "every round"
        }
    }

    /// How far apart the two sides of a pair are, for the reader: milliseconds
    /// when interleaved, else a benchmark pass or more (seconds).
    public var pairDistance: String {
        interleaved ? "pairs milliseconds apart (flipped between intervals inside each benchmark)"
            : "pairs seconds apart (flipped around \(granularity): the switch is too slow to flip between intervals)"
    }

    /// The null-call probes taken in `state`: the initial one, and one after each flip to it.
    public func probes(_ state: SwitchState) -> [Double] {
        (initialState == state && initialProbeNs > 0 ? [initialProbeNs] : []) + flips.filter { $0.to == state }.map(\.probeNs)
    }

    /// The switch's effect on the null-call probe: the geometric mean over
    /// the flips of each flip's own on/off ratio (its probes just before and
    /// after, so the host's drift between flips cancels), with a 95% t interval
    /// on their logarithms (nil with one flip): honest with the few flips a
    /// short run has, where a bootstrap's interval would be far too narrow.
    public var probeEffect: (ratio: Double, interval: (low: Double, high: Double)?)? {
        let logs = flips.compactMap(\.ratio).filter { $0 > 0 }.map { log($0) }
        guard !logs.isEmpty else { return nil }
        let stats = Statistics(logs)
        guard logs.count >= 2 else { return (exp(stats.mean), nil) }
        let half = Statistics.t975(logs.count - 1) * stats.standardDeviation / Double(logs.count).squareRoot()
        return (exp(stats.mean), (exp(stats.mean - half), exp(stats.mean + half)))
    }

    /// The flips' typical on/off probe ratio.
    public var probeRatio: Double? { probeEffect?.ratio }

    /// Whether the probe tells the two states apart: its interval excludes 1
    /// (with a single flip, when the ratio differs from 1 by more than
    /// `SwitchRecord.singleProbeMargin`). A switch that slows the null call by
    /// only 2x is a real switch; one that cannot be told from a no-op is not.
    public var probeTellsStatesApart: Bool? {
        guard let effect = probeEffect else { return nil }
        if let interval = effect.interval { return interval.low > 1 || interval.high < 1 }
        return abs(log(effect.ratio)) > log(1 + SwitchRecord.singleProbeMargin)
    }

    /// With one flip there is no interval: its ratio must differ from 1 by this much.
    static let singleProbeMargin = 0.10

    /// Flips whose own probe ratio shows less than half the switch's typical
    /// effect (on a log scale): the flip may not have taken. Only where the
    /// states are told apart.
    public var misfiredFlips: [Flip] {
        guard probeTellsStatesApart == true, let typical = probeRatio else { return [] }
        return flips.filter { flip in
            guard let ratio = flip.ratio else { return false }
            return log(ratio) / log(typical) < 0.5
        }
    }

    /// What a reader must know: the switch made no difference the probe can
    /// tell, some flips did not take, it failed, or it was not put back.
    public var warnings: [SwitchWarning] {
        var warnings: [SwitchWarning] = []
        if probeTellsStatesApart == false, let effect = probeEffect {
            warnings.append(.noEffect(ratio: effect.ratio, low: effect.interval?.low, high: effect.interval?.high,
                                      probes: flips.compactMap(\.ratio).count))
        }
        let misfired = misfiredFlips
        if !misfired.isEmpty {
            warnings.append(.misfiredFlips(misfired.count, of: flips.count, rounds: Set(misfired.map(\.round)).sorted()))
        }
        if let failure { warnings.append(.failed(failure)) }
        if restored == false { warnings.append(.notRestored(initialState, error: restoreError ?? "unknown error")) }
        if !leftProcesses.isEmpty { warnings.append(.leftProcesses(leftProcesses)) }
        return warnings
    }

    /// This record after an interrupted run's (`earlier`): its flips and
    /// interleaved flips come first, the state found is that run's.
    package func continuing(_ earlier: SwitchRecord) -> SwitchRecord {
        var merged = self
        merged.flips = earlier.flips + flips
        merged.interleavedFlips += earlier.interleavedFlips
        merged.interleavedFlipSeconds += earlier.interleavedFlipSeconds
        merged.initialState = earlier.initialState
        merged.initialDetail = earlier.initialDetail
        merged.initialProbeNs = earlier.initialProbeNs
        return merged
    }

}

/// A switch that may not have done what the A/B run assumes.
public enum SwitchWarning: Equatable, Sendable {
    /// The null-call probe's on/off ratio over the flips cannot be told from 1 (its interval holds 1).
    case noEffect(ratio: Double, low: Double?, high: Double?, probes: Int)
    /// Some flips (their rounds, -1 for calibration) changed the probe by less than half the usual effect.
    case misfiredFlips(Int, of: Int, rounds: [Int])
    /// Flipping it failed, so the run stopped early.
    case failed(String)
    /// It was not put back in this state.
    case notRestored(SwitchState, error: String)
    /// The switch commands left these processes running at the end ("pid N (comm)"), ended then.
    case leftProcesses([String])

    /// A warning names at most this many left processes (the JSON's `left_processes` has them all).
    static let processesNamed = 5

    /// As standard error, the overhead table, the results files and the JSON show it.
    public var text: String {
        switch self {
        case let .noEffect(ratio, low, high, probes):
            let spread = low.flatMap { low in high.map { cFormat(" [%.2f, %.2f]", low, $0) } } ?? ""
            return cFormat("THE SWITCH DID NOT TAKE EFFECT: the null-call probe's on/off ratio, %.2f", ratio) + spread
                + " over \(probes) flips, cannot be told from 1: both sides measured the same kernel"
        case let .misfiredFlips(count, total, rounds):
            let names = rounds.map { $0 < 0 ? "calibration" : String($0 + 1) }
            return "\(count) of \(total) flips changed the null-call probe by less than half the switch's usual effect"
                + " (round \(names.joined(separator: ", "))): check that the switch took effect every time"
        case .failed(let reason): return "the switch failed, so the run stopped early: \(reason)"
        case let .notRestored(state, error):
            return "the switch was NOT put back as it was found (\(state.rawValue)): \(error)"
        case .leftProcesses(let processes):
            let named = processes.prefix(SwitchWarning.processesNamed).joined(separator: ", ")
            let more = processes.count > SwitchWarning.processesNamed ? " and \(processes.count - SwitchWarning.processesNamed) more" : ""
            return "switch command left processes running: \(named)\(more) — ended"
        }
    }
}

/// One side of an A/B run, as its results file and JSON record it.
public struct SwitchSide: Equatable, Sendable {
    public var state: SwitchState
    public var record: SwitchRecord

    public init(state: SwitchState, record: SwitchRecord) {
        self.state = state
        self.record = record
    }
}

/// An A/B run: the same benchmarks measured with a switch off and on, paired by round.
public struct ABRunResult: Equatable, Sendable {
    public var off: RunResult
    public var on: RunResult
    public var record: SwitchRecord

    public init(off: RunResult, on: RunResult, record: SwitchRecord) {
        self.off = off
        self.on = on
        self.record = record
    }

    public var partial: Bool { off.partial || on.partial }

    public func side(_ state: SwitchState) -> RunResult { state == .off ? off : on }
}
