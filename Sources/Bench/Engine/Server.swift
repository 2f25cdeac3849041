import CShims
import Glibc

/// A server process a benchmark starts (an echo server, an RPC server). It lives
/// exactly as long as the benchmark: stopped by `stop()`, and in any case killed
/// with the benchmark's process group when the benchmark ends.
public struct Server {
    public let pid: pid_t

    /// Forks a process running the C server body `body(state)`; `state` is the
    /// server's copy after the fork.
    public static func start(_ body: cshims_server_fn, _ state: UnsafeMutableRawPointer) throws -> Server {
        let pid = cshims_start_server(body, state)
        if pid < 0 { throw SystemError("fork", "server", errno: .current) }
        return Server(pid: pid)
    }

    public func stop() {
        kill(pid, SIGKILL)
        _ = try? Sys.waitpid(pid)
    }
}

extension Sys {
    /// An AF_UNIX stream socket pair.
    public static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        try check("socketpair") { socketpair(AF_UNIX, streamSocket | closeOnExec, 0, &fds) }
        return (fds[0], fds[1])
    }

    /// SO_RCVTIMEO: a blocking receive gives up after this long (EAGAIN).
    public static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) throws {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        try check("setsockopt", "SO_RCVTIMEO") {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
    }
}
