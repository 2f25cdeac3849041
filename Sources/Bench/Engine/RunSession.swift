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
/// stop the run at the next check and leave a partial result).
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
        var settings = request.settings
        var environment = Environment.current()
        let wake = try Sys.pipe()
        try Sys.setNonBlocking(wake.read)
        try Sys.setNonBlocking(wake.write)
        defer { Sys.close(wake.read); Sys.close(wake.write) }
        let rc = cshims_interrupt_install(wake.write)
        if rc != 0 { throw SystemError("sigaction", errno: Errno(rc)) }
        _ = cshims_become_subreaper()
        signal(SIGPIPE, SIG_IGN)

        let sizing = try RunSession.chooseMB(requested: settings.requestedMB, fsdir: settings.fsdir)
        settings.mb = sizing.mb
        if let message = sizing.message { progress.message(message) }

        let files = try RunFiles.create(fsdir: settings.fsdir)
        defer { files.remove() }

        let calibration = Calibration.measure()
        var result = RunResult(settings: settings, environment: environment, calibration: calibration)
        result.startedAt = environment.startDate
        let supervisor = Supervisor(settings: settings, calibration: calibration, files: files,
                                    wake: wake, progress: progress, baseSilenceSeconds: RunSession.baseSilenceSeconds)
        var passes = Passes(benchmarks: request.benchmarks, settings: settings, supervisor: supervisor, progress: progress,
                            resuming: request.previous != nil)
        for outcome in request.previous?.outcomes ?? [] { passes.outcomes[outcome.id] = outcome }
        // LMBench's fixed method: every cell gets its intervals, shared out over the
        // rounds. With a budget or a precision target: three intervals per cell, then
        // more for the widest intervals.
        if let target = settings.precisionTarget {
            passes.measureInRounds(rounds: min(3, settings.repetitions), repetitions: min(3, settings.repetitions))
            passes.refine(target: target)
        } else {
            passes.measureInRounds(rounds: max(1, min(settings.rounds, settings.repetitions)), repetitions: settings.repetitions)
        }
        let benchmarks = request.benchmarks
        let outcomes = passes.outcomes
        result.outcomes = benchmarks.compactMap { outcomes[$0.id] }.map(RunSession.flagUnrepresentableCells)
        for outcome in result.outcomes {
            for warning in outcome.warnings where warning.hasPrefix(RunSession.unrepresentablePrefix) {
                progress.warning("\(outcome.id): \(warning)")
            }
        }
        result.calibration.nullCallEndNs = Calibration.nullCallProbe(clockReadNs: calibration.clockReadNs)
        if abs(result.calibration.drift) > RunSession.driftWarningThreshold {
            progress.warning(cFormat(
                "the null-call probe took %.0f ns at the start and %.0f ns at the end: this machine's speed changed during the run (a busy host?), so compare its figures with care",
                calibration.nullCallNs, result.calibration.nullCallEndNs))
        }
        progress.runFinished(result.outcomes)
        result.partial = cshims_interrupt_signal() != 0 || result.outcomes.count < benchmarks.count
            || result.outcomes.contains { $0.status == .interrupted }
        environment.endDate = Environment.dateLine()
        result.environment.endDate = environment.endDate
        result.finishedAt = environment.endDate
        return result
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

    static let unrepresentablePrefix = "cell "

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
            outcome.warnings.append("\(unrepresentablePrefix)\(cell.id) is " + cFormat("%.4f", value)
                + " after the subtraction (\(terms.joined(separator: ", "))): left out of the results file, kept in the JSON")
        }
        return outcome
    }

    /// The --mb actually used: the requested size if the file system of `fsdir`
    /// has twice that free and memory has twice that available, else the largest
    /// power of two that fits both.
    public static func chooseMB(requested: Int, fsdir: String,
                                availableMemoryMB: Int? = availableMemoryMB()) throws -> (mb: Int, message: String?) {
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

    /// MemAvailable from /proc/meminfo, MiB.
    public static func availableMemoryMB() -> Int? {
        guard let text = Sys.readTextFile("/proc/meminfo"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes / 1024
    }

}

/// The passes of one run over its benchmarks, and what they measured so far.
private struct Passes {
    let benchmarks: [Benchmark]
    let settings: RunSettings
    let supervisor: Supervisor
    let progress: ProgressReporter
    let resuming: Bool
    var outcomes: [String: BenchmarkOutcome] = [:]
    var passSeconds: [String: [Double]] = [:]
    var rounds = 0
    let started = cshims_clock_now_ns()

    init(benchmarks: [Benchmark], settings: RunSettings, supervisor: Supervisor, progress: ProgressReporter, resuming: Bool) {
        self.benchmarks = benchmarks
        self.settings = settings
        self.supervisor = supervisor
        self.progress = progress
        self.resuming = resuming
    }

    var elapsed: Double { Double(cshims_clock_now_ns() - started) / 1e9 }
    var interrupted: Bool { cshims_interrupt_signal() != 0 }

    /// One pass of one benchmark with this plan, merged into what it has so far.
    mutating func pass(_ index: Int, _ plan: CellPlan, of total: Int) {
        let benchmark = benchmarks[index]
        progress.benchmarkStarted(benchmark, index: index, total: benchmarks.count, round: rounds, rounds: total)
        let outcome = supervisor.run(benchmark, plan: plan)
        passSeconds[benchmark.id, default: []].append(outcome.elapsedSeconds)
        let merged = outcomes[benchmark.id].map { $0.merging(outcome) } ?? outcome
        outcomes[benchmark.id] = merged
        progress.benchmarkFinished(merged, index: index, total: benchmarks.count, round: rounds, rounds: total)
    }

    /// `repetitions` intervals per cell, shared out over `count` rounds. A benchmark
    /// measured once per run takes all of LMBench's intervals in the first.
    mutating func measureInRounds(rounds count: Int, repetitions: Int) {
        for round in 0..<count {
            let target = RunSession.cumulativeIntervals(round: round, rounds: count, repetitions: repetitions)
            for (index, benchmark) in benchmarks.enumerated() {
                if interrupted { return }
                let sofar = outcomes[benchmark.id]
                // A benchmark that crashed or hung in this run is not started again.
                if let sofar, sofar.failedThisRun { continue }
                if !benchmark.everyRound && round > 0 { continue }
                let plan = RunSession.plan(for: sofar, target: benchmark.everyRound ? target : settings.repetitions)
                if let sofar, sofar.status == .ok, plan.intervals.values.allSatisfy({ $0 == 0 }),
                   !sofar.cells.isEmpty, round > 0 || resuming {
                    continue  // every cell already has its share
                }
                pass(index, plan, of: count)
            }
            progress.roundFinished(rounds, rounds: count, elapsedSeconds: elapsed)
            rounds += 1
        }
    }

    /// More intervals for the cells whose interval is wider than `target`, widest
    /// first, while the budget lasts (a pass is started only if its usual length fits).
    mutating func refine(target: Double) {
        while !interrupted {
            let needy = benchmarks.indices.compactMap { index -> (index: Int, worst: Double, cells: [String])? in
                let benchmark = benchmarks[index]
                guard benchmark.everyRound, let sofar = outcomes[benchmark.id], !sofar.failedThisRun else { return nil }
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
                var plan = RunSession.plan(for: outcomes[benchmarks[item.index].id], target: 0)
                plan.intervals = Dictionary(uniqueKeysWithValues: item.cells.map { ($0, RunSession.adaptiveStep) })
                plan.defaultIntervals = 0
                pass(item.index, plan, of: rounds + 1)
                ranAny = true
            }
            if !ranAny { return }
            progress.roundFinished(rounds, rounds: rounds + 1, elapsedSeconds: elapsed)
            rounds += 1
        }
    }
}
