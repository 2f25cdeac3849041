import BenchCore
import BenchEngine
import CShims
import Glibc

/// bw_mem: reading, writing and copying memory, for every size of LMBench's
/// lists (copies over the half list, so both buffers fit in --mb). Buffers are
/// allocated per size, page-aligned and zero-filled before timing; the copy
/// target of the "aligned" variant is offset by 1920 bytes, as LMBench's
/// "conflict" option. Each loop makes one 4-byte access per int it touches (the
/// partial loops every 4th int), as LMBench's C built with -O does. One block
/// per operation, lines "<size in MB> <MB/s>".
enum MemoryBandwidth {
    typealias Loop = @convention(c) (UnsafeMutableRawPointer?, UInt64) -> Int32

    /// One bw_mem block of the results file, and the benchmark measuring it.
    struct Block: Sendable {
        /// Benchmark id, and cell id prefix ("mem-read": cells "mem-read/<size>").
        let id: String
        /// The block's title line, verbatim (some start with a double quote).
        let title: String
        /// Over the ALL size list (else HALF, so that both copy buffers fit in --mb).
        let fullList: Bool
        /// bw_mem's name for the operation.
        let lmbench: String
        let summary: String
        /// Its row of docs/benchmarks.md: the operation in full.
        let operation: String
        let loop: Loop
        /// Copies into a second buffer, at this offset.
        let copyOffset: Int?
        /// The summary cell it feeds, if any: column of the bandwidth table and label.
        let metric: (column: Int, label: String, array: String)?
    }

    static let blocks: [Block] = [
        Block(id: "bcopy-libc", title: "\"libc bcopy unaligned", fullList: false, lmbench: "bcopy",
              summary: "libc memmove() between two buffers", operation: #"libc `memmove()` of N bytes between two page-aligned buffers, N from 512 B to `--mb`/2"#,
              loop: cshims_loop_memory_libc_copy, copyOffset: 0,
              metric: (5, "Bcopy (libc)", "bw_bcopy_libc")),
        Block(id: "bcopy-libc-aligned", title: "\"libc bcopy aligned", fullList: false, lmbench: "bcopy conflict",
              summary: "the same, target offset by 1920 bytes", operation: #"the same with the target 1920 bytes past page alignment"#,
              loop: cshims_loop_memory_libc_copy, copyOffset: 2048 - 128,
              metric: nil),
        Block(id: "bzero", title: "Memory bzero bandwidth", fullList: true, lmbench: "bzero",
              summary: "libc memset() of a buffer", operation: #"libc `memset(0)` of N bytes, N up to `--mb`"#,
              loop: cshims_loop_memory_zero, copyOffset: nil, metric: nil),
        Block(id: "bcopy-unrolled", title: "\"unrolled bcopy unaligned", fullList: false, lmbench: "fcp",
              summary: "copying every int, unrolled C", operation: #"copying every 4-byte int, 128 per unrolled step"#,
              loop: cshims_loop_memory_copy, copyOffset: 0,
              metric: (6, "Bcopy (hand)", "bw_bcopy_unrolled")),
        Block(id: "bcopy-unrolled-partial", title: "\"unrolled partial bcopy unaligned", fullList: false, lmbench: "cp",
              summary: "copying every 4th int, unrolled C", operation: #"copying every 4th int (ints 0, 4, …, 124 of each 512-byte block)"#,
              loop: cshims_loop_memory_copy_partial, copyOffset: 0, metric: nil),
        Block(id: "mem-read", title: "Memory read bandwidth", fullList: true, lmbench: "frd",
              summary: "summing every int", operation: #"summing every int, 128 per unrolled step"#,
              loop: cshims_loop_memory_read, copyOffset: nil, metric: (7, "Mem read", "bw_mem_rdsum")),
        Block(id: "mem-read-partial", title: "Memory partial read bandwidth", fullList: true, lmbench: "rd",
              summary: "summing every 4th int", operation: #"summing every 4th int"#,
              loop: cshims_loop_memory_read_partial, copyOffset: nil, metric: nil),
        Block(id: "mem-write", title: "Memory write bandwidth", fullList: true, lmbench: "fwr",
              summary: "storing to every int", operation: #"storing 1 to every int, from the last int of each 512-byte block down to the first (LMBench's `p[0] = p[1] = … = p[127] = 1` is one chained assignment, evaluated right to left)"#,
              loop: cshims_loop_memory_write, copyOffset: nil, metric: (8, "Mem write", "bw_mem_wr")),
        Block(id: "mem-write-partial", title: "Memory partial write bandwidth", fullList: true, lmbench: "wr",
              summary: "storing to every 4th int", operation: #"storing 1 to every 4th int"#,
              loop: cshims_loop_memory_write_partial, copyOffset: nil, metric: nil),
        Block(id: "mem-rdwr-partial", title: "Memory partial read/write bandwidth", fullList: true, lmbench: "rdwr",
              summary: "summing and storing every 4th int", operation: #"summing and then storing 1 to every 4th int"#,
              loop: cshims_loop_memory_read_write_partial, copyOffset: nil,
              metric: nil),
    ]

    static func sizes(_ block: Block, mb: Int) -> [String] {
        let lists = ResultsFile.sizeLists(mb: mb)
        return block.fullList ? lists.all : lists.half
    }

    static let benchmarks: [Benchmark] = blocks.map { block in
        Benchmark(
            id: block.id, groups: [.bandwidth],
            summary: block.summary + (block.fullList ? ", 512 B to --mb MiB" : ", 512 B to --mb/2 MiB"), typicalSeconds: 4,
            operation: block.operation, differences: "—",
            lmbench: LMBenchProgram("bw_mem <size> \(block.lmbench)") { mb in
                let words = block.lmbench.split(separator: " ").map(String.init)
                return LMBenchCounterpart(invocations: LMBenchPrograms.sized("bw_mem", sizes(block, mb: mb), block.id) {
                    LMBenchPrograms.parallelism + [$0] + words
                }, server: nil, needsHello: false, needsFile: false)
            },
            metrics: block.metric.map { [.bandwidth($0.column, $0.label, $0.array, .largest(block.id + "/"), kind: .userSpaceControl)] } ?? [],
            results: { out in out.sizeBlock(block.title, prefix: block.id, sizes: sizes(block, mb: out.run.settings.mb), in: .memory) }
        ) { ctx in
            try measure(ctx, block)
        }
    }

    static func measure(_ ctx: BenchmarkContext, _ block: Block) throws {
        for size in sizes(block, mb: ctx.settings.mb) where ctx.wants("\(block.id)/\(size)") {
            // Buffers of this size, as LMBench's (a size's memory, and whether the
            // kernel backs it with huge pages, is part of what the loop meets).
            let bytes = ResultsFile.bytes(size)
            let source = try Sys.pageAlignedBuffer(bytes)
            defer { free(source) }
            let target = block.copyOffset != nil ? try Sys.pageAlignedBuffer(bytes + 2048) : nil
            defer { free(target) }
            try withLoopState(cshims_memory_state(source: source.assumingMemoryBound(to: Int32.self),
                                                  target: target.map { ($0 + block.copyOffset!).assumingMemoryBound(to: Int32.self) },
                                                  bytes: bytes, sink: 0)) { state in
                try ctx.measureBandwidth("\(block.id)/\(size)", bytes: bytes, loop: TimedLoop(block.loop, state))
            }
        }
    }
}
