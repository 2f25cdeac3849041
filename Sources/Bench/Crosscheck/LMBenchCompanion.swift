import BenchCatalog
import BenchCore
import BenchEngine
import CShims
import Glibc

/// LMBench's programs as the companion of ours' run in `crosscheck`: after ours
/// measured a benchmark, the matching programs with the arguments LMBench's OS
/// run uses, its server started before and stopped after, as its script does.
///
/// Without a switch, or under one that flips around benchmarks, each visit runs
/// each program once, in the state ours just measured in. Under a switch that
/// interleaves, each visit takes pairs of runs, off and on, one flip between
/// them and the order alternating (off on, on off, ...): the two runs of a pair
/// are one run apart instead of a round, so that the host's speed, which moves
/// by up to 2x for seconds, moves both alike. A program's first pair times one
/// of its intervals (`-N 1`); if those runs take under `longRunSeconds`, the
/// later ones take LMBench's own repetitions (the median of 11 intervals steadies a
/// run of 5 ms intervals for a few tens of milliseconds more), else one interval
/// each (lat_pipe, lat_udp: LMBench's intervals last a second there, and 11 of
/// them would take a pair half a minute). A visit takes as many pairs as
/// `visitSeconds` for each cell a run gives (lat_ctx: ten) allows at the
/// length its runs have had, between 1 and `maximumPairsPerVisit`.
final class LMBenchCompanion: PassCompanion {
    struct Measurement {
        let state: SwitchState
        let round: Int
        let value: Double
    }

    let request: Crosscheck.Request
    let progress: ProgressReporter
    let runner: ProgramRunner
    /// Every cell named so far, in the order first met.
    private(set) var cells: [String] = []
    private(set) var benchmark: [String: String] = [:]
    private(set) var measured: [String: [Measurement]] = [:]
    private(set) var notes: [String: String] = [:]
    /// Benchmarks that cannot be measured with LMBench (the note says why): not visited again.
    private var skipped: Set<String> = []
    private var createdHello = false
    private var fileWritten = false
    /// Per invocation (and " -N 1" for its one-interval runs), how long its runs took (seconds).
    private var runSeconds: [String: [Double]] = [:]

    static let visitSeconds = 2.0
    static let maximumPairsPerVisit = 4
    static let longRunSeconds = 1.0

    init(request: Crosscheck.Request, progress: ProgressReporter, runner: ProgramRunner) {
        self.request = request
        self.progress = progress
        self.runner = runner
    }

    /// Removes LMBench's hello from /tmp when it was put there.
    func finish() {
        if createdHello { try? Sys.unlink("/tmp/hello") }
        createdHello = false
    }

    private func name(_ cell: String, _ benchmarkID: String) {
        if benchmark[cell] == nil { cells.append(cell) }
        benchmark[cell] = benchmarkID
    }

    private func note(_ cells: [String], _ benchmarkID: String, _ text: String) {
        for cell in cells {
            name(cell, benchmarkID)
            notes[cell] = text
        }
    }

    func visit(_ benchmark: Benchmark, round: Int, state: SwitchState, interleaved: Bool, flip: (SwitchState) -> Bool) {
        guard !skipped.contains(benchmark.id) else { return }
        guard let counterpart = benchmark.lmbench.counterpart(request.settings.mb) else {
            note([benchmark.id], benchmark.id, "LMBench has no counterpart")
            skipped.insert(benchmark.id)
            return
        }
        if let reason = prepare(counterpart) {
            note(counterpart.cells, benchmark.id, reason)
            skipped.insert(benchmark.id)
            return
        }
        defer { runner.killStragglers() }
        if let server = counterpart.server {
            let started = attempt(program: server, ["-s"])
            if let failure = started.failure {
                return note(counterpart.cells, benchmark.id, started.withLastLine("\(server) -s (its server) \(failure)"))
            }
            runner.waitForServer()
        }
        defer {
            if let server = counterpart.server { _ = attempt(program: server, ["-S", "localhost"]) }
        }
        var current = state
        for invocation in counterpart.invocations {
            let key = ([invocation.program] + invocation.arguments).joined(separator: " ")
            // Interleaved: one interval a run until those runs are known to be short.
            let single = runSeconds[key + " -N 1"] ?? []
            let oneInterval = interleaved && LMBenchCompanion.takesRepetitions(invocation.program)
                && (single.isEmpty || Statistics(single).median >= LMBenchCompanion.longRunSeconds)
            let mode = key + (oneInterval ? " -N 1" : "")
            let seconds = runSeconds[mode] ?? single
            let pairs = interleaved ? pairsPerVisit(seconds, cells: invocation.cells.count) : 1
            progress.message("LMBench \(benchmark.id): \(invocation.program)" + (oneInterval ? " -N 1" : "")
                + (interleaved ? ", \(pairs) pair\(pairs == 1 ? "" : "s")" : "")
                + (seconds.isEmpty ? "" : cFormat(" (runs of %.2f s so far)", Statistics(seconds).median)))
            for _ in 0..<pairs {
                let sides: [SwitchState] = interleaved ? [current, current.other] : [state]
                for (index, side) in sides.enumerated() {
                    if RunSession.interruptingSignal != 0 { return }
                    if index > 0 {
                        guard flip(side) else { return }
                        current = side
                    }
                    let started = cshims_clock_now_ns()
                    measure(invocation, oneInterval: oneInterval, benchmark.id, side, round: round)
                    runSeconds[mode, default: []].append(Double(cshims_clock_now_ns() - started) / 1e9)
                }
            }
        }
    }

    /// Pairs for one visit of a program whose runs give `cells` cells, from the
    /// median length of its runs so far (one until there is one).
    func pairsPerVisit(_ seconds: [Double], cells: Int) -> Int {
        guard !seconds.isEmpty else { return 1 }
        let run = max(Statistics(seconds).median, 1e-3)
        let allowed = LMBenchCompanion.visitSeconds * Double(max(1, cells))
        return max(1, min(LMBenchCompanion.maximumPairsPerVisit, Int(allowed / (2 * run))))
    }

    /// One run of a program: its values recorded, or why it gave none.
    private func measure(_ invocation: LMBenchInvocation, oneInterval: Bool, _ benchmarkID: String, _ state: SwitchState, round: Int) {
        let arguments = (oneInterval ? ["-N", "1"] : []) + invocation.arguments.map(runner.expand)
        let output = attempt(program: invocation.program, arguments)
        // A program that failed (a non-zero status, killed, timed out) may have printed a value before: not used.
        let values = output.failure == nil ? LMBenchPrograms.parse(output.text, as: invocation.output) : [:]
        let cells = values.isEmpty ? invocation.cells : Array(values.keys)
        if let note = output.note(invocation.program, gaveValues: !values.isEmpty) { self.note(cells, benchmarkID, note) }
        for (cell, value) in values {
            name(cell, benchmarkID)
            measured[cell, default: []].append(Measurement(state: state, round: round, value: value))
        }
    }

    /// LMBench's benchmark programs take `-N repetitions` (mhz and lmdd do not).
    static func takesRepetitions(_ program: String) -> Bool { program.hasPrefix("lat_") || program.hasPrefix("bw_") }

    /// A program run; one that could not even be started is a failure with the reason.
    private func attempt(program: String, _ arguments: [String]) -> ProgramRun {
        do { return try runner.run(program: program, arguments) } catch {
            return ProgramRun(failure: "could not be started (\(error))", text: "", discarded: 0)
        }
    }

    /// What a counterpart needs before its first run: its programs, LMBench's
    /// hello at /tmp/hello, the test file. The reason it cannot run, or nil.
    private func prepare(_ counterpart: LMBenchCounterpart) -> String? {
        let programs = Set(counterpart.invocations.map(\.program) + [counterpart.server].compactMap { $0 })
        if let missing = programs.sorted().first(where: { !runner.has($0) }) {
            return "\(missing) not found in \(request.lmbenchDirectory)"
        }
        if counterpart.needsHello && !createdHello {
            // LMBench's lat_proc runs /tmp/hello. Anything already there (a file, a
            // link, even a dangling one) is someone else's: those rows say so.
            if (try? Sys.lstat("/tmp/hello")) != nil { return "/tmp/hello exists and is not ours: LMBench's lat_proc needs that path" }
            do { try copyFile(request.lmbenchDirectory + "/hello", to: "/tmp/hello"); createdHello = true } catch {
                return "cannot put LMBench's hello at /tmp/hello: \(error)"
            }
        }
        if counterpart.needsFile && !fileWritten, let lmdd = FileSystem.fileWrite.lmbench.counterpart(request.settings.mb) {
            let written = attempt(program: lmdd.invocations[0].program, lmdd.invocations[0].arguments.map(runner.expand))
            if let failure = written.failure { return written.withLastLine("lmdd (writing the test file) \(failure)") }
            fileWritten = true
        }
        return nil
    }

    func copyFile(_ from: String, to: String) throws {
        guard let bytes = Sys.readFile(from) else { throw BenchError("cannot read \(from)") }
        let fd = try Sys.open(to, O_WRONLY | O_CREAT | O_EXCL, 0o755)
        defer { Sys.close(fd) }
        try bytes.withUnsafeBytes { try Sys.writeAll(fd, $0, subject: to) }
    }

    /// A cell of LMBench's runs in one state, for `CellPair`: each run's printed
    /// value as one sample (a thousand operations, so that the per-operation
    /// time is the value in thousandths and the estimate's scale gives it back),
    /// in the round it was taken; the n-th run of a round pairs with the other
    /// state's n-th. Its id differs from ours' so that the bootstraps draw apart.
    static func asCell(_ id: String, _ unit: Unit, _ runs: [Measurement]) -> Cell {
        let samples = runs.map { Sample(elapsedNs: Int64(($0.value * 1e6).rounded()), iterations: 1000, round: $0.round) }
        return Cell(id: "lmbench:" + id, unit: unit, estimate: Estimate(terms: [.init("lmbench")], form: .linear(scale: 0.001)),
                    series: [Series(name: "lmbench", samples: samples)])
    }
}
