import CShims
import Glibc

/// bw_file_rd and bw_mmap_rd on the --mb MiB test file, for every size of
/// LMBench's list up to --mb: reading the first <size> bytes in chunks of at most
/// 64 KiB into one buffer and summing each chunk, from a descriptor opened once
/// (after lseek to 0) or opened and closed per iteration; and summing a mapping
/// of them made once, or mapped and unmapped per iteration. Blocks "read
/// bandwidth", "read open2close bandwidth", "Mmap read bandwidth", "Mmap read
/// open2close bandwidth": "<size in MB> <MB/s>".
enum FileBandwidth {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "file-reread", groups: [.bandwidth],
                  summary: "reading and summing 512 B to --mb MiB of a cached file, opened once or per read",
                  lmbench: "bw_file_rd <size> io_only|open2close $FILE") { ctx in
            try ctx.ensureTestFile()
            let fd = try Sys.open(ctx.testFile, O_RDONLY)
            defer { Sys.close(fd) }
            let buffer = try Sys.pageAlignedBuffer(64 << 10)
            defer { free(buffer) }
            try ctx.testFile.withCString { path in
                for size in sizes(ctx) {
                    let bytes = ResultsFile.bytes(size)
                    try withLoopState(cshims_reread_state(path: path, fd: fd, bytes: bytes, chunk: min(bytes, 64 << 10),
                                                          buffer: buffer, sink: 0)) { state in
                        try ctx.measureBandwidth("file-reread/\(size)", bytes: bytes,
                                                 loop: TimedLoop(cshims_loop_file_reread, state))
                        try ctx.measureBandwidth("file-reread-open2close/\(size)", bytes: bytes,
                                                 loop: TimedLoop(cshims_loop_file_reread_open, state))
                    }
                }
            }
        },
        Benchmark(id: "mmap-reread", groups: [.bandwidth],
                  summary: "summing 512 B to --mb MiB of a mapped cached file, mapped once or per read",
                  lmbench: "bw_mmap_rd <size> mmap_only|open2close $FILE") { ctx in
            try ctx.ensureTestFile()
            let fd = try Sys.open(ctx.testFile, O_RDONLY)
            defer { Sys.close(fd) }
            try ctx.testFile.withCString { path in
                for size in sizes(ctx) {
                    let bytes = ResultsFile.bytes(size)
                    let map = try Sys.mmap(bytes, PROT_READ, MAP_SHARED, fd, subject: ctx.testFile)
                    defer { Sys.munmap(map, bytes) }
                    try withLoopState(cshims_mapped_reread_state(path: path, map: map, bytes: bytes, sink: 0)) { state in
                        try ctx.measureBandwidth("mmap-reread/\(size)", bytes: bytes,
                                                 loop: TimedLoop(cshims_loop_mapped_reread, state))
                        try ctx.measureBandwidth("mmap-reread-open2close/\(size)", bytes: bytes,
                                                 loop: TimedLoop(cshims_loop_mapped_reread_open, state))
                    }
                }
            }
        },
    ]

    static func sizes(_ ctx: BenchmarkContext) -> [String] { ResultsFile.sizeLists(mb: ctx.settings.mb).all }
}
