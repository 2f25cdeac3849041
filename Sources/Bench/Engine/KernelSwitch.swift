import BenchCore
import CShims
import Glibc

extension SwitchSpec {
    func makeDriver() -> SwitchDriver {
        switch self {
        case .ftrace: return FtraceSwitch()
        case .kssb: return KssbSwitch()
        case let .command(on, off): return CommandSwitch(on: on, off: off)
        case let .file(path, on, off): return FileSwitch(path: path, on: on, off: off)
        }
    }
}

/// Operates one kind of switch.
protocol SwitchDriver: AnyObject {
    /// Checks that the switch is there and reads the state it is in; `probe`
    /// times a null call, for switches whose state cannot be read. Throws a
    /// BenchError naming what is missing.
    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String)
    func set(_ state: SwitchState) throws
    /// Puts the switch back as `prepare` found it (it is in `current` now; nil:
    /// unknown, after a flip that failed or was stopped half-way); `progress`
    /// hears about a restore that takes a while.
    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws
}

/// The function tracer: every kernel function entry calls into ftrace while
/// current_tracer is `function`.
final class FtraceSwitch: SwitchDriver {
    static let directories = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]
    var directory = FtraceSwitch.directories[0]
    var mountedHere = false
    var initialTracer = "nop"

    var currentTracer: String { directory + "/current_tracer" }

    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String) {
        if let found = FtraceSwitch.directories.first(where: { Sys.exists($0 + "/current_tracer") }) {
            directory = found
        } else {
            guard Sys.exists(directory) else {
                throw BenchError("--switch ftrace: \(directory) does not exist (sysfs not mounted, or a kernel without tracefs)")
            }
            guard mount("nodev", directory, "tracefs", 0, nil) == 0 else {
                throw BenchError("--switch ftrace: cannot mount tracefs at \(directory): \(Errno.current)")
            }
            mountedHere = true
        }
        do {
            return try readState()
        } catch {
            if mountedHere { _ = umount2(directory, 0) }
            throw error
        }
    }

    private func readState() throws -> (state: SwitchState, detail: String) {
        let available = (Sys.readTextFile(directory + "/available_tracers") ?? "").split(separator: " ").map {
            trimmed(String($0))
        }
        guard available.contains("function") else {
            let list = available.joined(separator: " ")
            throw BenchError("--switch ftrace: this kernel has no function tracer (available_tracers: \(list.isEmpty ? "none" : list))")
        }
        guard let tracer = Sys.readTextFile(currentTracer).map(trimmed), !tracer.isEmpty else {
            throw BenchError("--switch ftrace: cannot read \(currentTracer)")
        }
        initialTracer = tracer
        do { try write(tracer) } catch {  // the same tracer again: checks that it may be written
            throw BenchError("--switch ftrace: cannot write \(currentTracer): \((error as? SystemError)?.errno ?? .current)"
                             + (getuid() == 0 ? "" : " (run as root)"))
        }
        return (tracer == "function" ? .on : .off, "current_tracer was \(tracer)")
    }

    func set(_ state: SwitchState) throws { try write(state == .on ? "function" : "nop") }

    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws {
        try write(initialTracer)
        if mountedHere { _ = umount2(directory, 0) }
    }

    private func write(_ tracer: String) throws {
        let fd = try Sys.open(currentTracer, O_WRONLY | O_TRUNC)
        defer { Sys.close(fd) }
        try Sys.writeAll(fd, tracer + "\n", subject: currentTracer)
    }
}

/// Ozz/OEMU's switch: one hypercall, taken by Ozz's patched KVM and QEMU.
final class KssbSwitch: SwitchDriver {
    /// KSSB on makes the null call ~25x slower (Ozz's own figure): a disable that
    /// speeds the probe up by this much found it on.
    static let wasOnRatio = 1.5
    /// How one hypercall ended.
    enum Outcome: Equatable {
        /// RAX after the call.
        case returned(Int)
        /// The child that issued it was killed by this signal.
        case signal(Int32)
    }

    /// Nil when the hypercall was taken (RAX 0); else the one-line reason why not.
    static func refusal(_ outcome: Outcome, command: String) -> String? {
        switch outcome {
        case .returned(0):
            return nil
        case .returned(-1):
            return "the hypervisor refused the \(command) vmcall: RAX = -1 (-KVM_EPERM: a stock KVM answers a user-mode vmcall so); no Ozz/OEMU KVM here, OEMU stays off"
        case .returned(-1000):
            return "the hypervisor does not know the \(command) hypercall: RAX = -1000 (-KVM_ENOSYS); OEMU stays off"
        case .returned(-22):
            return "Ozz's QEMU refused the \(command) hypercall: RAX = -22 (-EINVAL: no __ssb_do_emulate address from the guest kernel; not an OEMU kernel?)"
        case .returned(-11):
            return "Ozz's QEMU could not \(command) KSSB now: RAX = -11 (-EAGAIN: a vCPU is still active)"
        case .returned(Int(bitPattern: UInt(CSHIMS_KSSB_HYPERCALL))):
            return "nothing answered the \(command) vmcall (RAX unchanged); OEMU stays off"
        case .returned(let rax):
            return "the \(command) vmcall returned RAX = \(rax), not 0; OEMU stays off"
        case .signal(SIGILL):
            return "the \(command) vmcall raised SIGILL: no hypervisor takes it here (TCG, or bare metal)"
        case .signal(SIGSEGV):
            return "the \(command) vmcall raised SIGSEGV (on AMD, KVM answers a user-mode vmcall with #GP)"
        case .signal(let number):
            return "the \(command) vmcall killed its process with signal \(number) (\(signalName(number)))"
        }
    }

    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String) {
        // There is no hypercall that reads the state. Disabling first checks that
        // the hypercall is taken without turning anything on; if the null call got
        // much faster, KSSB was on, and it is put back on at the end.
        let before = probe()
        try set(.off)
        let after = probe()
        let wasOn = before / after >= KssbSwitch.wasOnRatio
        if wasOn { try set(.on) }  // the state reported must be the machine's: the run starts where it found it
        return (wasOn ? .on : .off, cFormat("state read from a null-call probe: %.0f ns before disabling, %.0f ns after", before, after))
    }

    func set(_ state: SwitchState) throws {
        let name = state == .on ? "enable" : "disable"
        // Ozz's own executor retries a refused disable (a vCPU still active) three times, 100 ms apart.
        for attempt in 0..<4 {
            let outcome = try KssbSwitch.call(state == .on ? CSHIMS_KSSB_ENABLE : CSHIMS_KSSB_DISABLE)
            guard let reason = KssbSwitch.refusal(outcome, command: name) else { return }
            if outcome == .returned(-11) && attempt < 3 { usleep(100_000); continue }
            throw BenchError("--switch kssb: " + reason)
        }
    }

    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws {
        if current != initial { try set(initial) }
    }

    static func call(_ command: UInt) throws -> Outcome {
        var rax = 0
        var signal: Int32 = 0
        guard cshims_kssb_hypercall(command, &rax, &signal) == 0 else {
            throw BenchError("--switch kssb: cannot issue the hypercall: \(Errno.current)")
        }
        return signal != 0 ? .signal(signal) : .returned(rax)
    }
}

/// Two shell commands, run with /bin/sh -c in their own process group. What a
/// command starts in the background (a `perf record`, a load generator) may
/// outlive it: the other command is to end it, and the end of the run ends
/// whatever is left of it (SwitchController.restore).
final class CommandSwitch: SwitchDriver {
    let on: String, off: String
    /// The run's process, named in the commands' environment (`SwitchCommandMarker`).
    let owner = getpid()
    /// A command that runs longer than this has hung.
    static let limitSeconds = 600.0

    init(on: String, off: String) {
        self.on = on
        self.off = off
    }

    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String) {
        guard access("/bin/sh", X_OK) == 0 else { throw BenchError("--switch: /bin/sh is missing: cannot run the switch commands") }
        return (.off, "assumed off: a command switch has no state to read")
    }

    /// A flip is stopped by the signal that stops the run.
    func set(_ state: SwitchState) throws {
        do { try run(state, stop: { RunSession.interruptingSignal != 0 }) } catch let stopped as Stopped {
            throw BenchError("--switch: \(stopped.name) was stopped: the run was interrupted")
        }
    }

    /// Putting the switch back is what an interrupted run still has to do: it is
    /// not cut short by the signal that stopped the run, only by one that
    /// arrives while it waits (then the switch state is unknown). Says every few
    /// seconds how long it has waited.
    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws {
        guard current != initial else { return }
        let signals = cshims_interrupt_count()
        do {
            try run(initial, stop: { cshims_interrupt_count() != signals }) { seconds in
                progress.message("restoring the switch: the \(initial.rawValue) command has run for \(seconds) s"
                                 + " (Ctrl-C stops waiting; the switch state is then unknown)")
            }
        } catch let stopped as Stopped {
            throw BenchError("switch state unknown: \(stopped.name) was interrupted (a signal stopped the wait for it)")
        }
    }

    /// A command killed because `run` was told to stop waiting.
    private struct Stopped: Error { let name: String }

    private func run(_ state: SwitchState, stop: () -> Bool, waiting: ((Int) -> Void)? = nil) throws {
        let command = state == .on ? on : off
        let name = "the \(state.rawValue) command '\(command)'"
        let words: [String] = ["/bin/sh", "-c", command]
        let argv = words.map { strdup($0) } + [nil]
        // The environment, the marker in place of any inherited one.
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup(SwitchCommandMarker.entry(owner: owner))]
        var entry = environ
        while let text = entry.pointee {
            if !String(cString: text).hasPrefix(SwitchCommandMarker.variable + "=") { environment.append(strdup(text)) }
            entry += 1
        }
        environment.append(nil)
        defer { (argv + environment).forEach { free($0) } }
        let pid = cshims_spawn("/bin/sh", argv, environment, nil, 2, 2, 1)
        guard pid > 0 else { throw BenchError("--switch: cannot start /bin/sh: \(Errno.current)") }
        // Only a command that is stopped has its group killed: what it started in
        // the background and left running is the other command's to end.
        let end = waitOrKill(pid, deadlineNs: cshims_clock_now_ns() + Int64(CommandSwitch.limitSeconds * 1e9),
                             stop: stop, waiting: waiting)
        switch end {
        case .exited(0): return
        case .exited(let code): throw BenchError("--switch: \(name) exited with status \(code)")
        case .killedBySignal(let number): throw BenchError("--switch: \(name) was killed by signal \(number)")
        case .timedOut: throw BenchError("--switch: \(name) did not finish within " + cFormat("%.0f s", CommandSwitch.limitSeconds))
        case .interrupted: throw Stopped(name: name)
        case .unknown(let error): throw BenchError("--switch: cannot wait for \(name): \(error)")
        }
    }
}

/// A flag file (debugfs, sysfs, tracefs: `tracing_on`, an instrumentation's
/// enable flag): one write() of the on or off value to a descriptor opened once,
/// so a flip costs microseconds and can happen between two recorded intervals,
/// from the benchmark's own process (which inherits the descriptor).
final class FileSwitch: SwitchDriver {
    let path: String
    let values: [SwitchState: [UInt8]]
    private var fd: Int32 = -1
    /// What the file held when the run found it, when that was neither value
    /// (written back at the end as it was, unless the run was told otherwise).
    private var foreign: [UInt8]?
    /// The state the file was taken to be in.
    private var found = SwitchState.off

    init(path: String, on: String, off: String) {
        self.path = path
        values = [.on: Array(on.utf8), .off: Array(off.utf8)]
    }

    deinit { if fd >= 0 { Sys.close(fd) } }

    func prepare(probe: () -> Double) throws -> (state: SwitchState, detail: String) {
        guard let st = try? Sys.stat(path) else { throw BenchError("--switch file: \(path) does not exist") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw BenchError("--switch file: \(path) is not a regular file") }
        do { fd = try Sys.open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW) } catch {
            throw BenchError("--switch file: cannot open \(path) for writing: \((error as? SystemError)?.errno ?? .current)"
                             + (getuid() == 0 ? "" : " (run as root)"))
        }
        // A write-only flag cannot be read: it is then assumed off, and put back off.
        guard let text = Sys.readFile(path, limit: 4096).map({ trimmed(String(decoding: $0, as: UTF8.self)) }) else {
            return (.off, "\(path) cannot be read: assumed off")
        }
        let held = Array(text.utf8)
        let known = held == values[.on] || held == values[.off]
        if !known { foreign = held }
        found = held == values[.on] ? .on : .off
        return (found,
                "\(path) held '\(text)'" + (known ? "" : ", neither value: taken as off, written back at the end"))
    }

    func set(_ state: SwitchState) throws { try write(values[state]!) }

    /// The value found goes back when it was neither value and the run is to
    /// end in the state it was taken as (not when a resumed run put it back otherwise).
    func restore(from current: SwitchState?, to initial: SwitchState, progress: ProgressReporter) throws {
        try write(initial == found ? foreign ?? values[initial]! : values[initial]!)
    }

    /// One write() at offset 0: a flag file takes its whole value in one call
    /// (write() where the file has no offsets).
    private func write(_ bytes: [UInt8]) throws {
        var written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if written < 0 && Errno.current == .illegalSeek { written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
        if written < 0 { throw BenchError("--switch file: writing '\(String(decoding: bytes, as: UTF8.self))' to \(path) failed: \(Errno.current)") }
        if written != bytes.count {
            throw BenchError("--switch file: \(path) took \(written) of \(bytes.count) bytes")
        }
    }
}
