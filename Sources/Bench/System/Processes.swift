import CShims
import Glibc

/// Pids whose parent is `parent` (this process unless told), from /proc.
package func children(of parent: pid_t = getpid()) -> [pid_t] {
    guard let entries = try? Sys.listDirectory("/proc") else { return [] }
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name), let fields = statFields(pid), fields.rest.count > 1 else { return nil }
        return pid_t(fields.rest[1]) == parent ? pid : nil
    }
}

/// /proc/PID/stat: the command name (between the parentheses) and the fields after it.
private func statFields(_ pid: pid_t) -> (comm: String, rest: [Substring])? {
    guard let stat = Sys.readTextFile("/proc/\(pid)/stat"), let open = stat.firstIndex(of: "("),
          let close = stat.lastIndex(of: ")"), open < close else { return nil }
    return (String(stat[stat.index(after: open)..<close]), stat[stat.index(after: close)...].split(separator: " "))
}

/// Every switch command runs with `LMBENCH_SWIFT_SWITCH_RUN=<pid of the run>`
/// in its environment: how the run tells what the commands left running (which
/// it leaves to the off command) from what a benchmark left (killed at once).
package enum SwitchCommandMarker {
    package static let variable = "LMBENCH_SWIFT_SWITCH_RUN"
    package static func entry(owner: pid_t) -> String { "\(variable)=\(owner)" }
}

/// Whether `pid` was started by a switch command of this run (it carries
/// `SwitchCommandMarker`, naming this process, in its environment).
func isSwitchCommandProcess(_ pid: pid_t) -> Bool {
    guard let environment = Sys.readFile("/proc/\(pid)/environ", limit: 1 << 20) else { return false }
    let marker = Array(SwitchCommandMarker.entry(owner: getpid()).utf8)
    return environment.split(separator: 0).contains { Array($0) == marker }
}

/// This process's children but what the switch commands left running: the
/// off command ends those, and the end of the run what is left of them.
package func childrenButSwitchCommands() -> [pid_t] {
    children().filter { !isSwitchCommandProcess($0) }
}

/// Ends every child this process still has (we are their subreaper: at the end
/// of a run, only what a switch command left running), and the processes of
/// their groups: SIGTERM, then SIGKILL after `graceSeconds`; reaps them.
/// Returns them as "pid N (comm)", orphans reparented to us meanwhile included.
/// A process that is already dying (an off command just killed it) gets a
/// moment to exit first and is not counted.
package func endLeftoverChildren(graceSeconds: Double = 2) -> [String] {
    let settleSeconds = 0.2
    var ended: [pid_t: String] = [:]
    let started = cshims_clock_now_ns()
    while true {
        var status: Int32 = 0
        while waitpid(-1, &status, WNOHANG) > 0 {}
        let left = children().filter { statFields($0)?.rest.first != "Z" }
        let elapsed = Double(cshims_clock_now_ns() - started) / 1e9
        if left.isEmpty || elapsed > settleSeconds + graceSeconds + 5 { break }  // the last: unkillable, left
        if elapsed >= settleSeconds {
            let signal = elapsed > settleSeconds + graceSeconds ? SIGKILL : SIGTERM
            for pid in left where ended[pid] == nil || signal == SIGKILL {
                if ended[pid] == nil { ended[pid] = statFields(pid)?.comm ?? "?" }
                let group = getpgid(pid)
                if group > 1 && group != getpgrp() { _ = killpg(group, signal) }
                _ = kill(pid, signal)
            }
        }
        usleep(10_000)
    }
    return ended.keys.sorted().map { "pid \($0) (\(ended[$0]!))" }
}

package func signalName(_ signal: Int32) -> String {
    guard let name = strsignal(signal) else { return "signal \(signal)" }
    let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
                                  SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP",
                                  SIGPIPE: "SIGPIPE", SIGINT: "SIGINT", SIGSYS: "SIGSYS"]
    return names[signal] ?? String(cString: name)
}

/// How a child started in its own process group ended under `waitOrKill`.
package enum ChildEnd: Equatable {
    case exited(Int32)
    case killedBySignal(Int32)
    /// Killed (its whole group) because it ran past the deadline.
    case timedOut
    /// Killed (its whole group) because SIGINT or SIGTERM stopped the run.
    case interrupted
    /// waitpid failed (with this errno): its end is unknown.
    case unknown(Errno)
}

/// A child's output read from a pipe while waiting for it: the first `limit`
/// bytes kept, the rest read and thrown away (so the child never blocks on a
/// full pipe, and a program that prints without end costs no memory).
package final class OutputCollector {
    let fd: Int32
    let limit: Int
    package private(set) var bytes: [UInt8] = []
    package private(set) var discarded = 0
    /// Every writer closed the pipe.
    private(set) var ended = false
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    package init(fd: Int32, limit: Int) {
        self.fd = fd
        self.limit = limit
    }

    /// Reads what the pipe holds now (the descriptor is non-blocking), at most
    /// 1 MiB a call: a child that writes without pause is still waited for.
    func readAvailable() {
        for _ in 0..<16 where !ended {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && Errno.current == .interrupted { continue }
            if n < 0 && Errno.current == .wouldBlock { return }
            if n <= 0 { ended = true; return }
            let kept = min(n, limit - bytes.count)
            bytes += buffer[0..<kept]
            discarded += n - kept
        }
    }

    /// Waits up to `milliseconds` for output, reading it.
    func waitForOutput(milliseconds: Int32) {
        if ended { usleep(UInt32(milliseconds) * 1000); return }
        if (try? Sys.pollReadable([fd], timeoutMs: milliseconds))?.isEmpty == false { readAvailable() }
    }
}

/// Waits for `pid`, the leader of its own process group, until `deadlineNs`
/// or until `stop` says to stop waiting (SIGINT or SIGTERM stopped the run);
/// kills the group and reaps the leader when it has to stop waiting. With
/// `output`, reads the child's output meanwhile, and what is left once it ended
/// (for at most 0.1 s: a process it left may hold the pipe open). `waiting` is
/// told the seconds waited so far every `reportSeconds`.
package func waitOrKill(_ pid: pid_t, deadlineNs: Int64, stop: () -> Bool, output: OutputCollector? = nil,
                reportSeconds: Double = 3, waiting: ((Int) -> Void)? = nil) -> ChildEnd {
    defer {
        if let output {
            let drainUntil = cshims_clock_now_ns() + 100_000_000
            output.readAvailable()
            while !output.ended && cshims_clock_now_ns() < drainUntil { output.waitForOutput(milliseconds: 10) }
        }
    }
    var status: Int32 = 0
    var pollMicroseconds: UInt32 = 500  // doubling to 10 ms: a short child is seen soon, a long one costs little
    let started = cshims_clock_now_ns()
    var reports = 0
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped < 0 && Errno.current != .interrupted { return .unknown(Errno.current) }
        let interrupted = stop()
        if interrupted || cshims_clock_now_ns() > deadlineNs {
            Sys.killGroup(pid, SIGKILL)
            _ = try? Sys.waitpid(pid)
            return interrupted ? .interrupted : .timedOut
        }
        let seconds = Double(cshims_clock_now_ns() - started) / 1e9
        if let waiting, seconds >= Double(reports + 1) * reportSeconds {
            reports += 1
            waiting(Int(seconds))
        }
        if let output { output.waitForOutput(milliseconds: Int32(max(1, pollMicroseconds / 1000))) } else { usleep(pollMicroseconds) }
        pollMicroseconds = min(2 * pollMicroseconds, 10_000)
    }
    return (status & 0x7f) != 0 ? .killedBySignal(status & 0x7f) : .exited((status >> 8) & 0xff)
}
