import BenchCore
import CShims
import Glibc

/// What measures one pass of a benchmark for the scheduler: a `Supervisor` (a
/// forked process), or a script in tests, so that the scheduler's choices (the
/// rounds, what a budget and a precision target buy) can be checked exactly.
protocol PassRunner {
    /// The machine's calibration this runner measures with (its slowdown scales time limits).
    var calibration: Calibration { get }
    func run(_ benchmark: Benchmark, plan: CellPlan) -> Supervisor.PassOutcome
}

/// Runs one benchmark in a forked process that leads its own process group, reads
/// its messages, and kills the whole group when it hangs, when the run is
/// interrupted, and after it ends (so no server or ring process outlives it).
struct Supervisor: PassRunner {
    let settings: RunSettings
    let calibration: Calibration
    let files: RunFiles
    let wake: (read: Int32, write: Int32)
    let progress: ProgressReporter
    /// Silence allowed before the first sample, at slowdown 1, seconds. Scaled by the
    /// calibrated slowdown, plus 20 times the longest interval seen so far.
    let baseSilenceSeconds: Double
    /// The A/B run's switch, for passes that flip it between intervals.
    var switchDriver: SwitchDriver? = nil

    /// What one pass gave: one outcome per side it measured (one in a plain or a
    /// one-sided pass; off and on in an interleaved pass), and what it did with the switch.
    struct PassOutcome {
        var sides: [BenchmarkOutcome]
        var flips = 0
        var flipSeconds = 0.0
        /// The switch state the benchmark reported leaving the switch in (nil: it
        /// did not say, so the state is unknown after an interleaved pass).
        var endState: SwitchState?
        var switchFailure: String?
    }

    func run(_ benchmark: Benchmark, plan: CellPlan) -> PassOutcome {
        let started = cshims_clock_now_ns()
        var outcome = BenchmarkOutcome(id: benchmark.id)
        let pipe: (read: Int32, write: Int32)
        let pid: pid_t
        let runner = getpid()
        do {
            pipe = try Sys.pipe()
            pid = try Sys.fork()
        } catch {
            outcome.status = .failed("could not start: \(error)")
            return PassOutcome(sides: plan.interleavedFrom == nil ? [outcome] : [outcome, outcome],
                               endState: plan.interleavedFrom)
        }
        if pid == 0 {
            if cshims_die_with_parent(runner) != 0 { _exit(3) }  // no benchmark outlives a runner killed with SIGKILL
            runChild(benchmark, plan: plan, messageFD: pipe.write, unused: pipe.read)
        }

        _ = setpgid(pid, pid)  // also done by the child: whichever runs first, killpg works
        Sys.close(pipe.write)
        try? Sys.setNonBlocking(pipe.read)

        var watch = Watch(outcome: outcome, progress: progress, interleaved: plan.interleavedFrom != nil)
        var ending: Ending = .exited
        while true {
            if cshims_interrupt_signal() != 0 { ending = .interrupted; break }
            let limit = calibration.slowdown * baseSilenceSeconds + 20 * watch.longestIntervalSeconds
            let silent = Double(cshims_clock_now_ns() - watch.lastActivityNs) / 1e9
            if silent > limit { ending = .hung(limit); break }
            let waitMs = Int32(max(1, min(250, (limit - silent) * 1000)))
            let ready = (try? Sys.pollReadable([pipe.read, wake.read], timeoutMs: waitMs)) ?? []
            if ready.contains(wake.read) { drain(wake.read) }
            watch.consume(readAvailable(pipe.read))
            if Sys.hasExited(pid) {
                watch.consume(readAvailable(pipe.read))
                break
            }
        }
        // A benchmark stopped in the middle of an interleaved flip: the switch
        // command it runs (in a group of its own) is stopped with it, not left
        // running beside the next flip. Stopped first, so it starts no other.
        if plan.interleavedFrom != nil, !Sys.hasExited(pid) {
            Sys.killGroup(pid, SIGSTOP)
            for command in children(of: pid) { Sys.killGroup(command, SIGKILL) }
        }
        // Kill the group before reaping its leader, so the group id cannot be reused meanwhile.
        Sys.killGroup(pid, SIGKILL)
        let status = (try? Sys.waitpid(pid))??.status
        reapOrphans()
        watch.consume(readAvailable(pipe.read))
        Sys.close(pipe.read)
        outcome = watch.outcome

        switch ending {
        case .interrupted:
            outcome.status = .interrupted
        case .hung(let limit):
            outcome.status = .failed(cFormat("no progress for %.0f s: hung, killed", limit))
        case .exited:
            if let failure = watch.failure {
                outcome.status = .failed(failure)
            } else if let status, (status & 0x7f) != 0 && (status & 0x7f) != 0x7f {
                let signal = status & 0x7f
                outcome.status = .failed("killed by signal \(signal) (\(signalName(signal)))")
            } else if !watch.finished {
                let code = status.map { ($0 >> 8) & 0xff } ?? -1
                outcome.status = .failed("exited with status \(code) before finishing")
            } else {
                outcome.status = .ok
            }
        }
        outcome.elapsedSeconds = Double(cshims_clock_now_ns() - started) / 1e9
        if case .failed = outcome.status { outcome.failedThisRun = true }
        var pass = PassOutcome(sides: [outcome], flips: watch.flips, flipSeconds: watch.flipSeconds,
                               endState: watch.endState, switchFailure: watch.switchFailure)
        if plan.interleavedFrom != nil {
            pass.sides = SwitchState.allCases.map { side in
                var part = outcome
                part.cells = watch.sideCells[side] ?? []
                return part
            }
        }
        return pass
    }

    private enum Ending {
        case exited
        case interrupted
        case hung(Double)
    }

    /// The benchmark process: never returns.
    private func runChild(_ benchmark: Benchmark, plan: CellPlan, messageFD: Int32, unused: Int32) -> Never {
        _ = setpgid(0, 0)
        cshims_signals_reset()
        Sys.close(unused)
        Sys.close(wake.read)
        Sys.close(wake.write)
        Sys.raiseDescriptorLimit()
        let channel = ChildChannel(fd: messageFD)
        let interleaver = plan.interleavedFrom.flatMap { start in switchDriver.map { Interleaver(driver: $0, start: start) } }
        let context = BenchmarkContext(settings: settings, calibration: calibration,
                                       files: files, plan: plan, channel: channel, interleaver: interleaver)
        if benchmark.placement == .quietestCPU, let cpu = CPUPlacement.pinToQuietestCPU() {
            context.note("cpu", String(cpu))
        }
        var failure: String?
        do { try benchmark.body(context) } catch { failure = "\(error)" }
        if let interleaver {
            // A flip that failed stops the run, even where the benchmark went on.
            if let switchFailure = interleaver.failure {
                channel.send(.switchFailure(switchFailure.reason))
                _exit(1)
            }
            channel.send(.flips(count: interleaver.flips, seconds: Double(interleaver.flipNs) / 1e9, state: interleaver.state))
        }
        if let failure {
            channel.send(.failure(failure))
            _exit(1)
        }
        channel.send(.done)
        _exit(0)
    }

    /// Reaps every orphan the benchmark left (we are their subreaper). Stragglers
    /// outside the killed group are found through /proc and killed too; what the
    /// switch commands left running is not the benchmark's (the off command ends it).
    private func reapOrphans() {
        let deadline = cshims_clock_now_ns() + Int64(calibration.slowdown * 5e9)
        var killedStragglers = false
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped > 0 { continue }
            if reaped < 0 { return }  // ECHILD: nobody left
            let stragglers = childrenButSwitchCommands()
            if stragglers.isEmpty { return }
            let now = cshims_clock_now_ns()
            if !killedStragglers && now > deadline - Int64(calibration.slowdown * 4e9) {
                for child in stragglers { kill(child, SIGKILL) }
                killedStragglers = true
            }
            if now > deadline { return }
            usleep(1000)
        }
    }

    private func readAvailable(_ fd: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && Errno.current == .interrupted { continue }
            return data
        }
    }

    private func drain(_ fd: Int32) { _ = readAvailable(fd) }
}

/// Accumulates one benchmark's messages into its outcome.
private struct Watch {
    var outcome: BenchmarkOutcome
    let progress: ProgressReporter
    var buffer: [UInt8] = []
    var lastActivityNs = cshims_clock_now_ns()
    var longestIntervalSeconds = 0.0
    var failure: String?
    var finished = false
    var seriesSoFar: [String: [Double]] = [:]
    let interleaved: Bool
    /// An interleaved pass's cells, per side.
    var sideCells: [SwitchState: [Cell]] = [:]
    var flips = 0
    var flipSeconds = 0.0
    var endState: SwitchState?
    var switchFailure: String?

    init(outcome: BenchmarkOutcome, progress: ProgressReporter, interleaved: Bool) {
        self.outcome = outcome
        self.progress = progress
        self.interleaved = interleaved
    }

    mutating func consume(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        lastActivityNs = cshims_clock_now_ns()
        buffer += bytes
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: buffer[..<newline], as: UTF8.self)
            buffer.removeSubrange(...newline)
            guard let json = try? JSON.parse(line), let message = ChildMessage(json: json) else { continue }
            handle(message)
        }
    }

    mutating func handle(_ message: ChildMessage) {
        switch message {
        case .phase:
            break
        case let .samples(cell, series, side, samples):
            let key = cell + "\u{0}" + series + "\u{0}" + (side?.rawValue ?? "")
            for sample in samples {
                longestIntervalSeconds = max(longestIntervalSeconds, Double(sample.elapsedNs) / 1e9)
                seriesSoFar[key, default: []].append(Double(sample.elapsedNs) / Double(sample.iterations))
            }
            progress.sampleRecorded(cell: cell, series: series, side: side, perIterationNs: seriesSoFar[key]!)
        case let .cell(cell, side):
            if interleaved, let side {
                sideCells[side, default: []].removeAll { $0.id == cell.id }
                sideCells[side, default: []].append(cell)
            } else {
                outcome.cells.removeAll { $0.id == cell.id }
                outcome.cells.append(cell)
            }
        case let .note(key, value):
            outcome.notes[key] = value
        case .warning(let text):
            outcome.warnings.append(.reported(text))
            progress.warning("\(outcome.id): \(text)")
        case let .cellFailure(cell, reason):
            if outcome.cellFailures[cell] == nil { progress.warning("\(cell) FAILED: \(reason)") }
            outcome.cellFailures[cell] = reason
        case .failure(let text):
            failure = text
        case let .flips(count, seconds, state):
            flips = count
            flipSeconds = seconds
            endState = state
        case .switchFailure(let text):
            switchFailure = text
            failure = "the switch failed: \(text)"
        case .done:
            finished = true
        }
    }
}

