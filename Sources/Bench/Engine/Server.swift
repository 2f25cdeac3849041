import BenchCore
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

