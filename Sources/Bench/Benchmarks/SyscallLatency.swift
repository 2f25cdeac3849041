import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_syscall: one system call per iteration, on a descriptor opened (or a path
/// created) before timing. Lines "Simple syscall/read/write/stat/fstat/open/close".
enum SyscallLatency {
    static let nullCallID = "null-call", nullReadID = "null-read", nullWriteID = "null-write"
    static let statID = "stat", fstatID = "fstat", openCloseID = "open-close"

    static let nullCallLine = TitledLine("Simple syscall", cell: nullCallID)
    static let nullReadLine = TitledLine("Simple read", cell: nullReadID)
    static let nullWriteLine = TitledLine("Simple write", cell: nullWriteID)
    static let statLine = TitledLine("Simple stat", cell: statID)
    static let fstatLine = TitledLine("Simple fstat", cell: fstatID)
    static let openCloseLine = TitledLine("Simple open/close", cell: openCloseID)

    /// lat_syscall with `what` (and the stat file), its value read from `line`.
    static func lmbench(_ what: String, _ line: TitledLine, file: Bool = false) -> LMBenchProgram {
        LMBenchProgram("lat_syscall \(what)" + (file ? " $FSDIR/lmbench" : ""),
                       line.invocation("lat_syscall", LMBenchPrograms.parallelism + [what] + (file ? [LMBenchPrograms.statFile] : [])))
    }

    static let nullCall = Benchmark(
        id: nullCallID, groups: [.processor], summary: "getppid(), a system call that does no work",
        operation: #"`getppid()`"#,
        differences: #"—"#,
        lmbench: lmbench("null", nullCallLine), placement: .quietestCPU,
        metrics: [.simple(.processor, 0, "null call", "lat_syscall", nullCallID)],
        results: nullCallLine.write
    ) { ctx in
        try ctx.measureLatency(nullCallID, loop: TimedLoop(cshims_loop_getppid))
    }

    static let nullRead = Benchmark(
        id: nullReadID, groups: [.processor], summary: "read() of 1 byte from /dev/zero",
        operation: #"`read()` of 1 byte from /dev/zero"#,
        differences: #"—"#,
        lmbench: lmbench("read", nullReadLine), placement: .quietestCPU,
        metrics: [SummaryMetric(.processor, 1, "null I/O", summary: ["lat_read", "lat_write"],
                                cells: [.exact(nullReadID), .exact(nullWriteID)], combine: { ($0[0] + $0[1]) / 2 })],
        results: nullReadLine.write
    ) { ctx in
        try onDescriptor("/dev/zero", O_RDONLY) { state in
            try ctx.measureLatency(nullReadID, loop: TimedLoop(cshims_loop_read_byte, state))
        }
    }

    static let nullWrite = Benchmark(
        id: nullWriteID, groups: [.processor], summary: "write() of 1 byte to /dev/null",
        operation: #"`write()` of 1 byte to /dev/null"#,
        differences: #"—"#,
        lmbench: lmbench("write", nullWriteLine), placement: .quietestCPU,
        results: nullWriteLine.write
    ) { ctx in
        try onDescriptor("/dev/null", O_WRONLY) { state in
            try ctx.measureLatency(nullWriteID, loop: TimedLoop(cshims_loop_write_byte, state))
        }
    }

    static let stat = Benchmark(
        id: statID, groups: [.processor], summary: "stat() of a file in the fs directory",
        operation: #"`stat()` of an empty file in the fs directory"#,
        differences: #"—"#,
        lmbench: lmbench("stat", statLine, file: true), placement: .quietestCPU,
        metrics: [.simple(.processor, 2, "stat", "lat_stat", statID)],
        results: statLine.write
    ) { ctx in
        try onPath(ctx.statFile) { state in
            try ctx.measureLatency(statID, loop: TimedLoop(cshims_loop_stat, state))
        }
    }

    static let fstat = Benchmark(
        id: fstatID, groups: [.processor], summary: "fstat() of an open file",
        operation: #"`fstat()` of that file, open"#,
        differences: #"—"#,
        lmbench: lmbench("fstat", fstatLine, file: true), placement: .quietestCPU,
        results: fstatLine.write
    ) { ctx in
        try onDescriptor(ctx.statFile, O_RDONLY) { state in
            try ctx.measureLatency(fstatID, loop: TimedLoop(cshims_loop_fstat, state))
        }
    }

    static let openClose = Benchmark(
        id: openCloseID, groups: [.processor], summary: "open() and close() of a file in the fs directory",
        operation: #"`open()` + `close()` of that file"#,
        differences: #"—"#,
        lmbench: lmbench("open", openCloseLine, file: true), placement: .quietestCPU,
        metrics: [.simple(.processor, 3, "open clos", "lat_openclose", openCloseID)],
        results: openCloseLine.write
    ) { ctx in
        try onPath(ctx.statFile) { state in
            try ctx.measureLatency(openCloseID, loop: TimedLoop(cshims_loop_open_close, state))
        }
    }

    private static func onDescriptor(_ path: String, _ flags: Int32,
                                     _ body: (UnsafeMutablePointer<cshims_fd_state>) throws -> Void) throws {
        let fd = try Sys.open(path, flags)
        defer { Sys.close(fd) }
        try withLoopState(cshims_fd_state(fd: fd), body)
    }

    private static func onPath(_ path: String,
                               _ body: (UnsafeMutablePointer<cshims_path_state>) throws -> Void) throws {
        try path.withCString { cPath in
            try withLoopState(cshims_path_state(path: cPath), body)
        }
    }
}
