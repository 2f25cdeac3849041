import CShims
import Glibc

/// Pids whose parent is this process, from /proc.
func childrenOfThisProcess() -> [pid_t] {
    let me = getpid()
    guard let entries = try? Sys.listDirectory("/proc") else { return [] }
    return entries.compactMap { name -> pid_t? in
        guard let pid = pid_t(name), let stat = Sys.readTextFile("/proc/\(name)/stat"),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 1 && pid_t(fields[1]) == me ? pid : nil
    }
}

func signalName(_ signal: Int32) -> String {
    guard let name = strsignal(signal) else { return "signal \(signal)" }
    let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
                                  SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGTERM: "SIGTERM", SIGTRAP: "SIGTRAP",
                                  SIGPIPE: "SIGPIPE", SIGINT: "SIGINT", SIGSYS: "SIGSYS"]
    return names[signal] ?? String(cString: name)
}

/// How a child started in its own process group ended under `waitOrKill`.
enum ChildEnd: Equatable {
    case exited(Int32)
    case killedBySignal(Int32)
    /// Killed (its whole group) because it ran past the deadline.
    case timedOut
    /// Killed (its whole group) because SIGINT or SIGTERM stopped the run.
    case interrupted
    /// waitpid failed (with this errno): its end is unknown.
    case unknown(Errno)
}

/// Waits for `pid`, the leader of its own process group, until `deadlineNs`
/// (and, when `stopOnInterrupt`, until SIGINT or SIGTERM stops the run); kills
/// the group and reaps the leader when it has to stop waiting.
func waitOrKill(_ pid: pid_t, deadlineNs: Int64, stopOnInterrupt: Bool) -> ChildEnd {
    var status: Int32 = 0
    var pollMicroseconds: UInt32 = 500  // doubling to 10 ms: a short child is seen soon, a long one costs little
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped < 0 && Errno.current != .interrupted { return .unknown(Errno.current) }
        let interrupted = stopOnInterrupt && RunSession.interruptingSignal != 0
        if interrupted || cshims_clock_now_ns() > deadlineNs {
            Sys.killGroup(pid, SIGKILL)
            _ = try? Sys.waitpid(pid)
            return interrupted ? .interrupted : .timedOut
        }
        usleep(pollMicroseconds)
        pollMicroseconds = min(2 * pollMicroseconds, 10_000)
    }
    return (status & 0x7f) != 0 ? .killedBySignal(status & 0x7f) : .exited((status >> 8) & 0xff)
}
