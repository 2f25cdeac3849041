import BenchCore
import BenchEngine
import CShims
import Glibc

/// bw_pipe, bw_unix, bw_tcp: bytes moved from a writer process to the timed
/// reader. Pipe and AF_UNIX: 10 MiB per iteration in 64 KiB reads (AF_UNIX: asked
/// for on a control pipe first). TCP: per message size M (1 B to 10 MiB), M bytes
/// per iteration read with read(M) calls, from a writer sending M-byte messages.
/// MB is 10^6 bytes. Lines "Pipe bandwidth", "AF_UNIX sock stream bandwidth",
/// block "Socket bandwidth using localhost".
enum StreamBandwidth {
    static let transfer = 10 << 20
    static let chunk = 64 << 10

    static let tcpID = "tcp-bw", unixID = "unix-bw", pipeID = "pipe-bw"
    /// Message sizes of the "Socket bandwidth using localhost" block; the last is
    /// the one getsummary reports.
    static let tcpSizes: [(name: String, bytes: Int)] = [
        ("1", 1), ("64", 64), ("128", 128), ("256", 256), ("512", 512), ("1024", 1024), ("1437", 1437), ("10m", 10 << 20),
    ]

    /// A "<title>: <rate> MB/sec" line.
    static let unixLine = TitledLine("AF_UNIX sock stream bandwidth", cell: unixID, value: .megabytesPerSecond)
    static let pipeLine = TitledLine("Pipe bandwidth", cell: pipeID, value: .megabytesPerSecond)

    static let tcp = Benchmark(
        id: tcpID, groups: [.bandwidth], summary: "TCP on 127.0.0.1, messages of 1 B to 10 MiB, read by the timed process", typicalSeconds: 3.5,
        operation: #"TCP on 127.0.0.1 from a writer process sending M-byte messages: M bytes read with `read(M)` calls per iteration, M = 1, 64, 128, 256, 512, 1024, 1437 B and 10 MiB"#,
        differences: #"fixed: 127.0.0.1 on an ephemeral port, a fresh writer per size (LMBench: INADDR_ANY, port 31236); socket buffers left to autotuning (LMBench forces 1 MiB, which turns autotuning off and caps the stream at those buffers); warm-up until two consecutive intervals agree within 5% (at most 40 intervals) instead of a fixed 7.5 s per size (60 s in all)"#,
        lmbench: LMBenchProgram("bw_tcp -m M localhost") { _ in
            LMBenchCounterpart(invocations: tcpSizes.map { size in
                LMBenchInvocation(program: "bw_tcp", arguments: LMBenchPrograms.parallelism
                                    + ["-m", size.name == "10m" ? "10M" : size.name, "localhost"],
                                  output: .sized(cell: "\(tcpID)/\(size.name)"))
            }, server: "bw_tcp", needsHello: false, needsFile: false)
        },
        metrics: [.bandwidth(2, "TCP", "bw_tcp_local", .exact("\(tcpID)/10m"))],
        results: { out in
            let rows = tcpSizes.compactMap { size in out.value("\(tcpID)/\(size.name)").map { (size.bytes, $0) } }
            guard !rows.isEmpty else { return }
            out.enter(nil)
            out.line("")
            out.line("Socket bandwidth using localhost")
            for (bytes, rate) in rows { out.line(cFormat("%.6f %.2f MB/sec", Double(bytes) / 1e6, rate)) }
            out.line("")
        }
    ) { ctx in
        for size in tcpSizes where ctx.wants("\(tcpID)/\(size.name)") {
            try tcp(ctx, size: size)
        }
    }

    static let unix = Benchmark(
        id: unixID, groups: [.bandwidth], summary: "10 MiB over an AF_UNIX stream socket pair in 64 KiB reads",
        operation: #"10 MiB over an AF_UNIX stream socket pair in 64 KiB reads, asked for on a control pipe"#,
        differences: #"intervals of ENOUGH (LMBench: ≥ 2 s)"#,
        lmbench: LMBenchProgram("bw_unix", unixLine.invocation("bw_unix", LMBenchPrograms.parallelism)),
        metrics: [.bandwidth(1, "AF UNIX", "bw_unix", .exact(unixID))],
        results: unixLine.write
    ) { ctx in
        guard ctx.wants(unixID) else { return }
        let (reader, writer) = try Sys.socketPair()
        let control = try Sys.pipe()
        defer { [reader, writer, control.read, control.write].forEach(Sys.close) }
        try measure(ctx, cell: unixID, fd: reader, control: control.write,
                    writer: cshims_stream_writer_state(fd: writer, control_fd: control.read, accept: 0, chunk: chunk))
    }

    static let pipe = Benchmark(
        id: pipeID, groups: [.bandwidth], summary: "10 MiB through a pipe in 64 KiB reads",
        operation: #"10 MiB through a pipe in 64 KiB reads into a buffer 128 bytes off page alignment, from a writer process writing 64 KiB chunks"#,
        differences: #"intervals of ENOUGH (LMBench: ≥ 2 s)"#,
        lmbench: LMBenchProgram("bw_pipe", pipeLine.invocation("bw_pipe", LMBenchPrograms.parallelism)),
        metrics: [.bandwidth(0, "Pipe", "bw_pipe", .exact(pipeID))],
        results: pipeLine.write
    ) { ctx in
        guard ctx.wants(pipeID) else { return }
        let pipe = try Sys.pipe()
        defer { Sys.close(pipe.read) }
        try measure(ctx, cell: pipeID, fd: pipe.read, control: -1,
                    writer: cshims_stream_writer_state(fd: pipe.write, control_fd: -1, accept: 0, chunk: chunk),
                    closeAfterStart: pipe.write)
    }

    /// Starts the writer, then times the reader; `closeAfterStart` is the writer's
    /// end, closed here once the writer has its copy (so the reader sees its exit).
    private static func measure(_ ctx: BenchmarkContext, cell: String, fd: Int32, control: Int32,
                                writer: cshims_stream_writer_state, closeAfterStart: Int32? = nil) throws {
        let server = try LocalLatency.startServer(cshims_serve_stream_writer, writer)
        defer { server.stop() }
        if let closeAfterStart { Sys.close(closeAfterStart) }
        // The reader's buffer is off page alignment by 128 bytes, as LMBench's.
        let buffer = try Sys.pageAlignedBuffer(chunk + 4096)
        defer { free(buffer) }
        try withLoopState(cshims_stream_reader_state(fd: fd, control_fd: control, bytes: UInt64(transfer), chunk: chunk,
                                                     buffer: buffer + 128)) { state in
            let series = try ctx.measure(cell, [.init("main", TimedLoop(cshims_loop_stream_read, state))])
            ctx.record(Cell(id: cell, unit: .megabytesPerSecond, estimate: .megabytesPerSecond(bytes: Double(transfer)),
                            series: series, detail: ["bytes_per_iteration": String(transfer)]))
        }
    }

    /// One message size. The warm-up runs until two consecutive intervals agree
    /// within 5% (at most 40 intervals) instead of LMBench's fixed 7.5 s per size;
    /// socket buffers are left to the kernel's autotuning (LMBench forces 1 MiB,
    /// which turns autotuning off).
    private static func tcp(_ ctx: BenchmarkContext, size: (name: String, bytes: Int)) throws {
        let cell = "\(tcpID)/\(size.name)"
        let listener = try Sys.loopbackSocket(type: Sys.streamSocket)
        defer { Sys.close(listener.fd) }
        try Sys.listen(listener.fd)
        let server = try LocalLatency.startServer(
            cshims_serve_stream_writer, cshims_stream_writer_state(fd: listener.fd, control_fd: -1, accept: 1, chunk: size.bytes))
        defer { server.stop() }
        let fd = try Sys.connectLoopback(port: listener.port, type: Sys.streamSocket)
        defer { Sys.close(fd) }
        let buffer = try Sys.pageAlignedBuffer(size.bytes)
        defer { free(buffer) }
        try withLoopState(cshims_stream_reader_state(fd: fd, control_fd: -1, bytes: UInt64(size.bytes), chunk: size.bytes,
                                                     buffer: buffer)) { state in
            let series = try ctx.measure(cell, [.init("main", TimedLoop(cshims_loop_stream_read, state), warmUntilSteady: true)])
            ctx.record(Cell(id: cell, unit: .megabytesPerSecond, estimate: .megabytesPerSecond(bytes: Double(size.bytes)),
                            series: series, detail: ["message_bytes": String(size.bytes)]))
        }
    }
}
