import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_syscall: one system call per iteration, on a descriptor opened (or a path
/// created) before timing. Lines "Simple syscall/read/write/stat/fstat/open/close".
enum SyscallLatency {
    static let nullCallID = "null-call", nullReadID = "null-read", nullWriteID = "null-write"
    static let statID = "stat", fstatID = "fstat", openCloseID = "open-close"

    /// lat_syscall with `what` (and the stat file), its line `title` read for `cell`.
    static func lmbench(_ what: String, _ title: String, cell: String, file: Bool = false) -> LMBenchProgram {
        LMBenchProgram("lat_syscall \(what)" + (file ? " $FSDIR/lmbench" : ""),
                       LMBenchPrograms.titled("lat_syscall", LMBenchPrograms.parallelism + [what] + (file ? [LMBenchPrograms.statFile] : []),
                                              title + ":", field: 2, cell: cell))
    }

    static let nullCall = Benchmark(
        id: nullCallID, groups: [.processor], summary: "getppid(), a system call that does no work",
        lmbench: lmbench("null", "Simple syscall", cell: nullCallID), placement: .quietestCPU,
        metrics: [.simple(.processor, 0, "null call", "lat_syscall", nullCallID)],
        results: { $0.micro("Simple syscall", nullCallID) }
    ) { ctx in
        try ctx.measureLatency(nullCallID, loop: TimedLoop(cshims_loop_getppid))
    }

    static let nullRead = Benchmark(
        id: nullReadID, groups: [.processor], summary: "read() of 1 byte from /dev/zero",
        lmbench: lmbench("read", "Simple read", cell: nullReadID), placement: .quietestCPU,
        metrics: [SummaryMetric(.processor, 1, "null I/O", summary: ["lat_read", "lat_write"],
                                cells: [.exact(nullReadID), .exact(nullWriteID)], combine: { ($0[0] + $0[1]) / 2 })],
        results: { $0.micro("Simple read", nullReadID) }
    ) { ctx in
        try onDescriptor("/dev/zero", O_RDONLY) { state in
            try ctx.measureLatency(nullReadID, loop: TimedLoop(cshims_loop_read_byte, state))
        }
    }

    static let nullWrite = Benchmark(
        id: nullWriteID, groups: [.processor], summary: "write() of 1 byte to /dev/null",
        lmbench: lmbench("write", "Simple write", cell: nullWriteID), placement: .quietestCPU,
        results: { $0.micro("Simple write", nullWriteID) }
    ) { ctx in
        try onDescriptor("/dev/null", O_WRONLY) { state in
            try ctx.measureLatency(nullWriteID, loop: TimedLoop(cshims_loop_write_byte, state))
        }
    }

    static let stat = Benchmark(
        id: statID, groups: [.processor], summary: "stat() of a file in the fs directory",
        lmbench: lmbench("stat", "Simple stat", cell: statID, file: true), placement: .quietestCPU,
        metrics: [.simple(.processor, 2, "stat", "lat_stat", statID)],
        results: { $0.micro("Simple stat", statID) }
    ) { ctx in
        try onPath(ctx.statFile) { state in
            try ctx.measureLatency(statID, loop: TimedLoop(cshims_loop_stat, state))
        }
    }

    static let fstat = Benchmark(
        id: fstatID, groups: [.processor], summary: "fstat() of an open file",
        lmbench: lmbench("fstat", "Simple fstat", cell: fstatID, file: true), placement: .quietestCPU,
        results: { $0.micro("Simple fstat", fstatID) }
    ) { ctx in
        try onDescriptor(ctx.statFile, O_RDONLY) { state in
            try ctx.measureLatency(fstatID, loop: TimedLoop(cshims_loop_fstat, state))
        }
    }

    static let openClose = Benchmark(
        id: openCloseID, groups: [.processor], summary: "open() and close() of a file in the fs directory",
        lmbench: lmbench("open", "Simple open/close", cell: openCloseID, file: true), placement: .quietestCPU,
        metrics: [.simple(.processor, 3, "open clos", "lat_openclose", openCloseID)],
        results: { $0.micro("Simple open/close", openCloseID) }
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
