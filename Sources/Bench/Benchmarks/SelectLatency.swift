import CShims
import Glibc

/// lat_select: one select() with a zero timeout on N duplicates of one descriptor
/// (a file in the fs directory, or a connected loopback TCP socket), for N = 10,
/// 100, 250, 500. Unlike LMBench, nfds covers all N descriptors (LMBench passes N,
/// leaving the highest few unpolled). Lines "Select on N fd's" / "Select on N tcp fd's".
enum SelectLatency {
    static let counts = [10, 100, 250, 500]

    static let benchmarks: [Benchmark] = [
        Benchmark(id: "select-file", groups: [.processor, .filevm],
                  summary: "select() on 10/100/250/500 descriptors of a file",
                  lmbench: "lat_select -n N file", placement: .quietestCPU) { ctx in
            let path = ctx.path("select-file")
            let fd = try Sys.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
            defer { Sys.close(fd); try? Sys.unlink(path) }
            try measure(ctx, prefix: "select-file", descriptor: fd)
        },
        Benchmark(id: "select-tcp", groups: [.processor],
                  summary: "select() on 10/100/250/500 descriptors of a loopback TCP connection",
                  lmbench: "lat_select -n N tcp", placement: .quietestCPU) { ctx in
            // The connection is accepted in this process: no server needs to outlive it.
            let listener = try Sys.loopbackSocket(type: Sys.streamSocket)
            defer { Sys.close(listener.fd) }
            try Sys.listen(listener.fd)
            let client = try Sys.connectLoopback(port: listener.port, type: Sys.streamSocket)
            defer { Sys.close(client) }
            let server = try Sys.accept(listener.fd)
            defer { Sys.close(server) }
            try measure(ctx, prefix: "select-tcp", descriptor: client)
        },
    ]

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
