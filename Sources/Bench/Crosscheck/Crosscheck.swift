import CShims
import Glibc

/// `crosscheck`: our benchmarks against the original LMBench's programs on the
/// same machine, alternating (ours, then LMBench's) for a few rounds, with the
/// arguments LMBench's OS run uses, LMBench's servers started and stopped as its
/// script does. Every process it starts is reaped; its scratch directory is removed.
///
/// With a switch (`--switch`), each round measures every cell with both tools,
/// with the switch off and on: the four measurements of a cell in a round are
/// taken in alternating order (the side the switch is in first, one flip per
/// side; within a side, which tool goes first alternates), and each tool's
/// slowdown, and the ratio of the two slowdowns, come with intervals from a
/// bootstrap over the rounds that keeps each round's four together.
public final class Crosscheck {
    public struct Request: Sendable {
        public var benchmarks: [Benchmark]
        /// The LMBench binaries as its own `make` builds them (bin/<os>).
        public var lmbenchDirectory: String
        public var rounds = 3
        /// Agreement tolerance, as a fraction (0.15: within 15%).
        public var tolerance = 0.15
        public var settings: RunSettings
        /// Measure both tools with this switch off and on (nil: as the machine is).
        public var kernelSwitch: SwitchSpec?

        public init(benchmarks: [Benchmark], lmbenchDirectory: String, settings: RunSettings) {
            self.benchmarks = benchmarks
            self.lmbenchDirectory = lmbenchDirectory
            self.settings = settings
        }
    }

    public enum Tool: String, Sendable, CaseIterable { case ours, lmbench }

    /// A row's agreement; the raw value is what the table and JSON print.
    public enum Verdict: String, Sendable {
        case agrees, inconclusive, differs, missing
        case noValue = "no value"
    }

    public struct Row: Sendable {
        public let cell: String
        public let benchmark: String
        /// Smaller is better (a time) or larger (a rate, a bandwidth): decides a slowdown's direction.
        public var prefersSmaller = true
        /// Each tool's value per switch state (off without a switch), by round.
        public var values: [Tool: [SwitchState: [Int: Double]]] = [:]
        public var note: String?

        init(cell: String, benchmark: String) {
            self.cell = cell
            self.benchmark = benchmark
        }

        /// One tool's values in one state, in round order.
        public func values(_ tool: Tool, _ state: SwitchState = .off) -> [Double] {
            (values[tool]?[state] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        }

        mutating func add(_ value: Double, _ tool: Tool, _ state: SwitchState, round: Int) {
            values[tool, default: [:]][state, default: [:]][round] = value
        }

        public var ours: [Double] { values(.ours) }
        public var lmbench: [Double] { values(.lmbench) }
        public var oursValue: Double? { median(ours) }
        public var lmbenchValue: Double? { median(lmbench) }
        public var ratio: Double? {
            guard let o = oursValue, let l = lmbenchValue, l > 0 else { return nil }
            return o / l
        }

        /// 95% bootstrap interval of the ratio of the medians, resampling rounds
        /// with each round's two measurements (taken one after the other) together.
        public var interval: (low: Double, high: Double)? {
            guard ours.count >= 2, lmbench.count >= 2 else { return nil }
            return roundBootstrap(seed: SplitMix64.seed(cell)) { at in
                guard let o = median(at(.ours, .off)), let l = median(at(.lmbench, .off)), l > 0 else { return .nan }
                return o / l
            }
        }

        /// A tool's slowdown with the switch on (on/off for times, off/on for rates).
        public func slowdown(_ tool: Tool) -> Double? {
            slowdown(values(tool, .off), values(tool, .on))
        }

        func slowdown(_ off: [Double], _ on: [Double]) -> Double? {
            guard let off = median(off), let on = median(on), off > 0, on > 0 else { return nil }
            return prefersSmaller ? on / off : off / on
        }

        /// Our slowdown over LMBench's.
        public var slowdownRatio: Double? {
            guard let o = slowdown(.ours), let l = slowdown(.lmbench) else { return nil }
            return o / l
        }

        /// The rounds with any measurement of this cell.
        var rounds: [Int] {
            Set(values.values.flatMap { $0.values.flatMap(\.keys) }).sorted()
        }

        /// 95% bootstrap interval of a tool's slowdown (nil: of the ratio of the
        /// two), resampling rounds with each round's measurements together. A
        /// round that lacks a measurement (a program gave no result) is drawn
        /// with what it has, so the intervals come from the same values as the
        /// estimates they go with.
        public func slowdownInterval(_ tool: Tool? = nil) -> (low: Double, high: Double)? {
            guard rounds.count >= 2 else { return nil }
            return roundBootstrap(seed: SplitMix64.seed(cell + "/switch")) { at in
                func of(_ tool: Tool) -> Double { slowdown(at(tool, .off), at(tool, .on)) ?? .nan }
                if let tool { return of(tool) }
                return of(.ours) / of(.lmbench)
            }
        }

        /// The 95% interval of `statistic` over replicates that draw rounds with
        /// replacement, `at(tool, state)` giving the drawn rounds' values.
        func roundBootstrap(seed: UInt64, _ statistic: ((Tool, SwitchState) -> [Double]) -> Double) -> (low: Double, high: Double)? {
            let rounds = rounds
            return Bootstrap.interval(seed: seed) { generator in
                let drawn = rounds.map { _ in rounds[Int(generator.next() % UInt64(rounds.count))] }
                return statistic { tool, state in drawn.compactMap { values[tool]?[state]?[$0] } }
            }
        }

        func median(_ values: [Double]) -> Double? { values.isEmpty ? nil : Statistics(values).median }

        /// Against the tolerance, on the ratio of the values (with a switch, of
        /// the slowdowns): agrees only when its whole 95% interval lies within
        /// [1 - tolerance, 1 + tolerance], differs only when it lies wholly
        /// outside, inconclusive otherwise (also without an interval: one round,
        /// or a program that gave one value).
        public func verdict(tolerance: Double, switched: Bool = false) -> Verdict {
            guard (switched ? slowdownRatio : ratio) != nil else { return note == nil ? .noValue : .missing }
            return Crosscheck.verdict(switched ? slowdownInterval() : interval, tolerance: tolerance)
        }
    }

    /// The verdict of an interval of a ratio against `tolerance`.
    public static func verdict(_ interval: (low: Double, high: Double)?, tolerance: Double) -> Verdict {
        guard let interval else { return .inconclusive }
        if interval.low >= 1 - tolerance && interval.high <= 1 + tolerance { return .agrees }
        if interval.low > 1 + tolerance || interval.high < 1 - tolerance { return .differs }
        return .inconclusive
    }

    public struct Result: Sendable {
        public let directory: String
        public let rounds: Int
        public let tolerance: Double
        public var rows: [Row]
        public var interrupted = false
        /// The switch, with every flip, when measured under one.
        public var switchRecord: SwitchRecord?
    }

    let request: Request
    let progress: ProgressReporter

    public init(request: Request, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    /// What the measurements of one run share: the scratch space, LMBench's
    /// program runner, and the rows so far.
    private struct Bench {
        let runner: ProgramRunner
        var result: Result
        var createdHello = false
        var fileWritten = false

        mutating func row(_ cell: String, _ benchmark: String) -> Int {
            if let index = result.rows.firstIndex(where: { $0.cell == cell }) { return index }
            result.rows.append(Row(cell: cell, benchmark: benchmark))
            return result.rows.count - 1
        }
    }

    public func run() throws -> Result {
        let result = Result(directory: request.lmbenchDirectory, rounds: request.rounds, tolerance: request.tolerance, rows: [])
        _ = cshims_become_subreaper()
        // SIGINT and SIGTERM only stop the run (every RunSession installs the same).
        let rc = cshims_interrupt_install(-1)
        if rc != 0 { throw SystemError("sigaction", errno: Errno(rc)) }
        let controller = try request.kernelSwitch.map { try SwitchController(spec: $0, clockReadNs: Calibration.clockReadNs()) }
        defer { controller?.restore(progress: progress) }
        try controller?.flipBeforeMeasuring(progress: progress)
        // LMBench's stat target lies directly in the fs directory ($FSDIR/lmbench),
        // as ours does, so both paths have the same depth to look up.
        let work = try WorkDirectory.create(fsdir: request.settings.fsdir, prefix: WorkDirectory.prefixes[1], progress: progress)
        var bench = Bench(runner: ProgramRunner(directory: request.lmbenchDirectory, scratch: work.path, statFile: work.statFile,
                                                settings: request.settings), result: result)
        defer {
            work.remove()
            if bench.createdHello { try? Sys.unlink("/tmp/hello") }
        }

        // Under a switch, the first round measures each side of every cell in one
        // go (one flip per side), which times the cells; later rounds flip around
        // blocks of cells as small as their cost allows (every cell, for a fast
        // switch): both tools off, flip, both on, the side that leads alternating.
        var firstRoundSeconds = 0.0
        rounds: for round in 0..<request.rounds {
            let roundStarted = cshims_clock_now_ns()
            if let controller, round == 1 {
                controller.chooseGranularity(benchmarks: request.benchmarks.count, roundSeconds: firstRoundSeconds)
                progress.message("switch: \(controller.record.granularityReason)")
            }
            let size = controller == nil || round == 0 ? request.benchmarks.count : max(1, controller!.record.benchmarksPerFlip)
            for start in stride(from: 0, to: request.benchmarks.count, by: max(size, 1)) {
                let block = Array(request.benchmarks.enumerated())[start..<min(start + size, request.benchmarks.count)]
                for state in controller?.order ?? [.off] {
                    if let controller, controller.state != state {
                        do { try controller.flip(to: state, round: round, benchmark: size == 1 ? block.first!.element.id : nil) } catch {
                            progress.warning("\(error): the crosscheck stops here")
                            bench.result.interrupted = true
                            break rounds
                        }
                        progress.message(controller.describe(controller.record.flips.last!))
                    }
                    for (index, benchmark) in block {
                        if RunSession.interruptingSignal != 0 { bench.result.interrupted = true; break rounds }
                        let label = "round \(round + 1)/\(request.rounds) [\(index + 1)/\(request.benchmarks.count)] \(benchmark.id)"
                            + (controller == nil ? "" : " (switch \(state.rawValue))")
                        // Which tool goes first alternates from round to round for each cell and
                        // state, and between the states of a round (ours, LMBench | LMBench, ours).
                        let flipped = (round + index + (state == .on ? 1 : 0)) % 2 == 1
                        let tools: [Tool] = controller != nil && flipped ? [.lmbench, .ours] : [.ours, .lmbench]
                        for tool in tools {
                            progress.message("\(label): \(tool == .ours ? "ours" : "LMBench")")
                            if tool == .ours {
                                if try !measureOurs(benchmark, round: round, state: state, &bench) { bench.result.interrupted = true; break rounds }
                            } else {
                                try measureLMBench(benchmark, round: round, state: state, &bench)
                            }
                        }
                    }
                }
            }
            if round == 0 { firstRoundSeconds = Double(cshims_clock_now_ns() - roundStarted) / 1e9 }
        }
        // A signal during the last program ends the loops without another check.
        if RunSession.interruptingSignal != 0 { bench.result.interrupted = true }
        controller?.restore(progress: progress)
        bench.result.switchRecord = controller?.record
        bench.result.rows = inCatalogOrder(bench.result.rows)
        return bench.result
    }

    /// Rows in the order the benchmarks list their cells (rows are made in the
    /// order values arrive, and LMBench's parsed values come unordered).
    func inCatalogOrder(_ rows: [Row]) -> [Row] {
        let cells = request.benchmarks.flatMap { $0.lmbench.counterpart(request.settings.mb).map(expectedCells) ?? [] }
        let position = Dictionary(cells.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let benchmark = Dictionary(request.benchmarks.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        func key(_ row: (offset: Int, element: Row)) -> (Int, Int, Int) {
            (benchmark[row.element.benchmark] ?? Int.max, position[row.element.cell] ?? Int.max, row.offset)
        }
        return rows.enumerated().sorted { key($0) < key($1) }.map(\.element)
    }

    /// Ours, as `run` measures it; false when it was interrupted.
    private func measureOurs(_ benchmark: Benchmark, round: Int, state: SwitchState, _ bench: inout Bench) throws -> Bool {
        let ours = try RunSession(request: RunRequest(benchmarks: [benchmark], settings: request.settings),
                                  progress: ConsoleProgress(mode: .quiet)).run()
        if ours.partial { return false }
        for cell in ours.allCells where cell.value.isFinite && cell.value > 0 {
            let index = bench.row(cell.id, benchmark.id)
            bench.result.rows[index].prefersSmaller = cell.unit.prefersSmaller
            bench.result.rows[index].add(cell.value, .ours, state, round: round)
        }
        if case .failed(let reason) = ours.outcome(benchmark.id)?.status {
            bench.result.rows[bench.row(benchmark.id, benchmark.id)].note = "ours failed: \(reason)"
        }
        return true
    }

    /// LMBench's programs for one of our benchmarks, its server around them.
    private func measureLMBench(_ benchmark: Benchmark, round: Int, state: SwitchState, _ bench: inout Bench) throws {
        let settings = request.settings
        guard let counterpart = benchmark.lmbench.counterpart(settings.mb) else {
            bench.result.rows[bench.row(benchmark.id, benchmark.id)].note = "LMBench has no counterpart"
            return
        }
        let runner = bench.runner
        let programs = Set(counterpart.invocations.map(\.program) + [counterpart.server].compactMap { $0 })
        if let missing = programs.sorted().first(where: { !runner.has($0) }) {
            for cell in expectedCells(counterpart) {
                bench.result.rows[bench.row(cell, benchmark.id)].note = "\(missing) not found in \(request.lmbenchDirectory)"
            }
            return
        }
        if counterpart.needsHello && !bench.createdHello {
            // LMBench's lat_proc runs /tmp/hello. Anything already there (a file, a
            // link, even a dangling one) is someone else's: those rows say so.
            var note: String?
            if (try? Sys.lstat("/tmp/hello")) != nil {
                note = "/tmp/hello exists and is not ours: LMBench's lat_proc needs that path"
            } else {
                do { try copyFile(request.lmbenchDirectory + "/hello", to: "/tmp/hello"); bench.createdHello = true } catch {
                    note = "cannot put LMBench's hello at /tmp/hello: \(error)"
                }
            }
            if let note {
                for cell in expectedCells(counterpart) { bench.result.rows[bench.row(cell, benchmark.id)].note = note }
                return
            }
        }
        func noteEveryCell(_ note: String) {
            for cell in expectedCells(counterpart) { bench.result.rows[bench.row(cell, benchmark.id)].note = note }
        }
        if counterpart.needsFile && !bench.fileWritten, let lmdd = FileSystem.fileWrite.lmbench.counterpart(settings.mb) {
            let written = try runner.run(lmdd.invocations[0])
            if let failure = written.failure {
                return noteEveryCell(written.withLastLine("lmdd (writing the test file) \(failure)"))
            }
            bench.fileWritten = true
        }
        defer { runner.killStragglers() }
        if let server = counterpart.server {
            let started = try runner.run(program: server, ["-s"])
            if let failure = started.failure { return noteEveryCell(started.withLastLine("\(server) -s (its server) \(failure)")) }
            runner.waitForServer()
        }
        defer {
            if let server = counterpart.server { _ = try? runner.run(program: server, ["-S", "localhost"]) }
        }
        for invocation in counterpart.invocations {
            let output = try runner.run(invocation)
            // A program that failed (a non-zero status, killed, timed out) may have printed a value before: not used.
            let values = output.failure == nil ? LMBenchPrograms.parse(output.text, as: invocation.output) : [:]
            let cells = values.isEmpty ? expectedCells(LMBenchCounterpart(invocations: [invocation], server: nil, needsHello: false, needsFile: false))
                : Array(values.keys)
            if let note = output.note(invocation.program, gaveValues: !values.isEmpty) {
                for cell in cells { bench.result.rows[bench.row(cell, benchmark.id)].note = note }
            }
            for (cell, value) in values { bench.result.rows[bench.row(cell, benchmark.id)].add(value, .lmbench, state, round: round) }
        }
    }

    /// The cells a counterpart is meant to produce (to name them when it cannot run).
    func expectedCells(_ counterpart: LMBenchCounterpart) -> [String] {
        counterpart.invocations.flatMap { invocation -> [String] in
            switch invocation.output {
            case .titled(_, _, let cell), .sized(let cell): return [cell]
            case .fileSystem: return FileSystem.sizes.flatMap { [FileSystem.createID($0), FileSystem.deleteID($0)] }
            case .contextSwitch(let k): return ["\(ContextSwitch.id(k))/ovr"] + ContextSwitch.processes.map { "\(ContextSwitch.id(k))/\($0)" }
            case .clock: return [ProcessorClock.id]
            }
        }
    }

    func copyFile(_ from: String, to: String) throws {
        guard let bytes = Sys.readFile(from) else { throw BenchError("cannot read \(from)") }
        let fd = try Sys.open(to, O_WRONLY | O_CREAT | O_EXCL, 0o755)
        defer { Sys.close(fd) }
        try bytes.withUnsafeBytes { try Sys.writeAll(fd, $0, subject: to) }
    }
}

/// How one of LMBench's programs ran.
struct ProgramRun {
    /// How it failed ("exited with status 3", "timed out"); nil when it exited with status 0.
    let failure: String?
    /// Its standard output and error, at most `ProgramRunner.outputLimit` bytes of them.
    let text: String
    /// Bytes of output past the limit, read and discarded.
    let discarded: Int

    /// Its last line (the reason LMBench prints last), at most 120 characters.
    var lastLine: String {
        guard let line = text.split(separator: "\n").last else { return "no output" }
        return line.count <= 120 ? String(line) : line.prefix(120) + "..."
    }

    /// `text`, then the last line when it printed any.
    func withLastLine(_ text: String) -> String { self.text.isEmpty ? text : text + ": " + lastLine }

    /// What a row says of it: how it failed (its values are then not used) or
    /// that it gave none, with its last line; that its output was cut. Nil when
    /// it gave values and there is nothing to say.
    func note(_ program: String, gaveValues: Bool) -> String? {
        let cut = discarded == 0 ? nil : "it printed more than \(ProgramRunner.outputLimit >> 20) MiB (the \(discarded) bytes after that were discarded)"
        if let failure, text.isEmpty { return "\(program) \(failure)" }
        if let failure { return withLastLine("\(program) \(failure), so its output is not used" + (cut.map { "; \($0)" } ?? "")) }
        if !gaveValues { return "\(program) gave no result" + (cut.map { "; \($0)" } ?? "") + ": \(lastLine)" }  // "no output" when none
        return cut.map { "\(program): \($0)" }
    }
}

/// Runs LMBench's programs in the scratch directory with the environment its
/// script exports, each in its own process group, with a timeout scaled by how
/// slow this machine is, output captured.
struct ProgramRunner {
    let directory: String
    let scratch: String
    let statFile: String
    let settings: RunSettings
    let slowdown: Double

    init(directory: String, scratch: String, statFile: String, settings: RunSettings) {
        self.directory = directory
        self.scratch = scratch
        self.statFile = statFile
        self.settings = settings
        slowdown = max(1, Calibration.nullCallProbe(clockReadNs: 0) / Calibration.typicalNullCallNs)
    }

    func has(_ program: String) -> Bool { access(directory + "/" + program, X_OK) == 0 }

    var environment: [String] {
        var env = ["ENOUGH=\(settings.enoughMicroseconds)", "TIMING_O=0", "LOOP_O=0", "LMBENCH_SCHED=DEFAULT",
                   "TMPDIR=\(scratch)", "PATH=\(directory):/usr/bin:/bin"]
        if let home = getenv("HOME") { env.append("HOME=" + String(cString: home)) }
        return env
    }

    func run(_ invocation: LMBenchInvocation) throws -> ProgramRun {
        try run(program: invocation.program, invocation.arguments.map(expand))
    }

    func expand(_ argument: String) -> String {
        argument.replacing(LMBenchPrograms.statFile, with: statFile)
            .replacing(LMBenchPrograms.testFile, with: scratch + "/XXX")
            .replacing(LMBenchPrograms.scratch, with: scratch)
            .replacing(LMBenchPrograms.binaries, with: directory)
            .replacing(LMBenchPrograms.mb, with: String(settings.mb))
    }

    /// Output kept from each program (standard output and error together): far
    /// more than any of LMBench's programs prints; the rest is read and discarded.
    static let outputLimit = 1 << 20

    /// Runs one program to completion (or kills it at the timeout): how it
    /// ended and its output. A program that cannot be executed (a directory,
    /// not an executable format, no loader) is a failure too, not an error.
    func run(program: String, _ arguments: [String]) throws -> ProgramRun {
        let pipe = try Sys.pipe()
        defer { Sys.close(pipe.read) }
        try Sys.setNonBlocking(pipe.read)
        let path = directory + "/" + program
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        let pid = scratch.withCString { cwd in cshims_spawn(path, argv, envp, cwd, pipe.write, pipe.write, 1) }
        let spawnError = Errno.current
        Sys.close(pipe.write)
        if pid < 0 { return ProgramRun(failure: "cannot be run (\(SystemError("execve", errno: spawnError)))", text: "", discarded: 0) }
        // LMBench's slowest program (bw_tcp: 7.5 s of warm-up) takes well under a
        // minute; allow five at this machine's speed.
        let output = OutputCollector(fd: pipe.read, limit: ProgramRunner.outputLimit)
        let end = waitOrKill(pid, deadlineNs: cshims_clock_now_ns() + Int64(300e9 * slowdown),
                             stop: { RunSession.interruptingSignal != 0 }, output: output)
        let failure: String?
        switch end {
        case .exited(let status): failure = status == 0 ? nil : "exited with status \(status)"
        case .killedBySignal(let number): failure = "was killed by signal \(number)"
        case .timedOut: failure = "timed out"
        case .interrupted: failure = "was interrupted"
        case .unknown(let error): failure = "was not waited for: \(error)"
        }
        return ProgramRun(failure: failure, text: String(decoding: output.bytes, as: UTF8.self), discarded: output.discarded)
    }

    /// LMBench's servers start by forking a daemon and exiting; give it a moment
    /// to listen, as LMBench's script does (it sleeps 2 s after starting them).
    func waitForServer() { usleep(UInt32(min(2e6, 500_000 * slowdown))) }

    /// Kills and reaps whatever LMBench's programs left (we are their subreaper),
    /// but what the switch commands left running (the off command ends that).
    func killStragglers() {
        usleep(50_000)
        for child in childrenButSwitchCommands() { kill(child, SIGKILL) }
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
        usleep(10_000)
        while waitpid(-1, &status, WNOHANG) > 0 {}
    }
}
