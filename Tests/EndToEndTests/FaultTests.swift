import Foundation
import XCTest

/// A benchmark that crashes, hangs or fails never takes the run down.
final class FaultTests: XCTestCase {
    let testBenchmarks = ["LMBENCH_SWIFT_TEST_BENCHMARKS": "1"]

    func run(_ names: [String], extra: [String: String] = [:], tag: String = UUID().uuidString) throws -> (Binary.Result, Scratch) {
        let scratch = try Scratch()
        let result = try Binary.run(["run"] + names + ["--results-dir", scratch.path + "/results",
                                                       "--json", scratch.path + "/run.json"] + quickRun,
                                    environment: testBenchmarks.merging(extra) { $1 }, tag: tag)
        return (result, scratch)
    }

    func testACrashIsReportedWithItsReasonAndTheRunCompletes() throws {
        let (result, scratch) = try run(["test-crash", "null-call"])
        defer { scratch.remove() }
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderrLines.contains { $0.contains("test-crash") && $0.hasSuffix("FAILED: killed by signal 11 (SIGSEGV)") },
                      result.stderr)
        let file = try String(contentsOfFile: scratch.path + "/results/" + scratch.files(under: "results")[0], encoding: .utf8)
        XCTAssertTrue(file.contains("Simple syscall: "), "the other benchmark is measured")
        XCTAssertTrue(file.contains("[FAILED: test-crash: killed by signal 11 (SIGSEGV)]"))
        let json = try RunFile(path: scratch.path + "/run.json")
        XCTAssertEqual(json.benchmark("test-crash")?["status"] as? String, "failed")
        XCTAssertNotNil(json.value("test-crash"), "the cell measured before the crash is kept")
    }

    func testAHangIsKilledAndLeavesNoProcess() throws {
        let tag = UUID().uuidString
        let (result, scratch) = try run(["test-hang", "null-call"], extra: ["LMBENCH_SWIFT_SILENCE_LIMIT": "1"], tag: tag)
        defer { scratch.remove() }
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderrLines.contains { $0.contains("test-hang") && $0.contains("FAILED: no progress for") },
                      result.stderr)
        XCTAssertNotNil(try RunFile(path: scratch.path + "/run.json").value("null-call"))
        XCTAssertEqual(Binary.processes(tagged: tag), [], "a benchmark process was left running")
    }

    func testAnErrorIsReported() throws {
        let (result, scratch) = try run(["test-error"])
        defer { scratch.remove() }
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrLines.contains { $0.hasSuffix("FAILED: test-error failed on purpose") }, result.stderr)
    }
}
