import CShims
import Glibc

/// What to run, and how.
public struct RunRequest: Sendable {
    public var benchmarks: [Benchmark]
    public var settings: RunSettings
    /// An interrupted run to complete (--resume): its cells are kept, missing ones measured.
    public var previous: RunResult?

    public init(benchmarks: [Benchmark], settings: RunSettings, previous: RunResult? = nil) {
        self.benchmarks = benchmarks
        self.settings = settings
        self.previous = previous
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

    public init(request: RunRequest, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    /// Silence allowed before a benchmark's first sample at slowdown 1 (tests shorten it).
    static var baseSilenceSeconds: Double {
        if let text = getenv("LMBENCH_SWIFT_SILENCE_LIMIT").map({ String(cString: $0) }),
           let value = Double(text), value > 0 { return value }
        return 60
    }

    public func run() throws -> RunResult {
        try measure(switchSpec: nil).results[0]
    }

    /// The A/B run: each round measures every benchmark with the switch off and
    /// on (the order alternating), so drift hits both sides of every pair alike.
    /// Throws a BenchError, having measured nothing, when the switch is not there.
    public func runAB(_ spec: SwitchSpec) throws -> ABRunResult {
        let measured = try measure(switchSpec: spec)
        let record = measured.record!
        var sides = measured.results
        for i in sides.indices {
            sides[i].switchSide = SwitchSide(state: SwitchState.allCases[i], record: record)
        }
        return ABRunResult(off: sides[0], on: sides[1], record: record)
    }

    /// The runs of each side (one without a switch; off and on with one).
    private func measure(switchSpec: SwitchSpec?) throws -> (results: [RunResult], record: SwitchRecord?) {
        var settings = request.settings
        var environment = Environment.current()
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
        defer { controller?.restore() }

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
            let second = Calibration.measure(overheadsFrom: calibrations[0])
            calibrations = first == .off ? [calibrations[0], second] : [second, calibrations[0]]
        }
        let supervisors = calibrations.map {
            Supervisor(settings: settings, calibration: $0, files: files, wake: wake, progress: progress,
                       baseSilenceSeconds: RunSession.baseSilenceSeconds)
        }
        var passes = Passes(benchmarks: request.benchmarks, settings: settings, supervisors: supervisors,
                            progress: progress, controller: controller, previous: request.previous)
        // LMBench's fixed method: every cell gets its intervals, shared out over the
        // rounds. With a budget or a precision target: three intervals per cell, then
        // more for the widest intervals.
        if let target = settings.precisionTarget {
            passes.measureInRounds(rounds: min(3, settings.repetitions), repetitions: min(3, settings.repetitions))
            passes.refine(target: target)
        } else {
            passes.measureInRounds(rounds: max(1, min(settings.rounds, settings.repetitions)), repetitions: settings.repetitions)
        }
        controller?.restore()

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

    /// The precision aimed at with --budget alone, percent.
    public static let defaultTargetPercent = 2.0
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
    /// starting from the iteration counts it used before; unknown cells get `target`.
    static func plan(for sofar: BenchmarkOutcome?, target: Int) -> CellPlan {
        var plan = CellPlan(defaultIntervals: target)
        for cell in sofar?.cells ?? [] {
            let have = cell.series.map(\.samples.count).min() ?? 0
            plan.intervals[cell.id] = max(0, target - have)
            for series in cell.series {
                if let last = series.samples.last {
                    plan.startIterations[CellPlan.key(cell.id, series.name)] = last.iterations
                }
            }
        }
        return plan
    }

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

/// The passes of one run over its benchmarks, and what they measured so far:
/// one lane per side (one for a plain run; off and on for an A/B run).
private struct Passes {
    /// One side's supervisor and what it measured so far.
    struct Lane {
        let supervisor: Supervisor
        var outcomes: [String: BenchmarkOutcome] = [:]
    }

    let benchmarks: [Benchmark]
    let settings: RunSettings
    let progress: ProgressReporter
    let controller: SwitchController?
    let resuming: Bool
    var lanes: [Lane]
    var passSeconds: [String: [Double]] = [:]
    /// Rounds so far, counted over the whole run (a resumed run goes on from its last).
    var rounds = 0
    /// The first round of this session.
    let firstRound: Int
    let started = cshims_clock_now_ns()
    /// The switch failed: no more passes.
    var stopped = false
    /// What the first round's passes took, both sides (what a flip is weighed against).
    var firstRoundSeconds = 0.0

    init(benchmarks: [Benchmark], settings: RunSettings, supervisors: [Supervisor], progress: ProgressReporter,
         controller: SwitchController?, previous: RunResult?) {
        self.benchmarks = benchmarks
        self.settings = settings
        self.progress = progress
        self.controller = controller
        resuming = previous != nil
        lanes = supervisors.map { Lane(supervisor: $0) }
        for outcome in previous?.outcomes ?? [] { lanes[0].outcomes[outcome.id] = outcome }
        // A resumed run's new intervals come in rounds after the old ones.
        let previousRounds = previous?.allCells.flatMap { $0.series.flatMap { $0.samples.map(\.round) } } ?? []
        rounds = (previousRounds.max() ?? -1) + 1
        firstRound = rounds
    }

    var elapsed: Double { Double(cshims_clock_now_ns() - started) / 1e9 }
    var interrupted: Bool { cshims_interrupt_signal() != 0 || stopped }

    /// The lane of a side.
    static func lane(_ state: SwitchState) -> Int { state == .off ? 0 : 1 }

    /// One pass of one benchmark on one lane with this plan, merged into what it has so far.
    mutating func pass(_ index: Int, _ plan: CellPlan, lane: Int, of total: Int) {
        let benchmark = benchmarks[index]
        let side = controller == nil ? nil : SwitchState.allCases[lane]
        progress.benchmarkStarted(benchmark, index: index, total: benchmarks.count, round: rounds - firstRound,
                                  rounds: total, side: side)
        let outcome = lanes[lane].supervisor.run(benchmark, plan: plan).inRound(rounds)
        passSeconds[benchmark.id, default: []].append(outcome.elapsedSeconds)
        let merged = lanes[lane].outcomes[benchmark.id].map { $0.merging(outcome) } ?? outcome
        lanes[lane].outcomes[benchmark.id] = merged
        progress.benchmarkFinished(merged, index: index, total: benchmarks.count, round: rounds - firstRound,
                                   rounds: total, side: side)
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

    /// `repetitions` intervals per cell, shared out over `count` rounds. A benchmark
    /// measured once per run takes all of LMBench's intervals in the first. With a
    /// switch, each round measures each benchmark on both sides, the current side
    /// first: the first round side by side (which times every pass), later rounds
    /// around each benchmark or each round, as the flip cost allows.
    mutating func measureInRounds(rounds count: Int, repetitions: Int) {
        for round in 0..<count {
            if interrupted { return }
            let target = RunSession.cumulativeIntervals(round: round, rounds: count, repetitions: repetitions)
            // What each benchmark measures this round, per lane.
            var todo: [(index: Int, plans: [CellPlan])] = []
            for (index, benchmark) in benchmarks.enumerated() {
                let sofar = lanes.map { $0.outcomes[benchmark.id] }
                // A benchmark that crashed or hung in this run is not started again.
                if sofar.contains(where: { $0?.failedThisRun == true }) { continue }
                if !benchmark.everyRound && round > 0 { continue }
                let plans = sofar.map { RunSession.plan(for: $0, target: benchmark.everyRound ? target : settings.repetitions) }
                let complete = zip(sofar, plans).allSatisfy { sofar, plan in
                    guard let sofar else { return false }
                    return sofar.status == .ok && plan.intervals.values.allSatisfy { $0 == 0 } && !sofar.cells.isEmpty
                }
                if complete && (round > 0 || resuming) { continue }  // every cell already has its share
                todo.append((index, plans))
            }
            if let controller {
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

    /// More intervals for the cells whose interval is wider than `target`, widest
    /// first, while the budget lasts (a pass is started only if its usual length
    /// fits). Plain runs only (one lane).
    mutating func refine(target: Double) {
        while !interrupted {
            let needy = benchmarks.indices.compactMap { index -> (index: Int, worst: Double, cells: [String])? in
                let benchmark = benchmarks[index]
                guard benchmark.everyRound, let sofar = lanes[0].outcomes[benchmark.id], !sofar.failedThisRun else { return nil }
                let wide = sofar.cells.compactMap { cell -> (String, Double)? in
                    guard let precision = cell.roughPrecision, precision > target,
                          (cell.series.map(\.samples.count).min() ?? 0) < RunSession.maximumAdaptiveIntervals else { return nil }
                    return (cell.id, precision)
                }
                guard let worst = wide.map(\.1).max() else { return nil }
                return (index, worst, wide.map(\.0))
            }.sorted { $0.worst > $1.worst }
            var ranAny = false
            for item in needy {
                if interrupted { return }
                let cost = Statistics(passSeconds[benchmarks[item.index].id] ?? [0]).median
                if let budget = settings.budgetSeconds, elapsed + cost > budget { continue }
                var plan = RunSession.plan(for: lanes[0].outcomes[benchmarks[item.index].id], target: 0)
                plan.intervals = Dictionary(uniqueKeysWithValues: item.cells.map { ($0, RunSession.adaptiveStep) })
                plan.defaultIntervals = 0
                pass(item.index, plan, lane: 0, of: rounds - firstRound + 1)
                ranAny = true
            }
            if !ranAny { return }
            progress.roundFinished(rounds - firstRound, rounds: rounds - firstRound + 1, elapsedSeconds: elapsed)
            rounds += 1
        }
    }
}
