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
        /// The probe on over the probe off around this flip (nil without both).
        public var ratio: Double?

        public init(round: Int, benchmark: String?, to: SwitchState, seconds: Double, probeSeconds: Double = 0,
                    probeNs: Double, ratio: Double?) {
            self.round = round
            self.benchmark = benchmark
            self.to = to
            self.seconds = seconds
            self.probeSeconds = probeSeconds
            self.probeNs = probeNs
            self.ratio = ratio
        }
    }

    public var spec: SwitchSpec
    public var initialState: SwitchState = .off
    /// How the initial state was found ("current_tracer was nop").
    public var initialDetail = ""
    /// The null-call probe in the initial state, before any flip, ns.
    public var initialProbeNs = 0.0
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
    /// Why the run stopped early because of the switch, if it did.
    public var failure: String?

    public init(spec: SwitchSpec) { self.spec = spec }

    /// The median time one flip took, seconds.
    public var flipSeconds: Double? { flips.isEmpty ? nil : Statistics(flips.map(\.seconds)).median }

    /// "every benchmark", "every 5 benchmarks", "every round".
    public var granularity: String {
        switch benchmarksPerFlip {
        case 1: return "every benchmark"
        case 2..<max(2, benchmarksPerRound): return "every \(benchmarksPerFlip) benchmarks"
        default: return "every round"
        }
    }

    /// The median over the flips of the probe's on/off ratio.
    public var probeRatio: Double? {
        let ratios = flips.compactMap(\.ratio)
        return ratios.isEmpty ? nil : Statistics(ratios).median
    }

    /// What a reader must know: the switch made (almost) no difference, some
    /// flips did not take, it failed, or it was not put back.
    public var warnings: [SwitchWarning] {
        var warnings: [SwitchWarning] = []
        let ratios = flips.compactMap(\.ratio)
        if let ratio = probeRatio, ratio < SwitchController.minimumEffect {
            warnings.append(.noEffect(ratio: ratio, flips: ratios.count))
        } else {
            let weak = flips.filter { ($0.ratio ?? .infinity) < SwitchController.minimumEffect }
            if !weak.isEmpty { warnings.append(.weakFlips(weak.count, of: ratios.count, rounds: Set(weak.map(\.round)).sorted())) }
        }
        if let failure { warnings.append(.failed(failure)) }
        if restored == false { warnings.append(.notRestored(initialState, error: restoreError ?? "unknown error")) }
        return warnings
    }
}

/// A switch that may not have done what the A/B run assumes.
public enum SwitchWarning: Equatable, Sendable {
    /// The null-call probe's median on/off ratio stayed below 1.5x.
    case noEffect(ratio: Double, flips: Int)
    /// Some flips (their rounds, -1 for calibration) changed the probe by less than 1.5x.
    case weakFlips(Int, of: Int, rounds: [Int])
    /// Flipping it failed, so the run stopped early.
    case failed(String)
    /// It was not put back in this state.
    case notRestored(SwitchState, error: String)

    /// As standard error, the overhead table, the results files and the JSON show it.
    public var text: String {
        switch self {
        case let .noEffect(ratio, flips):
            return cFormat("THE SWITCH DID NOT TAKE EFFECT: the null-call probe changed only %.2fx between off and on (median of %d flips; a switch that instruments the kernel makes it 1.5x or more): both sides measured the same kernel",
                           ratio, Int32(flips))
        case let .weakFlips(count, total, rounds):
            let names = rounds.map { $0 < 0 ? "calibration" : String($0 + 1) }
            return "\(count) of \(total) flips changed the null-call probe by less than "
                + cFormat("%.1fx", SwitchController.minimumEffect)
                + " (round \(names.joined(separator: ", "))): check that the switch took effect every time"
        case .failed(let reason): return "the switch failed, so the run stopped early: \(reason)"
        case let .notRestored(state, error):
            return "the switch was NOT put back as it was found (\(state.rawValue)): \(error)"
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
