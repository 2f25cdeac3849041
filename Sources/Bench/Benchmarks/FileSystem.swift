import BenchCore
import BenchEngine
import CShims
import Glibc

/// The test file (lmdd) and lat_fs: file creation and deletion.
///
/// file-write: one write of the --mb MiB test file in 8 KiB blocks, fsync'ed, as
/// LMBench's lmdd step; measured once per run. Line "File <file> write bandwidth".
///
/// fs: for files of 0, 1, 4 and 10 KiB, creat()+write()+close() per file, then
/// unlink() per file, in a fresh directory tree per interval (at most 100 entries
/// per directory), names made before timing. Block "File system latency", lines
/// "<size>k <files> <creates/s> <deletes/s>". The tree lies in the private run
/// directory under --fsdir (LMBench's tempnam prefers $TMPDIR over its argument).
package enum FileSystem {
    package static let sizes = [0, 1, 4, 10]
    static let fileWriteID = BenchmarkContext.testFileCellID, fsID = "fs"
    package static func createID(_ kilobytes: Int) -> String { "fs-create/\(kilobytes)k" }
    package static func deleteID(_ kilobytes: Int) -> String { "fs-delete/\(kilobytes)k" }

    package static let fileWrite = Benchmark(
        id: fileWriteID, groups: [.filevm, .bandwidth], summary: "writing the --mb MiB test file in 8 KiB blocks and fsync()",
        operation: #"writing the `--mb` MiB test file in 8 KiB blocks, then `fsync()`"#,
        differences: #"measured once per run; the file is in the private run directory (LMBench: `$FSDIR/XXX`)"#,
        lmbench: LMBenchProgram("lmdd of=$FILE move=${MB}m fsync=1 print=3",
                                LMBenchPrograms.titled("lmdd", ["label=File \(LMBenchPrograms.testFile) write bandwidth: ",
                                                                "of=\(LMBenchPrograms.testFile)", "move=\(LMBenchPrograms.mb)m",
                                                                "fsync=1", "print=3"], "File ", field: 4, cell: fileWriteID)),
        everyRound: false,
        results: { out in
            if let v = out.value(fileWriteID) {
                out.enter(nil)
                out.line("File \(out.testFile) write bandwidth: " + cFormat("%.0f KB/sec", v))
            }
        }
    ) { ctx in
        guard ctx.wants(fileWriteID) else { return }
        let path = ctx.testFile
        let bytes = UInt64(ctx.settings.mb) << 20
        let series = try path.withCString { cPath in
            try withLoopState(cshims_file_write_state(path: cPath, size: bytes)) { state in
                try ctx.measureOnce(fileWriteID, loop: TimedLoop(cshims_loop_file_write, state))
            }
        }
        ctx.record(Cell(id: fileWriteID, unit: .kilobytesPerSecond,
                        estimate: Estimate(terms: [.init("main")], form: .reciprocal(numerator: Double(bytes) * 1e6)),
                        series: [series], detail: ["file": path, "bytes": String(bytes)]))
    }

    // All intervals in one pass, as LMBench: on ext4 without a journal, creating a
    // file skips inodes freed in the last 30 seconds, so creations spread over
    // the run would measure this benchmark's own earlier deletions.
    static let fs = Benchmark(
        id: fsID, groups: [.filevm], summary: "creating and deleting 0, 1, 4 and 10 KiB files", typicalSeconds: 1.7,
        operation: #"`creat()` + one `write()` of 0, 1, 4 or 10 KiB + `close()` per file, then `unlink()` per file, in a fresh directory tree per interval (≤ 100 entries per directory)"#,
        differences: #"the tree is in the private run directory (LMBench's `tempnam` prefers `$TMPDIR` over its argument); that directory is marked as the top of a directory hierarchy (`chattr +T`), so ext4 spreads each interval's tree over its block groups: on ext4 without a journal a new inode is never one freed in the last 30 s, and creating files where the benchmark (or the run before) just deleted thousands measures that scan, up to 20 times the creation (LMBench's lat_fs measured 1 500–2 400 creates/s after its first size here, 26 000–62 000 with the flag); measured in one pass like LMBench"#,
        lmbench: LMBenchProgram("lat_fs $FSDIR", LMBenchInvocation(program: "lat_fs", arguments: [LMBenchPrograms.scratch],
                                                                     output: .fileSystem)),
        everyRound: false,
        metrics: [.perFile(0, "0K File Create", "fs_create_0k", createID(0)), .perFile(1, "0K File Delete", "fs_delete_0k", deleteID(0)),
                  .perFile(2, "10K File Create", "fs_create_10k", createID(10)),
                  .perFile(3, "10K File Delete", "fs_delete_10k", deleteID(10))],
        results: { out in
            let rows = sizes.filter { out.cells[createID($0)] != nil || out.cells[deleteID($0)] != nil }
            guard !rows.isEmpty else { return }
            out.enter(nil)
            out.line("\"File system latency")
            for kilobytes in rows {
                let files = out.cells[createID(kilobytes)].map(out.medianIterations) ?? 0
                out.line("\(kilobytes)k" + cFormat("\t%lu\t%.0f\t%.0f", UInt(files), out.value(createID(kilobytes)) ?? -1,
                                                  out.value(deleteID(kilobytes)) ?? -1))
            }
            out.line("")
        }
    ) { ctx in
        for kilobytes in sizes {
            try measure(ctx, kilobytes: kilobytes)
        }
    }

    private static func measure(_ ctx: BenchmarkContext, kilobytes: Int) throws {
        let create = createID(kilobytes), delete = deleteID(kilobytes)
        try ctx.runDirectory.withCString { parent in
            try withLoopState(cshims_fs_state(parent: parent, size: kilobytes * 1024, per_directory: 100,
                                              names: nil, directories: nil, count: 0, directory_count: 0,
                                              buffer: nil)) { state in
                defer { cshims_fs_release(state) }
                func prepare(_ n: UInt64) throws {
                    cshims_fs_release(state)
                    let rc = cshims_fs_prepare(state, n)
                    if rc != 0 { throw SystemError("mkdir", ctx.runDirectory, errno: Errno(rc)) }
                }
                let release = { (_: UInt64) in cshims_fs_release(state) }
                let detail = ["kilobytes": String(kilobytes)]
                if ctx.wants(create) {
                    let series = try ctx.measure("main", for: create, loop: TimedLoop(cshims_loop_fs_create, state),
                                                 hooks: .init(setup: prepare, cleanup: release))
                    ctx.record(Cell(id: create, unit: .perSecond, estimate: .perSecond(), series: [series], detail: detail))
                }
                if ctx.wants(delete) {
                    let makeFiles = { (n: UInt64) in
                        try prepare(n)
                        let rc = cshims_loop_fs_create(state, n)
                        if rc != 0 { throw SystemError("creat", ctx.runDirectory, errno: Errno(rc)) }
                    }
                    let series = try ctx.measure("main", for: delete, loop: TimedLoop(cshims_loop_fs_delete, state),
                                                 hooks: .init(setup: makeFiles, cleanup: release))
                    ctx.record(Cell(id: delete, unit: .perSecond, estimate: .perSecond(), series: [series], detail: detail))
                }
            }
        }
    }
}
