import CShims
import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class EngineTests: XCTestCase {
    func testRescalingGrowsShortIntervalsAndAimsAtTheTarget() {
        let sampler = Sampler(targetNs: 1_000_000, repetitions: 5)
        XCTAssertEqual(sampler.rescaled(1, elapsedNs: 100), 8, "far too short: grow by 8")
        XCTAssertEqual(sampler.rescaled(100, elapsedNs: 500_000), 221, "aim at 1.1 × target")
        XCTAssertEqual(sampler.rescaled(1, elapsedNs: 5_000_000), 1, "never below one iteration")
    }

    func testSamplerRecordsLongEnoughIntervals() throws {
        let sampler = Sampler(targetNs: 200_000, repetitions: 7)
        let samples = try sampler.sample([.init(name: "getppid", loop: TimedLoop(cshims_loop_getppid))])
        XCTAssertEqual(samples.count, 1)
        XCTAssertEqual(samples[0].count, 7)
        for sample in samples[0] {
            XCTAssertGreaterThan(sample.iterations, 1)
            XCTAssertGreaterThanOrEqual(Double(sample.elapsedNs), 0.95 * 200_000)
        }
    }

    func testInterleavedSubjectsEachGetTheirSamples() throws {
        let sampler = Sampler(targetNs: 100_000, repetitions: 3)
        let samples = try sampler.sample([
            .init(name: "a", loop: TimedLoop(cshims_loop_getppid)),
            .init(name: "b", loop: TimedLoop(cshims_loop_empty), startIterations: [nil: 1000]),
        ])
        XCTAssertEqual(samples.map(\.count), [3, 3])
        XCTAssertGreaterThan(samples[1][0].iterations, samples[0][0].iterations, "an empty loop needs more iterations")
    }

    func testHooksRunAroundEveryIntervalAndErrorsNameTheCall() throws {
        let sampler = Sampler(targetNs: 50_000, repetitions: 2)
        var setups = 0, cleanups = 0
        _ = try sampler.sample([.init(name: "x", loop: TimedLoop(cshims_loop_getppid),
                                      hooks: .init(setup: { _ in setups += 1 }, cleanup: { _ in cleanups += 1 }))])
        XCTAssertGreaterThanOrEqual(setups, 3)
        XCTAssertEqual(setups, cleanups)
        let failing = withLoopState(cshims_fd_state(fd: -1)) { state in
            Result { try sampler.sample([.init(name: "read of nothing", loop: TimedLoop(cshims_loop_read_byte, state))]) }
        }
        XCTAssertThrowsError(try failing.get()) { error in
            XCTAssertEqual("\(error)", "read of nothing: Bad file descriptor")
        }
    }

    func testWordSumReadsEveryWordAlsoBelowOneStep() {
        // 128 words make one unrolled step; a 512-byte chunk (64 words) is less than one.
        for words in [64, 128, 200, 8192] {
            let buffer = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: words)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 1)
            XCTAssertEqual(cshims_sum_words(buffer.baseAddress, words * 8), UInt64(words), "\(words) words")
        }
    }

    func testCalibrationIsPlausible() {
        let c = Calibration.measure()
        XCTAssertGreaterThan(c.clockReadNs, 0)
        XCTAssertLessThan(c.clockReadNs, 100_000)
        XCTAssertGreaterThanOrEqual(c.loopOverheadNs, 0)
        XCTAssertLessThan(c.loopOverheadNs, 100)
        XCTAssertGreaterThan(c.nullCallNs, c.loopOverheadNs)
        XCTAssertGreaterThan(c.forkNs, c.nullCallNs)
        XCTAssertGreaterThanOrEqual(c.slowdown, 1)
    }

    func testChoosingMBKeepsHalfTheFileSystemFree() throws {
        let fits = try RunSession.chooseMB(requested: 1, fsdir: NSTemporaryDirectory())
        XCTAssertEqual(fits.mb, 1)
        XCTAssertNil(fits.message)
        let huge = try RunSession.chooseMB(requested: 1 << 30, fsdir: NSTemporaryDirectory())
        XCTAssertLessThan(huge.mb, 1 << 30)
        XCTAssertEqual(huge.mb & (huge.mb - 1), 0, "a power of two")
        XCTAssertNotNil(huge.message)
        let memory = try RunSession.chooseMB(requested: 4096, fsdir: NSTemporaryDirectory(), availableMemoryMB: 1000)
        XCTAssertEqual(memory.mb, 256)
        XCTAssertTrue(memory.message?.contains("1000 MiB of memory") ?? false)
    }
}

final class CatalogTests: XCTestCase {
    func testGroupsAndNamesResolveInCatalogOrder() throws {
        let chosen = try Catalog.select(["fork", "null-call"]).map(\.id)
        XCTAssertEqual(chosen, ["mhz", "null-call", "fork"], "mhz is always measured: the header needs it")
        let processor = try Catalog.select(["processor"]).map(\.id)
        XCTAssertTrue(processor.contains("select-tcp"))
        XCTAssertTrue(processor.contains("prot-fault"))
        XCTAssertEqual(try Catalog.select([]).map(\.id), try Catalog.select(["os"]).map(\.id))
        XCTAssertFalse(try Catalog.select([]).contains { $0.testOnly })
    }

    func testUnknownNamesSuggestTheClosest() {
        XCTAssertThrowsError(try Catalog.select(["nul-call"])) { error in
            XCTAssertEqual("\(error)", "Unknown benchmark or group 'nul-call'. Did you mean 'null-call'?")
        }
        XCTAssertThrowsError(try Catalog.select(["zzzzzzzz"])) { error in
            XCTAssertEqual("\(error)", "Unknown benchmark or group 'zzzzzzzz'")
        }
    }

    func testIdsAreUniqueAndLowercase() {
        let ids = Catalog.all.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids { XCTAssertEqual(id, id.lowercased()) }
    }

    /// Each benchmark carries all of itself: its LMBench counterpart (or `.none`,
    /// said on purpose), its lines in the results file (given what it measured in
    /// a recorded run), and the summary cells it feeds; together they fill every
    /// column of the summary tables, and every one of LMBench's OS programs is there.
    /// docs/benchmarks.md's table is the catalog's (`lmbench-swift list --markdown`).
    func testTheBenchmarksDocumentHasTheCatalogsTable() throws {
        let top = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: top.appendingPathComponent("docs/benchmarks.md"), encoding: .utf8)
        XCTAssertTrue(document.contains(Catalog.markdownTable()),
                      "docs/benchmarks.md's table is not the catalog's: replace it with `lmbench-swift list --markdown`")
        for benchmark in Catalog.all where !benchmark.testOnly {
            XCTAssertFalse(benchmark.operation.isEmpty, "\(benchmark.id) says what it times in docs/benchmarks.md")
        }
    }

    func testEveryBenchmarkIsDefinedWhole() throws {
        let recorded = try ResultsReader.runJSON(path: "run1.json", bytes: Fixtures.run("aa/run1.json"))
        let emptyRun: RunResult = { var run = recorded; run.outcomes = []; return run }()
        let bare = ResultsFile.render(emptyRun)
        var programs = Set<String>()
        for benchmark in Catalog.all where !benchmark.testOnly {
            if let counterpart = benchmark.lmbench.counterpart(64) {
                XCTAssertFalse(counterpart.invocations.isEmpty, benchmark.id)
                programs.formUnion(counterpart.invocations.map(\.program))
            } else {
                XCTAssertEqual(benchmark.lmbench.description, "-", "\(benchmark.id): a description but no counterpart")
            }
            guard let outcome = recorded.outcome(benchmark.id), benchmark.id != ProcessorClock.id else { continue }
            var run = recorded
            run.outcomes = [outcome]
            XCTAssertGreaterThan(ResultsFile.render(run).count, bare.count, "\(benchmark.id) writes its lines")
        }
        for table in Group.allCases {
            let columns = SummaryMetric.all.filter { $0.table == table }.map(\.column)
            XCTAssertEqual(columns, Array(0..<columns.count), "\(table): every column once, in order")
        }
        XCTAssertEqual(SummaryMetric.all.count, 42)
        let lmbenchOS = ["mhz", "lat_syscall", "lat_select", "lat_sig", "lat_pipe", "lat_unix", "lat_proc", "lmdd", "lat_pagefault",
                         "lat_mmap", "lat_fs", "lat_udp", "lat_tcp", "lat_rpc", "lat_connect", "bw_tcp", "bw_unix", "bw_pipe",
                         "bw_file_rd", "bw_mmap_rd", "bw_mem", "lat_ctx"]
        XCTAssertEqual(programs, Set(lmbenchOS))
    }
}
