import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_mmap and lat_pagefault, on the --mb MiB test file.
///
/// mmap-latency: mmap() of the first <size> bytes of the file read/write and
/// shared, a store every 16 KiB over the first tenth, munmap(); for every size of
/// LMBench's list from 512 KiB (LMBench skips sizes below 320 KiB) to --mb.
/// Block "mappings", lines "<size in MB> <microseconds>".
///
/// page-fault: reading one byte of every page of the whole file in a random
/// order, each followed by unmapping, mapping and msync(MS_INVALIDATE) the file,
/// minus that remapping alone (the two loops sampled in turn), per page. Sizes are
/// 64-bit: LMBench keeps the size in an int, which breaks at 2 GiB and leaves the
/// column blank at 4096 MiB. Line "Pagefaults on <file>".
enum MemoryMapping {
    static let mmapID = "mmap-latency", pageFaultID = "page-fault"
    static let pageFaultLine = TitledLine("Pagefaults on", cell: pageFaultID, namesTestFile: true)

    /// The sizes lat_mmap measures: LMBench's list from 320 KiB (it skips smaller ones).
    static func mmapSizes(mb: Int) -> [String] {
        ResultsFile.sizeLists(mb: mb).all.filter { ResultsFile.bytes($0) >= 320 * 1024 }
    }

    static let pageFault = Benchmark(
        id: pageFaultID, groups: [.filevm], summary: "reading a byte of each page of a mapped file in random order, per page",
        operation: #"reading one byte of every page of the test file mapped read-only, in random order, then unmapping, mapping and `msync(MS_INVALIDATE)` it; minus that remapping alone; per page"#,
        differences: #"fixed: 64-bit sizes (LMBench keeps the size in an `int`: at `MB=4096` it divides by zero and the column is blank; above 2 GiB it errs or measures part of the file); the two loops are sampled in turn"#,
        lmbench: LMBenchProgram("lat_pagefault $FILE",
                                pageFaultLine.invocation("lat_pagefault", LMBenchPrograms.parallelism + [LMBenchPrograms.testFile]),
                                file: true),
        metrics: [.simple(.filevm, 6, "Page Fault", "lat_pagefault", pageFaultID, kind: .difference)],
        results: pageFaultLine.write
    ) { ctx in
        guard ctx.wants(pageFaultID) else { return }
        try ctx.ensureTestFile()
        let fd = try Sys.open(ctx.testFile, O_RDONLY)
        defer { Sys.close(fd) }
        let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))
        let size = UInt64(try Sys.stat(ctx.testFile).st_size) / pageSize * pageSize
        let pages = size / pageSize
        guard pages >= 256 else { throw BenchError("\(ctx.testFile) is too small for page faults (under 1 MiB)") }
        var generator = SplitMix64(seed: UInt64(getpid()))
        let offsets = (0..<pages).map { $0 * pageSize }.shuffled(using: &generator)
        try offsets.withUnsafeBufferPointer { buffer in
            try withLoopState(cshims_pagefault_state(fd: fd, size: Int(size), offsets: buffer.baseAddress!,
                                                     pages: pages, where: nil, sink: 0)) { state in
                let rc = cshims_pagefault_begin(state)
                defer { cshims_pagefault_end(state) }
                if rc != 0 { throw SystemError("mmap", ctx.testFile, errno: Errno(rc)) }
                let series = try ctx.measure(pageFaultID, [
                    .init("touch", TimedLoop(cshims_loop_pagefault, state)),
                    .init("remap", TimedLoop(cshims_loop_remap, state)),
                ])
                let perPage = 0.001 / Double(pages)
                ctx.record(Cell(id: pageFaultID, unit: .microseconds,
                                estimate: Estimate(terms: [.init("touch", perPage), .init("remap", -perPage)],
                                                   form: .linear(scale: 1)),
                                series: series, detail: ["file": ctx.testFile, "pages": String(pages)]))
            }
        }
    }

    static let mmap = Benchmark(
        id: mmapID, groups: [.filevm], summary: "mmap() of 512 KiB to --mb MiB of a file, a store per 16 KiB of a tenth, munmap()", typicalSeconds: 1.2,
        operation: #"`mmap()` of the first N bytes of the test file (read/write, shared), a store every 16 KiB over the first tenth, `munmap()`, for N in LMBench's size list from 512 KiB to `--mb`"#,
        differences: #"— (LMBench prints nothing below 320 KiB)"#,
        lmbench: LMBenchProgram("lat_mmap <size> $FILE") { mb in
            LMBenchCounterpart(invocations: LMBenchPrograms.sized("lat_mmap", mmapSizes(mb: mb), mmapID) {
                LMBenchPrograms.parallelism + [$0, LMBenchPrograms.testFile]
            }, server: nil, needsHello: false, needsFile: true)
        },
        metrics: [SummaryMetric(.filevm, 4, "Mmap Latency", summary: ["lat_mappings"], cells: [.largest(mmapID + "/")])],
        results: { out in
            let mappings = out.lists.all.compactMap { size in out.value("\(mmapID)/\(size)").map { (size, $0) } }
            guard !mappings.isEmpty else { return }
            out.enter(nil)
            out.line("")
            out.line("\"mappings")
            for (size, us) in mappings {
                out.line(cFormat(us >= 10 ? "%.6f %.0f" : "%.6f %.3f", Double(ResultsFile.bytes(size)) / 1e6, us))
            }
            out.line("")
        }
    ) { ctx in
        try ctx.ensureTestFile()
        let fd = try Sys.open(ctx.testFile, O_RDWR)
        defer { Sys.close(fd) }
        for size in mmapSizes(mb: ctx.settings.mb) where ctx.wants("\(mmapID)/\(size)") {
            try withLoopState(cshims_mmap_state(fd: fd, size: ResultsFile.bytes(size))) { state in
                try ctx.measureLatency("\(mmapID)/\(size)", loop: TimedLoop(cshims_loop_mmap, state),
                                       detail: ["bytes": String(ResultsFile.bytes(size))])
            }
        }
    }
}
