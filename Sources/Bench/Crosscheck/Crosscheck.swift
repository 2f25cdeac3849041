import CShims
import Glibc

/// `crosscheck`: our benchmarks against the original LMBench's programs on the
/// same machine, alternating (ours, then LMBench's) for a few rounds, with the
/// arguments LMBench's OS run uses, LMBench's servers started and stopped as its
/// script does. Every process it starts is reaped; its scratch directory is removed.
public final class Crosscheck {
    public struct Request: Sendable {
        public var benchmarks: [Benchmark]
        /// The LMBench binaries as its own `make` builds them (bin/<os>).
        public var lmbenchDirectory: String
        public var rounds = 3
        /// Agreement tolerance, as a fraction (0.15: within 15%).
        public var tolerance = 0.15
        public var settings: RunSettings

        public init(benchmarks: [Benchmark], lmbenchDirectory: String, settings: RunSettings) {
            self.benchmarks = benchmarks
            self.lmbenchDirectory = lmbenchDirectory
            self.settings = settings
        }
    }

    public struct Row: Sendable {
        public let cell: String
        public let benchmark: String
        public var ours: [Double] = []
        public var lmbench: [Double] = []
        public var note: String?

        public var oursValue: Double? { ours.isEmpty ? nil : Statistics(ours).median }
        public var lmbenchValue: Double? { lmbench.isEmpty ? nil : Statistics(lmbench).median }
        public var ratio: Double? {
            guard let o = oursValue, let l = lmbenchValue, l > 0 else { return nil }
            return o / l
        }

        /// 95% bootstrap interval of the ratio of the medians, over the rounds.
        public var interval: (low: Double, high: Double)? {
            guard ours.count >= 2, lmbench.count >= 2 else { return nil }
            return Bootstrap.interval(groups: [ours, lmbench], seed: SplitMix64.seed(cell)) {
                Statistics($0[0]).median / Statistics($0[1]).median
            }
        }

        public func verdict(tolerance: Double) -> String {
            guard let ratio else { return note == nil ? "no value" : "missing" }
            let within = { (r: Double) in abs(r - 1) <= tolerance }
            if within(ratio) { return "agrees" }
            if let interval, interval.low <= 1 + tolerance && interval.high >= 1 - tolerance { return "inconclusive" }
            return "differs"
        }
    }

    public struct Result: Sendable {
        public let directory: String
        public let rounds: Int
        public let tolerance: Double
        public var rows: [Row]
        public var interrupted = false
    }

    let request: Request
    let progress: ProgressReporter

    public init(request: Request, progress: ProgressReporter) {
        self.request = request
        self.progress = progress
    }

    public func run() throws -> Result {
        var result = Result(directory: request.lmbenchDirectory, rounds: request.rounds, tolerance: request.tolerance, rows: [])
        _ = cshims_become_subreaper()
        let scratch = try Sys.mkdtemp(request.settings.fsdir + "/lmbench-swift-crosscheck.XXXXXX")
        var createdHello = false
        // LMBench's stat target lies directly in the fs directory ($FSDIR/lmbench),
        // as ours does, so both paths have the same depth to look up.
        let stat = try Sys.mkstemp(request.settings.fsdir + "/lmbench-swift-crosscheck-stat.XXXXXX")
        Sys.close(stat.fd)
        defer {
            try? Sys.removeTree(scratch)
            try? Sys.unlink(stat.path)
            if createdHello { try? Sys.unlink("/tmp/hello") }
        }
        let runner = ProgramRunner(directory: request.lmbenchDirectory, scratch: scratch, statFile: stat.path,
                                   settings: request.settings)
        var fileWritten = false

        func row(_ cell: String, _ benchmark: String) -> Int {
            if let index = result.rows.firstIndex(where: { $0.cell == cell }) { return index }
            result.rows.append(Row(cell: cell, benchmark: benchmark))
            return result.rows.count - 1
        }

        rounds: for round in 0..<request.rounds {
            for (index, benchmark) in request.benchmarks.enumerated() {
                if RunSession.interruptingSignal != 0 { result.interrupted = true; break rounds }
                progress.message("round \(round + 1)/\(request.rounds) [\(index + 1)/\(request.benchmarks.count)] \(benchmark.id): ours")
                // Ours, as `run` measures it.
                var settings = request.settings
                settings.jsonPath = nil
                let ours = try RunSession(request: RunRequest(benchmarks: [benchmark], settings: settings),
                                          progress: ConsoleProgress(mode: .quiet)).run()
                if ours.partial { result.interrupted = true; break rounds }
                for cell in ours.allCells where cell.value.isFinite && cell.value > 0 {
                    result.rows[row(cell.id, benchmark.id)].ours.append(cell.value)
                }
                if case .failed(let reason) = ours.outcome(benchmark.id)?.status {
                    result.rows[row(benchmark.id, benchmark.id)].note = "ours failed: \(reason)"
                }
                // LMBench's.
                guard let counterpart = LMBenchPrograms.counterpart(benchmark.id, mb: settings.mb) else {
                    result.rows[row(benchmark.id, benchmark.id)].note = "LMBench has no counterpart"
                    continue
                }
                let programs = Set(counterpart.invocations.map(\.program) + [counterpart.server].compactMap { $0 })
                if let missing = programs.sorted().first(where: { !runner.has($0) }) {
                    for cell in expectedCells(counterpart) { result.rows[row(cell, benchmark.id)].note = "\(missing) not found in \(request.lmbenchDirectory)" }
                    continue
                }
                progress.message("round \(round + 1)/\(request.rounds) [\(index + 1)/\(request.benchmarks.count)] \(benchmark.id): LMBench")
                if counterpart.needsHello && !createdHello {
                    guard !Sys.exists("/tmp/hello") else {
                        for cell in expectedCells(counterpart) {
                            result.rows[row(cell, benchmark.id)].note = "/tmp/hello exists and is not ours: LMBench's lat_proc needs that path"
                        }
                        continue
                    }
                    try copyFile(request.lmbenchDirectory + "/hello", to: "/tmp/hello")
                    createdHello = true
                }
                if counterpart.needsFile && !fileWritten, let lmdd = LMBenchPrograms.counterpart("file-write", mb: settings.mb) {
                    _ = try runner.run(lmdd.invocations[0])
                    fileWritten = true
                }
                if let server = counterpart.server { _ = try runner.run(program: server, ["-s"]); runner.waitForServer() }
                defer {
                    if let server = counterpart.server { _ = try? runner.run(program: server, ["-S", "localhost"]) }
                    runner.killStragglers()
                }
                for invocation in counterpart.invocations {
                    let output = try runner.run(invocation)
                    let values = LMBenchPrograms.parse(output.text, as: invocation.output)
                    if values.isEmpty {
                        let reason = output.text.split(separator: "\n").last.map(String.init) ?? "no output"
                        for cell in expectedCells(LMBenchCounterpart(invocations: [invocation], server: nil, needsHello: false, needsFile: false)) {
                            result.rows[row(cell, benchmark.id)].note = "\(invocation.program) gave no result: \(output.status) \(reason)"
                        }
                    }
                    for (cell, value) in values { result.rows[row(cell, benchmark.id)].lmbench.append(value) }
                }
            }
        }
        return result
    }

    /// The cells a counterpart is meant to produce (to name them when it cannot run).
    func expectedCells(_ counterpart: LMBenchCounterpart) -> [String] {
        counterpart.invocations.flatMap { invocation -> [String] in
            switch invocation.output {
            case .titled(_, _, let cell), .sized(let cell): return [cell]
            case .fileSystem: return ["0k", "1k", "4k", "10k"].flatMap { ["fs-create/\($0)", "fs-delete/\($0)"] }
            case .contextSwitch(let k): return ["ctx-\(k)k/ovr"] + ContextSwitchSizes.processes.map { "ctx-\(k)k/\($0)" }
            case .clock: return ["mhz"]
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

    func run(_ invocation: LMBenchInvocation) throws -> (status: String, text: String) {
        try run(program: invocation.program, invocation.arguments.map(expand))
    }

    func expand(_ argument: String) -> String {
        argument.replacing(LMBenchPrograms.statFile, with: statFile)
            .replacing(LMBenchPrograms.testFile, with: scratch + "/XXX")
            .replacing(LMBenchPrograms.scratch, with: scratch)
            .replacing(LMBenchPrograms.binaries, with: directory)
            .replacing(LMBenchPrograms.mb, with: String(settings.mb))
    }

    /// Runs one program to completion (or kills it at the timeout); its output.
    func run(program: String, _ arguments: [String]) throws -> (status: String, text: String) {
        let outputPath = scratch + "/output"
        let out = try Sys.open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let path = directory + "/" + program
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        let pid = scratch.withCString { cwd in cshims_spawn(path, argv, envp, cwd, out, out, 1) }
        Sys.close(out)
        if pid < 0 { throw SystemError("execve", path, errno: .current) }
        // LMBench's slowest program (bw_tcp: 7.5 s of warm-up) takes well under a
        // minute; allow five at this machine's speed.
        let deadline = cshims_clock_now_ns() + Int64(300e9 * slowdown)
        var status: Int32 = 0
        var state = "exited"
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && Errno.current != .interrupted { break }
            if cshims_clock_now_ns() > deadline || RunSession.interruptingSignal != 0 {
                Sys.killGroup(pid, SIGKILL)
                _ = try? Sys.waitpid(pid)
                state = RunSession.interruptingSignal != 0 ? "interrupted" : "timed out"
                break
            }
            usleep(10_000)
        }
        let text = Sys.readTextFile(outputPath) ?? ""
        if state == "exited" && (status & 0x7f) != 0 { state = "killed by signal \(status & 0x7f)" }
        return (state == "exited" ? "" : "(\(state))", text)
    }

    /// LMBench's servers start by forking a daemon and exiting; give it a moment
    /// to listen, as LMBench's script does (it sleeps 2 s after starting them).
    func waitForServer() { usleep(UInt32(min(2e6, 500_000 * slowdown))) }

    /// Kills and reaps whatever LMBench's programs left (we are their subreaper).
    func killStragglers() {
        usleep(50_000)
        for child in childrenOfThisProcess() { kill(child, SIGKILL) }
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
        usleep(10_000)
        while waitpid(-1, &status, WNOHANG) > 0 {}
    }
}
