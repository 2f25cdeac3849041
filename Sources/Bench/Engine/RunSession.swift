import BenchCore
import CShims
import Glibc

/// What to run, and how.
public struct RunRequest: Sendable {
    public var benchmarks: [Benchmark]
    public var settings: RunSettings
    /// An interrupted run to complete (--resume): its cells are kept, missing ones measured.
    public var previous: RunResult?
    /// An interrupted A/B run to complete: both sides' cells are kept.
    public var previousAB: ABRunResult?
    /// The host name the results carry instead of the nodename (--name).
    public var hostName: String?

    public init(benchmarks: [Benchmark], settings: RunSettings, previous: RunResult? = nil, previousAB: ABRunResult? = nil) {
        self.benchmarks = benchmarks
        self.settings = settings
        self.previous = previous
        self.previousAB = previousAB
    }
}

/// One run from start to end: private run directory, calibration, each benchmark
/// in its own supervised process, and cleanup (also after SIGINT/SIGTERM, which
/// stop the run at the next check and leave a partial result). An A/B run
/// (`runAB`) measures every benchmark with a kernel switch off and on, flipping
/// it between the two sides of each pair.
public final class RunSession {
    let request: RunRequest
    let progress: ProgressReporter
    /// Another tool's measurements after each of ours (crosscheck's LMBench programs).
    let companion: PassCompanion?

    public convenience init(request: RunRequest, progress: ProgressReporter) {
        self.init(request: request, progress: progress, companion: nil)
    }

    package init(request: RunRequest, progress: ProgressReporter, companion: PassCompanion?) {
        self.request = request
        self.progress = progress
        self.companion = companion
    }

    /// Silence allowed before a benchmark's first sample at slowdown 1 (tests shorten it).
    static var baseSilenceSeconds: Double {
        if let text = getenv("LMBENCH_SWIFT_SILENCE_LIMIT").map({ String(cString: $0) }),
           let value = Double(text), value > 0 { return value }
        return 60
    }

    public func run() throws -> RunResult {
        try measure(switchSpec: nil) { _, _ in }.results[0]
    }

    /// The A/B run: each round measures every benchmark with the switch off and
    /// on (the order alternating), so drift hits both sides of every pair alike.
    /// Throws a BenchError, having measured nothing, when the switch is not there.
    /// `beforeRestore` gets what was measured before the switch is put back
    /// (`restored` nil), to write it while the restore, which may be slow or
    /// never end, runs; the result returned has the restore's outcome.
    public func runAB(_ spec: SwitchSpec, beforeRestore: (ABRunResult) -> Void = { _ in }) throws -> ABRunResult {
        let measured = try measure(switchSpec: spec) { results, record in beforeRestore(assemble(results, record!)) }
        return assemble(measured.results, measured.record!)
    }

    /// The two sides of an A/B run, each with the switch record (continuing an
    /// interrupted run's).
    private func assemble(_ results: [RunResult], _ measuredRecord: SwitchRecord) -> ABRunResult {
        var record = measuredRecord
        if let previous = request.previousAB?.record { record = record.continuing(previous) }
        var sides = results
        for i in sides.indices {
            sides[i].switchSide = SwitchSide(state: SwitchState.allCases[i], record: record)
        }
        return ABRunResult(off: sides[0], on: sides[1], record: record)
    }

    /// The runs of each side (one without a switch; off and on with one).
    private func measure(switchSpec: SwitchSpec?, beforeRestore: ([RunResult], SwitchRecord?) -> Void) throws
        -> (results: [RunResult], record: SwitchRecord?) {
        let started = cshims_clock_now_ns()  // the budget counts calibration and the first flips too
        var settings = request.settings
        var environment = Environment.current()
        if let name = request.hostName { environment.nodename = name }
        let wake = try Sys.pipe()
        try Sys.setNonBlocking(wake.read)
        try Sys.setNonBlocking(wake.write)
        defer {
            _ = cshims_interrupt_install(-1)  // still caught after the run, with no wake-up into a closed pipe
            Sys.close(wake.read)
            Sys.close(wake.write)
        }
        let rc = cshims_interrupt_install(wake.write)
        if rc != 0 { throw SystemError("sigaction", errno: Errno(rc)) }
        _ = cshims_become_subreaper()
        signal(SIGPIPE, SIG_IGN)

        // The switch first: if it is not there, nothing is measured.
        let clockReadNs = Calibration.clockReadNs()
        let controller = try switchSpec.map { try SwitchController(spec: $0, clockReadNs: clockReadNs) }
        defer { controller?.restore(progress: progress) }
        if let controller, let previous = request.previousAB {
            try controller.resume(previous.record, progress: progress)
        }

        environment.fsdirFileSystem = Sys.fileSystemKind(settings.fsdir)
        let sizing = try RunSession.chooseMB(requested: settings.requestedMB, fsdir: settings.fsdir)
        settings.mb = sizing.mb
        if let message = sizing.message { progress.message(message) }

        let files = try RunFiles.create(fsdir: settings.fsdir, progress: progress)
        defer { files.remove() }

        // Each side is calibrated in its own state (its slowdown scales its
        // timeouts); the clock and loop overheads subtracted are the same for both.
        var calibrations = [Calibration.measure()]
        if let controller {
            let first = controller.state
            try controller.flipBeforeMeasuring(progress: progress)
            controller.chooseInterleaving(enoughNs: Double(settings.enoughMicroseconds) * 1000)
            progress.message("switch: \(controller.record.granularityReason)")
            let second = Calibration.measure(overheadsFrom: calibrations[0])
            calibrations = first == .off ? [calibrations[0], second] : [second, calibrations[0]]
        }
        let supervisors = calibrations.map {
            var supervisor = Supervisor(settings: settings, calibration: $0, files: files, wake: wake, progress: progress,
                                        baseSilenceSeconds: RunSession.baseSilenceSeconds)
            supervisor.switchDriver = controller?.driver
            return supervisor
        }
        let previous = request.previousAB.map { [$0.off, $0.on] } ?? request.previous.map { [$0] } ?? []
        var passes = Passes(benchmarks: request.benchmarks, settings: settings, supervisors: supervisors,
                            progress: progress, controller: controller, previous: previous, started: started)
        passes.companion = companion
        // LMBench's fixed method: every cell gets its intervals, shared out over the
        // rounds. With a budget or a precision target: a few intervals (pairs) per
        // cell, then more for the widest intervals.
        if let target = settings.precisionTarget(abRun: controller != nil) {
            let first = controller == nil ? min(3, settings.repetitions) : RunSettings.firstPairs
            passes.measureInRounds(rounds: min(controller == nil ? 3 : 2, first), repetitions: first,
                                   otherCells: controller == nil ? nil : RunSession.otherCellPairs)
            passes.refine(target: target)
        } else {
            passes.measureInRounds(rounds: max(1, min(settings.rounds, settings.repetitions)), repetitions: settings.repetitions)
        }

        let benchmarks = request.benchmarks
        environment.endDate = Environment.dateLine()
        var results: [RunResult] = []
        for (side, lane) in passes.lanes.enumerated() {
            var result = RunResult(settings: settings, environment: environment, calibration: calibrations[side])
            result.startedAt = environment.startDate
            let outcomes = lane.outcomes
            result.outcomes = benchmarks.compactMap { outcomes[$0.id] }.map(RunSession.flagUnrepresentableCells)
            let sideName = controller == nil ? "" : "switch \(SwitchState.allCases[side].rawValue): "
            for outcome in result.outcomes {
                for warning in outcome.warnings {
                    if case .unrepresentable = warning { progress.warning("\(sideName)\(outcome.id): \(warning.text)") }
                }
            }
            if let controller {
                result.calibration.nullCallEndNs = controller.lastProbe(SwitchState.allCases[side]) ?? 0
            } else {
                result.calibration.nullCallEndNs = Calibration.nullCallProbe(clockReadNs: result.calibration.clockReadNs)
            }
            if abs(result.calibration.drift) > RunSession.driftWarningThreshold {
                progress.warning(sideName + cFormat(
                    "the null-call probe took %.0f ns at the start and %.0f ns at the end: this machine's speed changed during the run (a busy host?), so compare its figures with care",
                    result.calibration.nullCallNs, result.calibration.nullCallEndNs))
            }
            if controller != nil { progress.message("switch \(SwitchState.allCases[side].rawValue):") }
            progress.runFinished(result.outcomes)
            result.partial = cshims_interrupt_signal() != 0 || result.outcomes.count < benchmarks.count
                || result.outcomes.contains { $0.status == .interrupted } || controller?.record.failure != nil
            result.environment.endDate = environment.endDate
            result.finishedAt = environment.endDate
            results.append(result)
        }
        if let controller {
            beforeRestore(results, controller.record)
            controller.restore(progress: progress)
        }
        return (results, controller?.record)
    }

    /// Why a run measured in `old` cannot be completed in `new`, or nil: its
    /// samples would end up in one results file labelled with this machine.
    public static func resumeMismatch(_ old: Environment, _ new: Environment) -> String? {
        let fields: [(String, String, String)] = [
            ("kernel", old.release, new.release),
            ("kernel command line", old.kernelCommandLine ?? "unknown", new.kernelCommandLine ?? "unknown"),
            ("CPU model", old.cpuModel ?? "unknown", new.cpuModel ?? "unknown"),
            ("CPU count", String(old.cpuCount), String(new.cpuCount)),
        ]
        guard let (name, then, now) = fields.first(where: { $0.1 != $0.2 }) else { return nil }
        return "it was measured with \(name) '\(then)', and this machine has '\(now)'"
    }

    /// A run whose every benchmark has all its intervals: resuming it would measure nothing.
    public static func hasNothingToMeasure(_ run: RunResult) -> Bool {
        guard !run.partial else { return false }
        let ids = run.settings.benchmarkIDs.isEmpty ? run.outcomes.map(\.id) : run.settings.benchmarkIDs
        return ids.allSatisfy { id in
            guard let outcome = run.outcome(id), outcome.status == .ok, !outcome.cells.isEmpty else { return false }
            return plan(for: outcome, target: run.settings.repetitions).intervals.values.allSatisfy { $0 == 0 }
        }
    }

    /// Intervals a cell gets per refining pass, and at most in all.
    static let adaptiveStep = 2
    static let maximumAdaptiveIntervals = 200

    /// A change of the null-call probe beyond this fraction is reported.
    static let driftWarningThreshold = 0.15

    /// The signal that interrupted the run, or 0.
    public static var interruptingSignal: Int32 { cshims_interrupt_signal() }

    /// Intervals every cell should have after `round` (0-based) of `rounds`: the
    /// repetitions spread evenly, so each cell's intervals span the whole run and a
    /// burst of disturbance cannot fill a cell's median by itself.
    static func cumulativeIntervals(round: Int, rounds: Int, repetitions: Int) -> Int {
        ((round + 1) * repetitions + rounds - 1) / rounds
    }

    /// The next pass of a benchmark: each known cell gets what it lacks of `target`,
    /// starting from the iteration counts it used before (those of `side`, for
    /// an interleaved pass); unknown cells get `target`.
    static func plan(for sofar: BenchmarkOutcome?, target: Int, side: SwitchState? = nil) -> CellPlan {
        var plan = CellPlan(defaultIntervals: target)
        for cell in sofar?.cells ?? [] {
            let have = cell.series.map(\.samples.count).min() ?? 0
            plan.intervals[cell.id] = max(0, target - have)
            for series in cell.series {
                if let last = series.samples.last {
                    plan.startIterations[CellPlan.key(cell.id, series.name, side)] = last.iterations
                }
            }
        }
        return plan
    }

    /// One interleaved pass for both sides' plans: each cell gets the pairs the
    /// side lacking more needs, from both sides' iteration counts.
    static func interleavedPlan(_ plans: [CellPlan], from state: SwitchState) -> CellPlan {
        var plan = CellPlan(defaultIntervals: plans.map(\.defaultIntervals).max() ?? 0)
        for side in plans {
            plan.intervals.merge(side.intervals) { max($0, $1) }
            plan.startIterations.merge(side.startIterations) { first, _ in first }
        }
        plan.interleavedFrom = state
        return plan
    }

    /// In that first pass, the cells of no summary table (the rings of 4 to 96
    /// processes, select on 10, 250 and 500 descriptors) get this many: what the
    /// results file needs, not what the precision target is about.
    static let otherCellPairs = 3
    /// Pairs an A/B cell gets at most in all.
    static let maximumPairs = 4000
    /// The fewest pairs a refining pass gives a cell.
    static let minimumPairStep = 4
    /// A/B cells with fewer pairs get more whatever their interval says: the
    /// bootstrap of a median from a few pairs can come out far too narrow.
    static let minimumTrustedPairs = 32
    /// And fewer rounds: the ratio moves from one visit of a benchmark to the
    /// next, and a bootstrap over a few rounds cannot see by how much.
    static let minimumTrustedRounds = 6
    /// Pairs a refining pass gives an A/B cell at most: more visits with fewer
    /// pairs each, since its interval resamples visits (rounds), and a round
    /// with most of the pairs would decide the median alone. In the TCG guest
    /// under `tracing_on` a pair's ratio scatters by about 20% and a visit's
    /// median by 5-10%, so past about ten pairs a visit more pairs buy little;
    /// with the switch flipped around benchmarks or rounds (pairs seconds
    /// apart) a visit's pairs share even more.
    static let maximumPairsPerVisit = 16
    /// An A/B cell with no interval from this many pairs gets no more.
    static let maximumPairsWithoutInterval = 128

    /// Warns about every cell whose value the results file cannot carry (zero or
    /// negative after a subtraction, or not a number): LMBench drops such a line
    /// silently; the JSON keeps the cell with its raw terms.
    static func flagUnrepresentableCells(_ outcome: BenchmarkOutcome) -> BenchmarkOutcome {
        var outcome = outcome
        for cell in outcome.cells {
            let value = cell.value
            guard !(value.isFinite && value > 0) else { continue }
            let terms = zip(cell.estimate.terms, cell.termValues).map { term, ns in
                (term.coefficient < 0 ? "minus " : "") + "\(term.statistic.rawValue) of \(term.series) "
                    + cFormat("%.4f us", ns / 1000)
            }
            let warning = BenchmarkWarning.unrepresentable(cell: cell.id, value: value, terms: terms)
            if !outcome.warnings.contains(where: { $0.text == warning.text }) { outcome.warnings.append(warning) }
        }
        return outcome
    }

    /// The --mb actually used: the requested size if the file system of `fsdir`
    /// has twice that free and memory has twice that available, else the largest
    /// power of two that fits both.
    public static func chooseMB(requested: Int, fsdir: String,
                                availableMemoryMB: Int? = Sys.availableMemoryMB()) throws -> (mb: Int, message: String?) {
        let freeMB = Int(try Sys.freeBytes(fsdir) / (1 << 20))
        let roomMB = min(freeMB, availableMemoryMB ?? Int.max)
        if 2 * requested <= roomMB { return (requested, nil) }
        var mb = 1
        while 4 * mb <= roomMB { mb *= 2 }
        guard 2 * mb <= roomMB else {
            throw BenchError("\(fsdir) has only \(freeMB) MiB free: not enough for the test file")
        }
        let limit = roomMB == freeMB ? "\(fsdir) has \(freeMB) MiB free" : "\(roomMB) MiB of memory is available"
        return (mb, "--mb \(requested) does not fit (\(limit), twice the size is needed): using \(mb) MiB")
    }


}

/// A cell's precision as the refining decisions and the progress lines use it:
/// half its interval's width, relative (an A/B cell's slowdown's, nil with no
/// interval), its intervals (pairs) and rounds, and an A/B cell's slowdown.
struct CellPrecision {
    let cell: String
    let precision: Double?
    let intervals: Int
    let rounds: Int
    let slowdown: Double?
}

/// The passes of one run over its benchmarks, and what they measured so far:
/// one lane per side (one for a plain run; off and on for an A/B run).
struct Passes {
    /// One side's supervisor and what it measured so far.
    struct Lane {
        let supervisor: any PassRunner
        var outcomes: [String: BenchmarkOutcome] = [:]
    }

    let benchmarks: [Benchmark]
    /// The summary tables' cells of this run's benchmarks, which refining
    /// narrows: a cell may feed one that another benchmark declares (null write
    /// feeds null I/O, declared by null read; it gets a first pass's few pairs
    /// as other cells do, then refining's).
    let summaryMetrics: [SummaryMetric]
    let settings: RunSettings
    let progress: ProgressReporter
    let controller: SwitchController?
    let resuming: Bool
    var lanes: [Lane]
    var passSeconds: [String: [Double]] = [:]
    /// Per benchmark, what its passes took beyond their recorded intervals
    /// (process, set-up, ramp-up, flips): what a refining pass costs besides its intervals.
    var passOverheadSeconds: [String: [Double]] = [:]
    /// Rounds so far, counted over the whole run (a resumed run goes on from its last).
    var rounds = 0
    /// The first round of this session.
    let firstRound: Int
    let started: Int64
    /// The monotonic clock, nanoseconds (a script in tests).
    let clock: () -> Int64
    /// The switch failed: no more passes.
    var stopped = false
    /// What the first round's passes took, both sides (what a flip is weighed against).
    var firstRoundSeconds = 0.0
    /// What `precisions` gives for each cell, kept while its benchmark gets no
    /// new pass: in a TCG guest, building a cell's pairs and bootstrapping its
    /// slowdown anew for every refining decision took seconds a round.
    var precisionCache: [String: CellPrecision] = [:]
    /// Another tool measured after each pass (see `PassCompanion`).
    var companion: PassCompanion?

    init(benchmarks: [Benchmark], settings: RunSettings, supervisors: [any PassRunner], progress: ProgressReporter,
         controller: SwitchController?, previous: [RunResult], started: Int64, clock: @escaping () -> Int64 = { cshims_clock_now_ns() }) {
        self.started = started
        self.clock = clock
        self.benchmarks = benchmarks
        summaryMetrics = benchmarks.flatMap(\.metrics)
        self.settings = settings
        self.progress = progress
        self.controller = controller
        resuming = !previous.isEmpty
        lanes = supervisors.map { Lane(supervisor: $0) }
        for (lane, run) in previous.enumerated() where lane < lanes.count {
            for outcome in run.outcomes { lanes[lane].outcomes[outcome.id] = outcome }
        }
        // A resumed run's new intervals come in rounds after the old ones.
        let previousRounds = previous.flatMap { $0.allCells.flatMap { $0.series.flatMap { $0.samples.map(\.round) } } }
        rounds = (previousRounds.max() ?? -1) + 1
        firstRound = rounds
    }

    var elapsed: Double { Double(clock() - started) / 1e9 }
    var interrupted: Bool { cshims_interrupt_signal() != 0 || stopped }
    var interleaving: Bool { controller?.record.interleaved == true }

    /// The lane of a side.
    static func lane(_ state: SwitchState) -> Int { state == .off ? 0 : 1 }

    /// Refining aims this share below the target.
    static let targetMargin = 0.1
    /// A budget alone narrows the widest intervals down to this half-width at most.
    static let finestTarget = 0.002

    /// One pass of one benchmark on one lane with this plan, merged into what it has so far.
    mutating func pass(_ index: Int, _ plan: CellPlan, lane: Int, of total: Int) {
        let benchmark = benchmarks[index]
        let side = controller == nil ? nil : SwitchState.allCases[lane]
        progress.benchmarkStarted(benchmark, index: index, total: benchmarks.count, round: rounds - firstRound,
                                  rounds: total, side: side)
        let outcome = lanes[lane].supervisor.run(benchmark, plan: plan).sides[0].inRound(rounds)
        record(outcome, of: benchmark, into: [lane])
        progress.benchmarkFinished(lanes[lane].outcomes[benchmark.id]!, index: index, total: benchmarks.count,
                                   round: rounds - firstRound, rounds: total, side: side)
        if !interrupted { companion?.visit(benchmark, round: rounds, state: side ?? .off, interleaved: false, flip: { _ in true }) }
    }

    /// One interleaved pass of one benchmark: both sides in one process, the
    /// switch flipped between intervals, starting (and ending) in its current state.
    mutating func interleavedPass(_ index: Int, _ plans: [CellPlan], of total: Int) {
        guard let controller, !stopped else { return }
        let benchmark = benchmarks[index]
        // A pass that ended without saying where it left the switch: set it again.
        if !controller.stateKnown { flip(to: controller.state, benchmark: benchmark.id) }
        if stopped { return }
        progress.benchmarkStarted(benchmark, index: index, total: benchmarks.count, round: rounds - firstRound,
                                  rounds: total, side: nil)
        let plan = RunSession.interleavedPlan(plans, from: controller.state)
        // The slower side's calibration sets the limits (how long a benchmark may stay silent).
        let supervisor = lanes.max { $0.supervisor.calibration.slowdown < $1.supervisor.calibration.slowdown }!.supervisor
        let result = supervisor.run(benchmark, plan: plan)
        controller.recordInterleaved(flips: result.flips, seconds: result.flipSeconds, endState: result.endState,
                                     failure: result.switchFailure)
        if let failure = result.switchFailure {
            progress.warning("--switch \(controller.record.spec.text): \(failure): the run stops here")
            stopped = true
        }
        for (lane, outcome) in result.sides.enumerated() {
            record(outcome.inRound(rounds), of: benchmark, into: [lane], countTime: lane == 0, flipSeconds: result.flipSeconds)
        }
        progress.benchmarkFinished(lanes[0].outcomes[benchmark.id]!, index: index, total: benchmarks.count,
                                   round: rounds - firstRound, rounds: total, side: nil)
        if let pairs = abStatus(benchmark) { progress.message(pairs) }
        if let companion, !interrupted {
            companion.visit(benchmark, round: rounds, state: controller.state, interleaved: true) { target in
                do { try controller.flipBetweenMeasurements(to: target) } catch {
                    progress.warning("--switch \(controller.record.spec.text): \(error): the run stops here")
                    stopped = true
                }
                return !stopped
            }
        }
    }

    /// Merges a pass's outcome into its lanes and keeps what it cost.
    private mutating func record(_ outcome: BenchmarkOutcome, of benchmark: Benchmark, into lanes: [Int], countTime: Bool = true,
                                 flipSeconds: Double = 0) {
        if countTime {
            passSeconds[benchmark.id, default: []].append(outcome.elapsedSeconds)
            let measured = outcome.cells.reduce(0.0) { sum, cell in
                sum + cell.series.reduce(0.0) { $0 + $1.samples.reduce(0.0) { $0 + Double($1.elapsedNs) / 1e9 } }
            } * (interleaving ? 2 : 1)
            passOverheadSeconds[benchmark.id, default: []].append(max(0, outcome.elapsedSeconds - measured - flipSeconds))
        }
        for lane in lanes {
            let merged = self.lanes[lane].outcomes[benchmark.id].map { $0.merging(outcome) } ?? outcome
            self.lanes[lane].outcomes[benchmark.id] = merged
        }
        for cell in outcome.cells { precisionCache[cell.id] = nil }
    }

    /// Sets the switch for the next pass(es); a failure stops the run.
    mutating func flip(to state: SwitchState, benchmark: String?) {
        guard let controller, !stopped else { return }
        do {
            let flips = controller.record.flips.count
            try controller.flip(to: state, round: rounds, benchmark: benchmark)
            if benchmark == nil, controller.record.flips.count > flips, let flip = controller.record.flips.last {
                progress.message(controller.describe(flip))
            }
        } catch {
            progress.warning("\(error): the run stops here")
            stopped = true
        }
    }

    /// `repetitions` intervals (pairs, interleaved) per cell, shared out over
    /// `count` rounds. A benchmark measured once per run takes all of LMBench's
    /// intervals in the first. With a switch, each round measures each benchmark
    /// on both sides: interleaved, in one pass, the side that leads alternating
    /// from round to round (one flip, with its probe, per round); otherwise the
    /// current side first, the first round side by side (which times every
    /// pass), later rounds around each benchmark or each round, as the flip cost allows.
    mutating func measureInRounds(rounds count: Int, repetitions: Int, otherCells: Int? = nil) {
        for round in 0..<count {
            if interrupted { return }
            let target = RunSession.cumulativeIntervals(round: round, rounds: count, repetitions: repetitions)
            let others = otherCells.map { RunSession.cumulativeIntervals(round: round, rounds: count, repetitions: min($0, repetitions)) }
            // What each benchmark measures this round, per lane.
            var todo: [(index: Int, plans: [CellPlan])] = []
            for (index, benchmark) in benchmarks.enumerated() {
                let sofar = lanes.map { $0.outcomes[benchmark.id] }
                // A benchmark that crashed or hung in this run is not started again.
                if sofar.contains(where: { $0?.failedThisRun == true }) { continue }
                if !benchmark.everyRound && round > 0 { continue }
                let plans = sofar.enumerated().map { lane, sofar in
                    var plan = RunSession.plan(for: sofar, target: benchmark.everyRound ? target : settings.repetitions,
                                               side: interleaving ? SwitchState.allCases[lane] : nil)
                    if let others, benchmark.everyRound, let summary = benchmark.summaryCellIDs {
                        plan = RunSession.plan(for: sofar, target: others, side: interleaving ? SwitchState.allCases[lane] : nil)
                        for id in summary {
                            let have = sofar?.cells.first { $0.id == id }?.series.map(\.samples.count).min() ?? 0
                            plan.intervals[id] = max(0, target - have)
                        }
                    }
                    return plan
                }
                let complete = zip(sofar, plans).allSatisfy { sofar, plan in
                    guard let sofar else { return false }
                    return sofar.status == .ok && plan.intervals.values.allSatisfy { $0 == 0 } && !sofar.cells.isEmpty
                }
                if complete && (round > 0 || resuming) { continue }  // every cell already has its share
                todo.append((index, plans))
            }
            if let controller, interleaving {
                if round > 0 || resuming { flip(to: controller.state.other, benchmark: nil) }
                for item in todo where !interrupted { interleavedPass(item.index, item.plans, of: count) }
                if round == 0 {
                    firstRoundSeconds = passSeconds.values.reduce(0) { $0 + $1.reduce(0, +) }
                    if !controller.confirmInterleaving(enoughNs: Double(settings.enoughMicroseconds) * 1000) {
                        progress.message("switch: \(controller.record.granularityReason)")
                    }
                }
            } else if let controller {
                if round == 1 {
                    controller.chooseGranularity(benchmarks: benchmarks.count, roundSeconds: firstRoundSeconds)
                    progress.message("switch: \(controller.record.granularityReason)")
                }
                // Blocks of benchmarks, each measured on both sides, one flip per block.
                let size = round == 0 ? todo.count : max(1, controller.record.benchmarksPerFlip)
                for start in stride(from: 0, to: todo.count, by: max(size, 1)) {
                    let block = todo[start..<min(start + size, todo.count)]
                    for state in controller.order where !interrupted {
                        flip(to: state, benchmark: size == 1 ? benchmarks[block.first!.index].id : nil)
                        for item in block where !interrupted {
                            pass(item.index, item.plans[Passes.lane(state)], lane: Passes.lane(state), of: count)
                        }
                    }
                }
                if round == 0 { firstRoundSeconds = passSeconds.values.reduce(0) { $0 + $1.reduce(0, +) } }
            } else {
                for item in todo where !interrupted { pass(item.index, item.plans[0], lane: 0, of: count) }
            }
            progress.roundFinished(round, rounds: count, elapsedSeconds: elapsed)
            rounds += 1
        }
    }

    /// The cells a precision target applies to, with their precision (half the
    /// interval's width, relative): in an A/B run the slowdown of each cell of
    /// the summary tables (paired), in a plain run every cell's value.
    mutating func precisions(_ benchmark: Benchmark) -> [CellPrecision] {
        guard let sofar = lanes[0].outcomes[benchmark.id] else { return [] }
        guard controller != nil, let onSide = lanes[1].outcomes[benchmark.id] else {
            return sofar.cells.map { cell in
                if let kept = precisionCache[cell.id] { return kept }
                let item = CellPrecision(cell: cell.id, precision: cell.roughPrecision,
                                         intervals: cell.series.map(\.samples.count).min() ?? 0, rounds: 0, slowdown: nil)
                precisionCache[cell.id] = item
                return item
            }
        }
        let summary = SummaryMetric.cellIDs(sofar.cells, feeding: summaryMetrics)
        return sofar.cells.filter { summary.contains($0.id) }.compactMap { off in
            if let kept = precisionCache[off.id] { return kept }
            guard let on = onSide.cells.first(where: { $0.id == off.id }) else { return nil }
            let pair = CellPair(off: off, on: on)
            let item = CellPrecision(cell: off.id, precision: pair.precision(), intervals: pair.pairs, rounds: pair.rounds,
                                     slowdown: pair.slowdown)
            precisionCache[off.id] = item
            return item
        }
    }

    /// For the plain progress lines of an A/B run: each summary cell's slowdown
    /// so far with its ± (the interval --target-ci aims at), and the time left.
    mutating func abStatus(_ benchmark: Benchmark) -> String? {
        guard controller != nil else { return nil }
        let cells = precisions(benchmark).compactMap { item -> String? in
            guard let slowdown = item.slowdown else { return nil }
            return item.cell + cFormat(" %.3gx", slowdown) + (item.precision.map { cFormat(" ±%.1f%%", $0 * 100) } ?? "")
                + " (\(item.intervals) pairs)"
        }
        guard !cells.isEmpty else { return nil }
        var text = "slowdown so far: " + cells.joined(separator: ", ")
        if let budget = settings.budgetSeconds { text += cFormat("; %.0f s of the budget left", max(0, budget - elapsed)) }
        return text
    }

    /// More intervals (pairs, in an A/B run) for the cells whose interval is
    /// wider than `target`, widest first, while the budget lasts (a pass is
    /// started only if its predicted length fits); it aims a tenth below the
    /// target (the tables' interval takes more replicates than this check). In
    /// an A/B run each refining round measures its benchmarks on both sides:
    /// interleaved, one pass each (the leading side alternating, one flip per
    /// round); otherwise all of them on one side, a flip, all on the other (the
    /// fewest flips). With a budget alone, a cell that cannot reach the target
    /// in the time left is left where it is, and once every other cell is within
    /// it the time left narrows them further, the cheapest passes first (which
    /// brings the most cells down per second).
    mutating func refine(target: Double) {
        let goal = target * (1 - Passes.targetMargin)
        var target = goal
        while !interrupted {
            var chosen: [(index: Int, plans: [CellPlan])] = []
            var needy = needs(target)
            if settings.spendsWholeBudget, let budget = settings.budgetSeconds {
                // A budget alone: a cell that cannot reach the goal in the time left
                // (a difference within its noise of zero narrows far slower than its
                // pairs grow) is left where it is, rather than take the time of every
                // other cell (in a TCG guest, the protection fault took 568 pairs and
                // most of five minutes while null call kept 40).
                let timeLeft = budget - elapsed
                let outOfReach = Set((target == goal ? needy : needs(goal)).filter {
                    $0.worst.isFinite && secondsToReach(benchmarks[$0.index], $0.toTarget) > timeLeft
                }.map(\.index))
                needy.removeAll { outOfReach.contains($0.index) }
            }
            let costed = needy.map { ($0, predictedSeconds(benchmarks[$0.index], steps: $0.steps)) }
                .sorted { target < goal ? $0.1 < $1.1 : $0.0.worst > $1.0.worst }
            let budgetLeft = settings.budgetSeconds.map { $0 - elapsed }
            for index in Passes.choose(costed.map(\.1), budgetLeft: budgetLeft) {
                let item = costed[index].0
                let benchmark = benchmarks[item.index]
                chosen.append((item.index, lanes.enumerated().map { lane, _ in
                    var plan = RunSession.plan(for: lanes[lane].outcomes[benchmark.id], target: 0,
                                               side: interleaving ? SwitchState.allCases[lane] : nil)
                    plan.intervals = item.steps
                    plan.defaultIntervals = 0
                    return plan
                }))
            }
            if chosen.isEmpty {
                guard needy.isEmpty, settings.spendsWholeBudget, target > Passes.finestTarget else { return }
                target *= 0.7
                continue
            }
            let total = rounds - firstRound + 1
            if let controller, interleaving {
                flip(to: controller.state.other, benchmark: nil)
                for item in chosen where !interrupted { interleavedPass(item.index, item.plans, of: total) }
            } else if let controller {
                for state in controller.order where !interrupted {
                    flip(to: state, benchmark: nil)
                    for item in chosen where !interrupted {
                        pass(item.index, item.plans[Passes.lane(state)], lane: Passes.lane(state), of: total)
                    }
                }
            } else {
                for item in chosen where !interrupted { pass(item.index, item.plans[0], lane: 0, of: total) }
            }
            progress.roundFinished(rounds - firstRound, rounds: total, elapsedSeconds: elapsed)
            rounds += 1
        }
    }

    /// How many more intervals a cell gets in one refining pass: in a plain run
    /// a fixed step; in an A/B run half of what its interval's width predicts it
    /// needs (the width shrinks as one over the square root of the pairs), at
    /// least a few pairs and at most doubling them, so that the budget goes
    /// where it buys the most and no pass overshoots by much; at most
    /// `maximumPairsPerVisit`.
    func step(intervals: Int, precision: Double, target: Double) -> Int {
        guard controller != nil else { return RunSession.adaptiveStep }
        // Not yet trusted: a few pairs a visit, so that the rounds come quickly.
        guard precision.isFinite, intervals > 0 else { return RunSettings.firstPairs }
        let needed = Double(intervals) * (precision / target) * (precision / target)
        return min(RunSession.maximumPairsPerVisit, max(RunSession.minimumPairStep, Int(((needed - Double(intervals)) / 2).rounded(.up))),
                   max(intervals, RunSession.minimumPairStep))
    }

    /// The benchmarks whose summary cells are wider than `target` (or not yet
    /// trusted), with their widest cell's half-width, the pairs (intervals) each
    /// such cell gets in one refining pass, and the pairs each needs to reach it.
    mutating func needs(_ target: Double) -> [(index: Int, worst: Double, steps: [String: Int], toTarget: [String: Int])] {
        benchmarks.indices.compactMap { index in
            let benchmark = benchmarks[index]
            guard benchmark.everyRound, lanes.allSatisfy({ $0.outcomes[benchmark.id].map { !$0.failedThisRun } ?? false })
            else { return nil }
            var steps: [String: Int] = [:]
            var toTarget: [String: Int] = [:]
            var worst = 0.0
            for item in precisions(benchmark) {
                let limit = controller == nil ? RunSession.maximumAdaptiveIntervals : RunSession.maximumPairs
                guard item.intervals < limit else { continue }
                // No interval even from many pairs: a difference whose off side stays
                // within its noise of zero in some draws (from fewer, more pairs can
                // steady its median and give it one).
                if item.precision == nil && item.intervals >= RunSession.maximumPairsWithoutInterval && controller != nil { continue }
                // Too few pairs or rounds for a bootstrap of a median to be trusted.
                let trusted = controller == nil
                    || (item.intervals >= RunSession.minimumTrustedPairs && item.rounds >= RunSession.minimumTrustedRounds)
                let precision = trusted ? item.precision ?? .infinity : .infinity
                guard precision > target else { continue }
                steps[item.cell] = min(limit - item.intervals, step(intervals: item.intervals, precision: precision, target: target))
                let toReach = Passes.pairsToReach(target, intervals: item.intervals, precision: precision)
                toTarget[item.cell] = toReach <= limit - item.intervals ? toReach : Passes.unreachable
                worst = max(worst, precision)
            }
            return steps.isEmpty ? nil : (index, worst, steps, toTarget)
        }
    }

    /// Which of a refining round's candidates (their predicted costs, in order)
    /// it measures: each that fits in what is left of the budget.
    static func choose(_ costs: [Double], budgetLeft: Double?) -> [Int] {
        var chosen: [Int] = []
        var predicted = 0.0
        for (index, cost) in costs.enumerated() {
            if let budgetLeft, predicted + cost > budgetLeft { continue }
            predicted += cost
            chosen.append(index)
        }
        return chosen
    }

    /// Pairs to a target no number of them reaches (past a cell's limit, or
    /// from no interval): far more than any run takes.
    static let unreachable = Int.max / 4

    /// The pairs a cell needs to narrow its interval from `precision` to
    /// `target`: the width shrinks as one over the square root of the pairs.
    static func pairsToReach(_ target: Double, intervals: Int, precision: Double) -> Int {
        guard precision.isFinite, intervals > 0 else { return unreachable }
        return max(1, Int((Double(intervals) * ((precision / target) * (precision / target) - 1)).rounded(.up)))
    }

    /// The predicted time for `benchmark`'s cells to get these many more pairs:
    /// their intervals, and one pass's overhead for every visit they take
    /// (at most `maximumPairsPerVisit` pairs a visit); infinite if one is `unreachable`.
    func secondsToReach(_ benchmark: Benchmark, _ pairs: [String: Int]) -> Double {
        if pairs.values.contains(Passes.unreachable) { return .infinity }
        let visits = Double(((pairs.values.max() ?? 0) + RunSession.maximumPairsPerVisit - 1) / RunSession.maximumPairsPerVisit)
        let overhead = Statistics(passOverheadSeconds[benchmark.id] ?? [0]).median
        return predictedSeconds(benchmark, steps: pairs) + max(0, visits - 1) * overhead * (interleaving || controller == nil ? 1 : 2)
    }

    /// The predicted length of a refining pass of `benchmark`: what its passes
    /// took beyond their intervals, plus the steps' intervals at the lengths its
    /// cells' intervals have had (both sides, every term).
    func predictedSeconds(_ benchmark: Benchmark, steps: [String: Int]) -> Double {
        let overhead = Statistics(passOverheadSeconds[benchmark.id] ?? [0]).median
        let sides = Double(lanes.count)
        var measuring = 0.0
        for (cellID, step) in steps {
            guard let cell = lanes[0].outcomes[benchmark.id]?.cells.first(where: { $0.id == cellID }) else { continue }
            let perInterval = cell.series.reduce(0.0) { sum, series in
                sum + Statistics(series.samples.map { Double($0.elapsedNs) / 1e9 }).median
            }
            measuring += Double(step) * perInterval * sides
        }
        // Interleaved, a pair costs a flip (ABBA: one per pair) besides its intervals.
        var flips = 0.0
        if let record = controller?.record {
            if interleaving, record.interleavedFlips > 0 {
                flips = Double(steps.values.reduce(0, +)) * record.interleavedFlipSeconds / Double(record.interleavedFlips)
            } else if !interleaving {
                flips = 2 * (record.flipSeconds ?? 0) / Double(max(1, benchmarks.count))
            }
        }
        return overhead * (interleaving || controller == nil ? 1 : 2) + measuring + flips
    }
}
