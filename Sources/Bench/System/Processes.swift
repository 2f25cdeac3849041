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

/// A child's output read from a pipe while waiting for it: the first `limit`
/// bytes kept, the rest read and thrown away (so the child never blocks on a
/// full pipe, and a program that prints without end costs no memory).
final class OutputCollector {
    let fd: Int32
    let limit: Int
    private(set) var bytes: [UInt8] = []
    private(set) var discarded = 0
    /// Every writer closed the pipe.
    private(set) var ended = false
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(fd: Int32, limit: Int) {
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
/// (and, when `stopOnInterrupt`, until SIGINT or SIGTERM stops the run); kills
/// the group and reaps the leader when it has to stop waiting. With `output`,
/// reads the child's output meanwhile, and what is left once it ended (for at
/// most 0.1 s: a process it left may hold the pipe open).
func waitOrKill(_ pid: pid_t, deadlineNs: Int64, stopOnInterrupt: Bool, output: OutputCollector? = nil) -> ChildEnd {
    defer {
        if let output {
            let drainUntil = cshims_clock_now_ns() + 100_000_000
            output.readAvailable()
            while !output.ended && cshims_clock_now_ns() < drainUntil { output.waitForOutput(milliseconds: 10) }
        }
    }
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
        if let output { output.waitForOutput(milliseconds: Int32(max(1, pollMicroseconds / 1000))) } else { usleep(pollMicroseconds) }
        pollMicroseconds = min(2 * pollMicroseconds, 10_000)
    }
    return (status & 0x7f) != 0 ? .killedBySignal(status & 0x7f) : .exited((status >> 8) & 0xff)
}
