import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_select: one select() with a zero timeout on N duplicates of one descriptor
/// (a file in the fs directory, or a connected loopback TCP socket), for N = 10,
/// 100, 250, 500. Unlike LMBench, nfds covers all N descriptors (LMBench passes N,
/// leaving the highest few unpolled). Lines "Select on N fd's" / "Select on N tcp fd's".
enum SelectLatency {
    static let counts = [10, 100, 250, 500]
    static let fileID = "select-file", tcpID = "select-tcp"

    /// The line of N descriptors of a file ("Select on N fd's") or of a TCP socket ("Select on N tcp fd's").
    static func line(_ id: String, _ n: Int) -> TitledLine {
        TitledLine(id == tcpID ? "Select on \(n) tcp fd's" : "Select on \(n) fd's", cell: "\(id)/\(n)")
    }

    /// lat_select -n N for each count, on `kind` (file or tcp) descriptors.
    static func lmbench(_ id: String, kind: String) -> LMBenchProgram {
        LMBenchProgram("lat_select -n N \(kind)") { _ in
            LMBenchCounterpart(invocations: counts.map { n in
                line(id, n).invocation("lat_select", ["-n", String(n)] + LMBenchPrograms.parallelism + [kind])
            }, server: nil, needsHello: false, needsFile: false)
        }
    }

    static let file = Benchmark(
        id: fileID, groups: [.processor, .filevm], summary: "select() on 10/100/250/500 descriptors of a file",
        operation: #"`select()`, zero timeout, on 10/100/250/500 dups of a file descriptor"#,
        differences: #"fixed: nfds covers all N descriptors (LMBench passes N although the dups start above fd 2, so the top few are never polled); the file is in the private run directory, not the current directory"#,
        lmbench: lmbench(fileID, kind: "file"), placement: .quietestCPU,
        metrics: [.simple(.filevm, 7, "100fd selct", "lat_fd_select", "\(fileID)/100")],
        results: { out in for n in counts { line(fileID, n).write(&out) } }
    ) { ctx in
        let path = ctx.path(fileID)
        let fd = try Sys.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        defer { Sys.close(fd); try? Sys.unlink(path) }
        try measure(ctx, prefix: fileID, descriptor: fd)
    }

    static let tcp = Benchmark(
        id: tcpID, groups: [.processor], summary: "select() on 10/100/250/500 descriptors of a loopback TCP connection",
        operation: #"the same on dups of a connected loopback TCP socket"#,
        differences: #"fixed: 127.0.0.1 on an ephemeral port, accepted in the same process (LMBench: INADDR_ANY, fixed port 31233, a server that outlives it)"#,
        lmbench: lmbench(tcpID, kind: "tcp"), placement: .quietestCPU,
        metrics: [.simple(.processor, 4, "slct TCP", "lat_tcp_select", "\(tcpID)/100")],
        results: { out in for n in counts { line(tcpID, n).write(&out) } }
    ) { ctx in
        // The connection is accepted in this process: no server needs to outlive it.
        let listener = try Sys.loopbackSocket(type: Sys.streamSocket)
        defer { Sys.close(listener.fd) }
        try Sys.listen(listener.fd)
        let client = try Sys.connectLoopback(port: listener.port, type: Sys.streamSocket)
        defer { Sys.close(client) }
        let server = try Sys.accept(listener.fd)
        defer { Sys.close(server) }
        try measure(ctx, prefix: tcpID, descriptor: client)
    }

    private static func measure(_ ctx: BenchmarkContext, prefix: String, descriptor: Int32) throws {
        for count in counts where ctx.wants("\(prefix)/\(count)") {
            var duplicates: [Int32] = []
            defer { duplicates.forEach(Sys.close) }
            for _ in 0..<count { duplicates.append(try Sys.dup(descriptor)) }
            guard let highest = duplicates.max(), highest < FD_SETSIZE else {
                throw BenchError("descriptor above FD_SETSIZE: select cannot take it")
            }
            try withLoopState(cshims_select_state()) { state in
                cshims_select_clear(state)
                for fd in duplicates { cshims_select_add(state, fd) }
                try ctx.measureLatency("\(prefix)/\(count)", loop: TimedLoop(cshims_loop_select, state),
                                       detail: ["descriptors": String(count)])
            }
        }
    }
}
