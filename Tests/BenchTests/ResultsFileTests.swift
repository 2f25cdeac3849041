import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class ResultsFileTests: XCTestCase {
    func testSizeListsFollowLMBench() {
        let lists = ResultsFile.sizeLists(mb: 64)
        XCTAssertEqual(lists.all.count, 18)
        XCTAssertEqual(lists.all.last, "64m")
        XCTAssertEqual(lists.half.count, 17)
        XCTAssertEqual(lists.half.last, "32m")
        XCTAssertEqual(ResultsFile.sizeLists(mb: 4096).all.count, 24)
        XCTAssertEqual(ResultsFile.sizeLists(mb: 2).all.last, "2m")
        XCTAssertEqual(ResultsFile.sizeLists(mb: 2).half.last, "1m")
        XCTAssertEqual(ResultsFile.bytes("512"), 512)
        XCTAssertEqual(ResultsFile.bytes("64k"), 65536)
        XCTAssertEqual(ResultsFile.bytes("4096m"), 4096 << 20)
    }

    func testLinesAreLMBenchs() {
        let text = ResultsFile.render(SampleRun.make())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "[lmbench3.0 results for Linux guest 6.1.0-test #1 SMP x86_64 GNU/Linux]")
        XCTAssertTrue(lines.contains("[MHZ: 3200 MHz, 0.3125 nanosec clock]"))
        XCTAssertTrue(lines.contains("Simple syscall: 0.2700 microseconds"))
        XCTAssertTrue(lines.contains("Select on 100 tcp fd's: 8.1000 microseconds"))
        XCTAssertTrue(lines.contains("Signal handler overhead: 2.9000 microseconds"))
        XCTAssertTrue(lines.contains("Process fork+exit: 196.2759 microseconds"))
        XCTAssertTrue(lines.contains("[FAILED: exec: killed by signal 11 (SIGSEGV)]"))
        XCTAssertEqual(lines.filter { $0.hasPrefix("[lmbench") }.count, 1)
        XCTAssertEqual(lines.filter { $0.contains("MHZ") }.first, "[MHZ: 3200 MHz, 0.3125 nanosec clock]")
        XCTAssertFalse(lines.contains { $0.hasPrefix("Process fork+execve") }, "a failed benchmark has no line")
    }

    func testHeaderValuesThatWouldConfuseGetsummaryAreWithheld() {
        var run = SampleRun.make()
        run.environment.kernelCommandLine = "root=/dev/vda tmpfs size=16m"
        run.environment.cpuModel = "Fake CPU @ 3000 MHZ"
        let text = ResultsFile.render(run)
        XCTAssertFalse(text.contains("size=16"))
        XCTAssertTrue(text.contains("[CMDLINE: (withheld"))
        XCTAssertEqual(text.split(separator: "\n").first { $0.contains("MHZ") }, "[MHZ: 3200 MHz, 0.3125 nanosec clock]")
    }

    func testLineSizeIsTheRunningMachinesFromTheRecord() throws {
        var run = SampleRun.make()
        run.environment.cacheLineSize = 128
        XCTAssertTrue(ResultsFile.render(run).contains("\n[LINE_SIZE: 128]\n"))
        // Through the JSON, as `summary run.json` renders it on another machine.
        let back = try RunJSON.decode(RunJSON.encode(run))
        XCTAssertEqual(back.environment.cacheLineSize, 128)
        XCTAssertTrue(ResultsFile.render(back).contains("\n[LINE_SIZE: 128]\n"))
        run.environment.cacheLineSize = nil
        XCTAssertTrue(ResultsFile.render(run).contains("\n[LINE_SIZE: -1]\n"), "not recorded: not this machine's")
    }

    func testNonPositiveValuesAreLeftOut() {
        var run = SampleRun.make()
        run.outcomes[5].cells[0].series[0] = SampleRun.series("send", [5000, 5000, 5000])
        XCTAssertFalse(ResultsFile.render(run).contains("Signal handler overhead"))
    }

    func testOurFileSummarizes() {
        let text = ResultsFile.render(SampleRun.make())
        let summary = Summary.render([Summary.File(path: "x86_64-linux-gnu/guest.0", contents: Array(text.utf8))])
        XCTAssertTrue(summary.contains("guest     Linux 6.1.0-t 3200 0.27 0.31"), summary)
    }

    func testWriteTakesTheFirstFreeNumberAndLeavesNoTemporaryFile() throws {
        let directory = NSTemporaryDirectory() + "results-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = SampleRun.make()
        XCTAssertEqual(try ResultsFile.write([run], directory: directory)[0].get(), directory + "/x86_64-linux-gnu/guest.0")
        XCTAssertEqual(try ResultsFile.write([run], directory: directory)[0].get(), directory + "/x86_64-linux-gnu/guest.1")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/x86_64-linux-gnu").sorted(),
                       ["guest.0", "guest.1"])
    }

    /// An A/B run's two files take consecutive numbers even when runs finish
    /// together: two writers of 30 pairs each into one directory (issue 21).
    func testPairsWrittenTogetherKeepConsecutiveNumbers() throws {
        let directory = NSTemporaryDirectory() + "results-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = SampleRun.make()
        final class Written: @unchecked Sendable { var paths: [String] = [] }  // one per writer
        let written = [Written(), Written()]
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            for _ in 0..<30 { written[writer].paths += ResultsFile.write([run, run], directory: directory).compactMap { try? $0.get() } }
        }
        let paths = written.map(\.paths)
        for writer in 0..<2 {
            let numbers = paths[writer].map { Int($0.split(separator: ".").last!)! }
            XCTAssertEqual(numbers.count, 60)
            for pair in stride(from: 0, to: numbers.count, by: 2) {
                XCTAssertEqual(numbers[pair + 1], numbers[pair] + 1, "writer \(writer): \(numbers)")
            }
        }
        XCTAssertEqual(Set(paths[0] + paths[1]).count, 120)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/x86_64-linux-gnu").count, 120,
                       "no temporary file left")
    }

    /// A file being written has no name where the file system allows it (tmpfs
    /// does): a process killed before it is linked leaves nothing (issue 21).
    func testAPendingFileHasNoNameUntilLinked() throws {
        let directory = "/dev/shm/pending-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try PendingFile(in: directory, prefix: ".x.tmp.")
        try file.write("text\n", subject: "x")
        XCTAssertNil(file.temporaryPath, "tmpfs has O_TMPFILE")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
        try file.link(to: directory + "/x.0")
        XCTAssertThrowsError(try file.link(to: directory + "/x.0"), "a taken name is never replaced")
        try "old\n".write(toFile: directory + "/y", atomically: false, encoding: .utf8)
        try file.replace(directory + "/y")
        file.close()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["x.0", "y"])
        XCTAssertEqual(try String(contentsOfFile: directory + "/y", encoding: .utf8), "text\n")
        // The longest name an output may have still has room for the name a rename needs.
        let longest = directory + "/" + String(repeating: "n", count: OutputFile.longestName)
        try "old\n".write(toFile: longest, atomically: false, encoding: .utf8)
        try Sys.writeFileAtomically(longest, "new\n")
        XCTAssertEqual(try String(contentsOfFile: longest, encoding: .utf8), "new\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).count, 3)
    }
}
