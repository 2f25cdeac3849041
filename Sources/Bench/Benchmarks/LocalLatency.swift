import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_pipe, lat_unix, lat_udp, lat_tcp, lat_connect: one-byte (UDP: 4-byte)
/// round trips to an echo server in another process, and TCP connection setup.
/// Every server binds 127.0.0.1 on an ephemeral port (LMBench: INADDR_ANY on fixed
/// ports), starts fresh for its benchmark and is stopped when it ends (LMBench's
/// servers are started once and exit after an hour). Lines "Pipe latency",
/// "AF_UNIX sock stream latency", "UDP/TCP latency using localhost",
/// "TCP/IP connection cost to localhost".
enum LocalLatency {
    static let pipeID = "pipe-latency", unixID = "unix-latency", udpID = "udp-latency", tcpID = "tcp-latency"
    static let connectID = "tcp-connect"

    /// An LMBench client against its server on localhost (started with -s, stopped with -S).
    static func lmbench(_ program: String, _ arguments: [String], _ line: TitledLine) -> LMBenchProgram {
        LMBenchProgram("\(program) localhost", line.invocation(program, arguments + ["localhost"]), server: program)
    }

    static let pipeLine = TitledLine("Pipe latency", cell: pipeID)
    static let unixLine = TitledLine("AF_UNIX sock stream latency", cell: unixID)
    static let udpLine = TitledLine("UDP latency using localhost", cell: udpID)
    static let tcpLine = TitledLine("TCP latency using localhost", cell: tcpID)
    static let connectLine = TitledLine("TCP/IP connection cost to localhost", cell: connectID)

    static let pipe = Benchmark(
        id: pipeID, groups: [.latency], summary: "1-byte round trip to another process over two pipes",
        operation: #"1-byte round trip to a forked echo process over two pipes"#,
        differences: #"intervals of ENOUGH, as every benchmark (LMBench: at least 1 s)"#,
        lmbench: LMBenchProgram("lat_pipe", pipeLine.invocation("lat_pipe", LMBenchPrograms.parallelism)),
        metrics: [.simple(.latency, 1, "Pipe", "lat_pipe", pipeID)],
        results: pipeLine.write
    ) { ctx in
        let request = try Sys.pipe(), reply = try Sys.pipe()
        defer { [request.read, request.write, reply.read, reply.write].forEach(Sys.close) }
        try roundTrips(ctx, cell: pipeID, client: (request.write, reply.read),
                       server: cshims_serve_echo, serverState: cshims_echo_state(read_fd: request.read, write_fd: reply.write))
    }

    static let unix = Benchmark(
        id: unixID, groups: [.latency], summary: "1-byte round trip to another process over an AF_UNIX stream socket pair",
        operation: #"1-byte round trip over an AF_UNIX stream socket pair"#,
        differences: #"—"#,
        lmbench: LMBenchProgram("lat_unix", unixLine.invocation("lat_unix", LMBenchPrograms.parallelism)),
        metrics: [.simple(.latency, 2, "AF UNIX", "lat_unix", unixID)],
        results: unixLine.write
    ) { ctx in
        let (mine, theirs) = try Sys.socketPair()
        defer { Sys.close(mine); Sys.close(theirs) }
        try roundTrips(ctx, cell: unixID, client: (mine, mine),
                       server: cshims_serve_echo, serverState: cshims_echo_state(read_fd: theirs, write_fd: theirs))
    }

    static let udp = Benchmark(
        id: udpID, groups: [.latency], summary: "4-byte UDP round trip to an echo server on 127.0.0.1",
        operation: #"4-byte datagram (a sequence number) to an echo server and back"#,
        differences: #"fixed: server on 127.0.0.1, ephemeral port, started and stopped with the benchmark (LMBench: INADDR_ANY, fixed port 34298, a daemon that exits after an hour); a lost datagram is sent again after 1000 × the round trip measured at start, and counted (LMBench: `alarm(15)` kills the run); intervals of ENOUGH (LMBench: ≥ 1 s)"#,
        lmbench: lmbench("lat_udp", LMBenchPrograms.parallelism, udpLine),
        metrics: [.simple(.latency, 3, "UDP", "lat_udp_local", udpID)],
        results: udpLine.write
    ) { ctx in
        try udpRoundTrips(ctx)
    }

    static let tcp = Benchmark(
        id: tcpID, groups: [.latency], summary: "1-byte TCP round trip to an echo server on 127.0.0.1",
        operation: #"1-byte round trip on a TCP connection to an echo server"#,
        differences: #"fixed: as UDP (LMBench: port 31234); intervals of ENOUGH (LMBench: ≥ 2 s)"#,
        lmbench: lmbench("lat_tcp", LMBenchPrograms.parallelism, tcpLine),
        metrics: [.simple(.latency, 5, "TCP", "lat_tcp_local", tcpID)],
        results: tcpLine.write
    ) { ctx in
        let listener = try Sys.loopbackSocket(type: Sys.streamSocket)
        defer { Sys.close(listener.fd) }
        try Sys.listen(listener.fd)
        let server = try startServer(cshims_serve_tcp_echo, cshims_echo_state(read_fd: listener.fd, write_fd: listener.fd))
        defer { server.stop() }
        let fd = try Sys.connectLoopback(port: listener.port, type: Sys.streamSocket)
        defer { Sys.close(fd) }
        try measureRoundTrips(ctx, cell: tcpID, write: fd, read: fd)
    }

    static let connect = Benchmark(
        id: connectID, groups: [.latency], summary: "socket(), connect() to a server on 127.0.0.1 and close()",
        operation: #"`socket()`, `SO_REUSEADDR`, `connect()` to a server on 127.0.0.1, `close()`"#,
        differences: #"fixed: 127.0.0.1, ephemeral port (LMBench: INADDR_ANY, 31237); the server accepts with a backlog of SOMAXCONN and lives exactly as long as the benchmark (LMBench's exits after an hour: the likely cause of a bogus 14 µs under a slowed kernel); the same system calls per connect as LMBench's (client: `socket`, `setsockopt`, `connect`, `close`; server: `accept`, `read` to end of file, `close`; checked with strace). The cost per connect grows with the number of connects made back to back (TIME_WAIT sockets pile up): LMBench's own lat_connect gave 34 µs with ENOUGH = 5 ms, 44 µs with 50 ms and 79 µs with 500 ms here, so compare the two only with the same ENOUGH (`crosscheck` does)"#,
        lmbench: lmbench("lat_connect", [], connectLine),
        metrics: [.simple(.latency, 7, "TCP conn", "lat_tcp_connect_local", connectID)],
        results: connectLine.write
    ) { ctx in
        let listener = try Sys.loopbackSocket(type: Sys.streamSocket)
        defer { Sys.close(listener.fd) }
        try Sys.listen(listener.fd, backlog: SOMAXCONN)
        let server = try startServer(cshims_serve_accept_close,
                                     cshims_echo_state(read_fd: listener.fd, write_fd: listener.fd))
        defer { server.stop() }
        try withLoopState(cshims_connect_state(port: listener.port)) { state in
            try ctx.measureLatency(connectID, loop: TimedLoop(cshims_loop_tcp_connect, state))
        }
    }

    /// Starts a C server in its own process with a copy of `state`.
    static func startServer<State>(_ body: cshims_server_fn, _ state: State) throws -> Server {
        try withLoopState(state) { try Server.start(body, $0) }
    }

    /// An echo server over descriptors, and one-byte round trips to it.
    private static func roundTrips(_ ctx: BenchmarkContext, cell: String, client: (write: Int32, read: Int32),
                                   server: cshims_server_fn, serverState: cshims_echo_state) throws {
        let process = try startServer(server, serverState)
        defer { process.stop() }
        try measureRoundTrips(ctx, cell: cell, write: client.write, read: client.read)
    }

    private static func measureRoundTrips(_ ctx: BenchmarkContext, cell: String, write: Int32, read: Int32) throws {
        try withLoopState(cshims_round_trip_state(write_fd: write, read_fd: read)) { state in
            let loop = TimedLoop(cshims_loop_round_trip, state)
            try loop.runOnce(name: "\(cell) first round trip")
            try ctx.measureLatency(cell, loop: loop)
        }
    }

    private static func udpRoundTrips(_ ctx: BenchmarkContext) throws {
        let serverSocket = try Sys.loopbackSocket(type: Sys.datagramSocket)
        defer { Sys.close(serverSocket.fd) }
        let server = try startServer(cshims_serve_udp_echo, cshims_echo_state(read_fd: serverSocket.fd, write_fd: serverSocket.fd))
        defer { server.stop() }
        let fd = try Sys.connectLoopback(port: serverSocket.port, type: Sys.datagramSocket)
        defer { Sys.close(fd) }
        try withLoopState(cshims_udp_state(fd: fd, sequence: 0, retries: 0)) { state in
            let loop = TimedLoop(cshims_loop_udp_round_trip, state)
            try Sys.setReceiveTimeout(fd, milliseconds: retryTimeoutMs(ctx, loop: loop) { try Sys.setReceiveTimeout(fd, milliseconds: $0) })
            try ctx.measureLatency(udpID, loop: loop)
            if state.pointee.retries > 0 {
                ctx.warn("\(state.pointee.retries) datagram(s) lost and sent again")
            }
        }
    }

    /// How long to wait before sending a datagram again: a thousand times the round
    /// trip measured now (generous: a resend only costs time when a datagram was
    /// really lost), never a fixed wall-clock constant. `apply` sets a timeout on
    /// the client; the measuring round trips start with a wide one from the
    /// calibrated slowdown.
    static func retryTimeoutMs(_ ctx: BenchmarkContext, loop: TimedLoop, apply: (Int) throws -> Void) throws -> Int {
        try apply(Int(1000 * ctx.calibration.slowdown))
        let trips: UInt64 = 64
        var elapsed: Int64 = 0
        let rc = cshims_timing_run(loop.function, loop.state, trips, &elapsed)
        if rc != 0 { throw SystemError("round trip", errno: Errno(rc)) }
        let roundTripMs = Double(elapsed) / Double(trips) / 1e6
        return max(1, Int((1000 * roundTripMs).rounded(.up)))
    }
}
