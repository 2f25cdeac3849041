import BenchCore
import BenchEngine
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
    static let fileID = "file-reread", mmapID = "mmap-reread"

    /// bw_<program> for every size, plain and open2close, on the test file.
    static func lmbench(_ program: String, _ mode: String, _ id: String) -> LMBenchProgram {
        LMBenchProgram("\(program) <size> \(mode)|open2close $FILE") { mb in
            let sizes = ResultsFile.sizeLists(mb: mb).all
            let args = { (mode: String) in { (size: String) in LMBenchPrograms.parallelism + [size, mode, LMBenchPrograms.testFile] } }
            return LMBenchCounterpart(invocations: LMBenchPrograms.sized(program, sizes, id, args(mode))
                                        + LMBenchPrograms.sized(program, sizes, id + "-open2close", args("open2close")),
                                      server: nil, needsHello: false, needsFile: true)
        }
    }

    /// The two blocks: reading the file (or the mapping) opened once, then per read.
    static func blocks(_ title: String, _ id: String) -> @Sendable (inout ResultsWriter) -> Void {
        { out in
            if out.sizeBlock("\"\(title) bandwidth", prefix: id, sizes: out.lists.all, leadingBlank: true) {
                out.sizeBlock("\"\(title) open2close bandwidth", prefix: id + "-open2close", sizes: out.lists.all)
            }
        }
    }

    static let file = Benchmark(
        id: fileID, groups: [.bandwidth], summary: "reading and summing 512 B to --mb MiB of a cached file, opened once or per read", typicalSeconds: 5.5,
        operation: #"the first N bytes of the test file (in the page cache) read in chunks of min(N, 64 KiB) into one buffer, each chunk summed as 64-bit words; from a descriptor opened once, after `lseek(0)` ("read bandwidth"), or `open()`…`close()` per iteration ("read open2close bandwidth"); N from 512 B to `--mb`"#,
        differences: #"fixed: every word is summed (LMBench's `bread` sums whole 1 KiB blocks only, so at 512 B it reads nothing)"#,
        lmbench: lmbench("bw_file_rd", "io_only", fileID),
        metrics: [.bandwidth(3, "File reread", "bw_reread", .largest(fileID + "/"))],
        results: blocks("read", fileID)
    ) { ctx in
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
                    try ctx.measureBandwidth("\(fileID)/\(size)", bytes: bytes,
                                             loop: TimedLoop(cshims_loop_file_reread, state))
                    try ctx.measureBandwidth("\(fileID)-open2close/\(size)", bytes: bytes,
                                             loop: TimedLoop(cshims_loop_file_reread_open, state))
                }
            }
        }
    }

    static let mmap = Benchmark(
        id: mmapID, groups: [.bandwidth], summary: "summing 512 B to --mb MiB of a mapped cached file, mapped once or per read", typicalSeconds: 5.5,
        operation: #"summing N bytes of a read-only shared mapping of the test file made once ("Mmap read bandwidth"), or `open()`, `mmap()`, sum, `close()`, `munmap()` per iteration ("Mmap read open2close bandwidth")"#,
        differences: #"fixed: as file-reread (LMBench's 512-byte "Mmap read" cell times an empty call: 30 000 MB/s here; ours reads the 512 bytes, which here happens to cost about as much)"#,
        lmbench: lmbench("bw_mmap_rd", "mmap_only", mmapID),
        metrics: [.bandwidth(4, "Mmap reread", "bw_mmap", .largest(mmapID + "/"), kind: .userSpaceControl)],
        results: blocks("Mmap read", mmapID)
    ) { ctx in
        try ctx.ensureTestFile()
        let fd = try Sys.open(ctx.testFile, O_RDONLY)
        defer { Sys.close(fd) }
        try ctx.testFile.withCString { path in
            for size in sizes(ctx) {
                let bytes = ResultsFile.bytes(size)
                let map = try Sys.mmap(bytes, PROT_READ, MAP_SHARED, fd, subject: ctx.testFile)
                defer { Sys.munmap(map, bytes) }
                try withLoopState(cshims_mapped_reread_state(path: path, map: map, bytes: bytes, sink: 0)) { state in
                    try ctx.measureBandwidth("\(mmapID)/\(size)", bytes: bytes,
                                             loop: TimedLoop(cshims_loop_mapped_reread, state))
                    try ctx.measureBandwidth("\(mmapID)-open2close/\(size)", bytes: bytes,
                                             loop: TimedLoop(cshims_loop_mapped_reread_open, state))
                }
            }
        }
}

    static func sizes(_ ctx: BenchmarkContext) -> [String] { ResultsFile.sizeLists(mb: ctx.settings.mb).all }
}
