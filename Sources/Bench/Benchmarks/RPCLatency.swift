import BenchCore
import BenchEngine
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
    static let udpID = "rpc-udp-latency", tcpID = "rpc-tcp-latency"

    static func benchmark(_ id: String, _ proto: String, column: Int, type: Int32, server: cshims_server_fn) -> Benchmark {
        let line = TitledLine("RPC/\(proto) latency using localhost", cell: id)
        return Benchmark(
            id: id, groups: [.latency], summary: "an ONC RPC call over \(proto.uppercased()) to a server on 127.0.0.1",
            operation: proto == "udp" ? #"one ONC RPC v2 call (program 404040, version 1, procedure 1, one XDR char each way, AUTH_NONE) over UDP"# : #"the same call over TCP, with record marking"#,
            differences: proto == "udp" ? #"fixed: our own minimal client and server instead of libtirpc and rpcbind (the client is given the port); they make the system calls an RPC library makes per call (client: send, poll, receive; server: poll, receive, send); a lost call is resent after 1000 × the measured round trip (LMBench: a fixed 25 ms call timeout that kills lat_rpc and blanks the column); no libtirpc overhead (XDR through function pointers), so ours is faster"# : "as `rpc-udp-latency`",
            lmbench: LMBenchProgram("lat_rpc -p \(proto) localhost",
                                    line.invocation("lat_rpc", LMBenchPrograms.parallelism + ["-p", proto, "localhost"]), server: "lat_rpc"),
            metrics: [.simple(.latency, column, "RPC/\(proto.uppercased())", "lat_rpc_\(proto)_local", id)],
            results: line.write
        ) { ctx in
            try measure(ctx, cell: id, type: type, server: server)
        }
    }

    static let udp = benchmark(udpID, "udp", column: 4, type: Sys.datagramSocket, server: cshims_serve_rpc_udp)
    static let tcp = benchmark(tcpID, "tcp", column: 6, type: Sys.streamSocket, server: cshims_serve_rpc_tcp)

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
