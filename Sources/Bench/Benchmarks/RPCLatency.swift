import CShims
import Glibc

/// lat_rpc: one ONC RPC v2 call of program 404040 version 1 procedure 1 with one
/// XDR char each way, over UDP and over TCP (record marking), to a server on
/// 127.0.0.1. The client and server are our own minimal implementation (CShims
/// rpc.c) instead of libtirpc: no portmapper (the client is given the port) and
/// no fixed 25 ms call timeout (a lost UDP call is sent again after a timeout
/// derived from the measured round trip). Lines "RPC/udp latency using localhost",
/// "RPC/tcp latency using localhost".
enum RPCLatency {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "rpc-udp-latency", groups: [.latency],
                  summary: "an ONC RPC call over UDP to a server on 127.0.0.1", lmbench: "lat_rpc -p udp localhost") { ctx in
            try measure(ctx, cell: "rpc-udp-latency", type: Sys.datagramSocket, server: cshims_serve_rpc_udp)
        },
        Benchmark(id: "rpc-tcp-latency", groups: [.latency],
                  summary: "an ONC RPC call over TCP to a server on 127.0.0.1", lmbench: "lat_rpc -p tcp localhost") { ctx in
            try measure(ctx, cell: "rpc-tcp-latency", type: Sys.streamSocket, server: cshims_serve_rpc_tcp)
        },
    ]

    private static func measure(_ ctx: BenchmarkContext, cell: String, type: Int32, server: cshims_server_fn) throws {
        let tcp = type == Sys.streamSocket
        let socket = try Sys.loopbackSocket(type: type)
        defer { Sys.close(socket.fd) }
        if tcp { try Sys.listen(socket.fd) }
        let process = try LocalLatency.startServer(server, cshims_rpc_server_state(fd: socket.fd))
        defer { process.stop() }
        let fd = try Sys.connectLoopback(port: socket.port, type: type)
        defer { Sys.close(fd) }
        try withLoopState(cshims_rpc_client_state(fd: fd, tcp: tcp ? 1 : 0, xid: 0, timeout_ms: 0, retries: 0)) { state in
            let loop = TimedLoop(cshims_loop_rpc_call, state)
            state.pointee.timeout_ms = Int32(try LocalLatency.retryTimeoutMs(ctx, loop: loop) {
                state.pointee.timeout_ms = Int32($0)
            })
            try ctx.measureLatency(cell, loop: loop)
            if state.pointee.retries > 0 {
                ctx.warn("\(state.pointee.retries) call(s) lost and sent again")
            }
        }
    }
}
