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

    /// The loop of each block, and whether it needs a second buffer.
    static func loop(_ block: MemoryBandwidthBlock) -> (loop: Loop, copies: Bool, offset: Int) {
        switch block.id {
        case "bcopy-libc": return (cshims_loop_memory_libc_copy, true, 0)
        case "bcopy-libc-aligned": return (cshims_loop_memory_libc_copy, true, 2048 - 128)
        case "bzero": return (cshims_loop_memory_zero, false, 0)
        case "bcopy-unrolled": return (cshims_loop_memory_copy, true, 0)
        case "bcopy-unrolled-partial": return (cshims_loop_memory_copy_partial, true, 0)
        case "mem-read": return (cshims_loop_memory_read, false, 0)
        case "mem-read-partial": return (cshims_loop_memory_read_partial, false, 0)
        case "mem-write": return (cshims_loop_memory_write, false, 0)
        case "mem-write-partial": return (cshims_loop_memory_write_partial, false, 0)
        default: return (cshims_loop_memory_read_write_partial, false, 0)
        }
    }

    static let summaries = [
        "bcopy-libc": "libc memmove() between two buffers", "bcopy-libc-aligned": "the same, target offset by 1920 bytes",
        "bzero": "libc memset() of a buffer", "bcopy-unrolled": "copying every int, unrolled C",
        "bcopy-unrolled-partial": "copying every 4th int, unrolled C", "mem-read": "summing every int",
        "mem-read-partial": "summing every 4th int", "mem-write": "storing to every int",
        "mem-write-partial": "storing to every 4th int", "mem-rdwr-partial": "summing and storing every 4th int",
    ]

    static let benchmarks: [Benchmark] = MemoryBandwidthBlocks.all.map { block in
        Benchmark(id: block.id, groups: [.bandwidth],
                  summary: (summaries[block.id] ?? block.id) + (block.fullList ? ", 512 B to --mb MiB" : ", 512 B to --mb/2 MiB"),
                  lmbench: "bw_mem <size> \(block.lmbench)") { ctx in
            try measure(ctx, block)
        }
    }

    static func measure(_ ctx: BenchmarkContext, _ block: MemoryBandwidthBlock) throws {
        let lists = ResultsFile.sizeLists(mb: ctx.settings.mb)
        let sizes = (block.fullList ? lists.all : lists.half).filter { ctx.wants("\(block.id)/\($0)") }
        let (loop, copies, offset) = MemoryBandwidth.loop(block)
        for size in sizes {
            // Buffers of this size, as LMBench's (a size's memory, and whether the
            // kernel backs it with huge pages, is part of what the loop meets).
            let bytes = ResultsFile.bytes(size)
            let source = try Sys.pageAlignedBuffer(bytes)
            defer { free(source) }
            let target = copies ? try Sys.pageAlignedBuffer(bytes + 2048) : nil
            defer { free(target) }
            try withLoopState(cshims_memory_state(source: source.assumingMemoryBound(to: Int32.self),
                                                  target: target.map { ($0 + offset).assumingMemoryBound(to: Int32.self) },
                                                  bytes: bytes, sink: 0)) { state in
                try ctx.measureBandwidth("\(block.id)/\(size)", bytes: bytes, loop: TimedLoop(loop, state))
            }
        }
    }
}
