import CShims
import Glibc

/// lat_syscall: one system call per iteration, on a descriptor opened (or a path
/// created) before timing. Lines "Simple syscall/read/write/stat/fstat/open/close".
enum SyscallLatency {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "null-call", groups: [.processor],
                  summary: "getppid(), a system call that does no work", lmbench: "lat_syscall null",
                  placement: .quietestCPU) { ctx in
            try ctx.measureLatency("null-call", loop: TimedLoop(cshims_loop_getppid))
        },
        Benchmark(id: "null-read", groups: [.processor],
                  summary: "read() of 1 byte from /dev/zero",
                  lmbench: "lat_syscall read", placement: .quietestCPU) { ctx in
            try onDescriptor("/dev/zero", O_RDONLY) { state in
                try ctx.measureLatency("null-read", loop: TimedLoop(cshims_loop_read_byte, state))
            }
        },
        Benchmark(id: "null-write", groups: [.processor],
                  summary: "write() of 1 byte to /dev/null",
                  lmbench: "lat_syscall write", placement: .quietestCPU) { ctx in
            try onDescriptor("/dev/null", O_WRONLY) { state in
                try ctx.measureLatency("null-write", loop: TimedLoop(cshims_loop_write_byte, state))
            }
        },
        Benchmark(id: "stat", groups: [.processor],
                  summary: "stat() of a file in the fs directory",
                  lmbench: "lat_syscall stat $FSDIR/lmbench", placement: .quietestCPU) { ctx in
            try onPath(ctx.statFile) { state in
                try ctx.measureLatency("stat", loop: TimedLoop(cshims_loop_stat, state))
            }
        },
        Benchmark(id: "fstat", groups: [.processor],
                  summary: "fstat() of an open file",
                  lmbench: "lat_syscall fstat $FSDIR/lmbench", placement: .quietestCPU) { ctx in
            try onDescriptor(ctx.statFile, O_RDONLY) { state in
                try ctx.measureLatency("fstat", loop: TimedLoop(cshims_loop_fstat, state))
            }
        },
        Benchmark(id: "open-close", groups: [.processor],
                  summary: "open() and close() of a file in the fs directory",
                  lmbench: "lat_syscall open $FSDIR/lmbench", placement: .quietestCPU) { ctx in
            try onPath(ctx.statFile) { state in
                try ctx.measureLatency("open-close", loop: TimedLoop(cshims_loop_open_close, state))
            }
        },
    ]

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
