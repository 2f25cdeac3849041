import Foundation
import XCTest

/// One `run processor` shared by the tests below.
final class ProcessorRunTests: XCTestCase {
    nonisolated(unsafe) static var scratch: Scratch!
    nonisolated(unsafe) static var result: Binary.Result!

    override class func setUp() {
        scratch = try! Scratch()
        try! FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        result = try! Binary.run(["run", "processor", "--results-dir", scratch.path + "/results",
                                  "--json", scratch.path + "/run.json", "--fsdir", scratch.path + "/fs"] + quickRun)
    }

    override class func tearDown() { scratch.remove() }

    var scratch: Scratch { ProcessorRunTests.scratch }
    var result: Binary.Result { ProcessorRunTests.result }

    func testSucceedsAndWritesOneResultsFileAndTheJSON() throws {
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = scratch.files(under: "results")
        XCTAssertEqual(files.count, 1, "\(files)")
        XCTAssertTrue(files[0].hasSuffix(".0"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.path + "/run.json"))
    }

    func testEveryProcessorColumnIsFilled() throws {
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Processor, Processes") })
        let row = lines[header + 5]
        // Host, OS, then Mhz and ten columns of four characters, one space apart.
        let columns = row.dropFirst(24).split(separator: " ", omittingEmptySubsequences: false)
        XCTAssertEqual(row.count, 24 + 11 * 5 - 1, row)
        for start in stride(from: 24, to: row.count, by: 5) {
            let cell = row[row.index(row.startIndex, offsetBy: start)..<row.index(row.startIndex, offsetBy: start + 4)]
            XCTAssertFalse(cell.trimmingCharacters(in: .whitespaces).isEmpty, "blank column at \(start) in '\(row)' \(columns)")
        }
    }

    func testValuesArePlausibleAndOrdered() throws {
        let run = try RunFile(path: scratch.path + "/run.json")
        let ids = ["null-call", "null-read", "null-write", "stat", "fstat", "open-close", "select-file/10",
                   "select-file/500", "select-tcp/10", "select-tcp/500", "sig-install", "sig-catch", "fork", "exec",
                   "shell", "mhz"]
        var v: [String: Double] = [:]
        for id in ids {
            let value = try XCTUnwrap(run.value(id), id)
            XCTAssertTrue(value.isFinite && value > 0, "\(id) = \(value)")
            v[id] = value
        }
        // Orders of magnitude apart: these hold however busy the machine is.
        XCTAssertGreaterThan(v["fork"]!, v["null-call"]!)
        XCTAssertGreaterThan(v["stat"]!, v["null-call"]!)
        // Close (open/close does a stat's path walk and more, exec a fork and more):
        // measured apart, one in a busy moment can pass the other, never by half.
        XCTAssertGreaterThan(v["open-close"]!, v["stat"]! / 2)
        XCTAssertGreaterThan(v["exec"]!, v["fork"]! / 2)
        XCTAssertGreaterThan(v["select-file/500"]!, v["select-file/10"]!)
        XCTAssertGreaterThan(v["select-tcp/500"]!, v["select-tcp/10"]!)
        XCTAssertGreaterThan(v["mhz"]!, 100)
        XCTAssertNotNil(run.value("prot-fault"), "prot-fault is measured (its value may be noise near 0)")
    }

    func testJSONKeepsSamplesStatisticsAndEnvironment() throws {
        let run = try RunFile(path: scratch.path + "/run.json")
        XCTAssertEqual(run.json["schema"] as? String, "lmbench-swift.run/1")
        let env = try XCTUnwrap(run.json["environment"] as? [String: Any])
        XCTAssertFalse((env["kernel_release"] as? String ?? "").isEmpty)
        XCTAssertGreaterThan(env["cpu_count"] as? Int ?? 0, 0)
        let calibration = try XCTUnwrap(run.json["calibration"] as? [String: Any])
        XCTAssertGreaterThan(calibration["clock_read_ns"] as? Double ?? 0, 0)
        let cell = try XCTUnwrap((run.benchmark("sig-catch")?["cells"] as? [[String: Any]])?.first)
        let series = try XCTUnwrap(cell["series"] as? [[String: Any]])
        XCTAssertEqual(series.map { $0["name"] as? String }, ["send", "catch"])
        for s in series {
            XCTAssertEqual((s["samples"] as? [[Double]])?.count, 3)
            XCTAssertNotNil(s["stats"] as? [String: Any])
        }
        XCTAssertEqual(run.benchmark("exec")?["notes"].flatMap { ($0 as? [String: String])?["hello"] }, "dynamic")
    }

    func testTheRunDirectoryIsRemoved() {
        XCTAssertEqual(scratch.files(under: "fs"), [])
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs")) ?? ["?"], [])
    }

    func testSummaryOfTheFileAndOfTheJSONAgree() throws {
        let file = try XCTUnwrap(scratch.files(under: "results").first)
        let fromFile = try Binary.run(["summary", scratch.path + "/results/" + file])
        let fromJSON = try Binary.run(["summary", scratch.path + "/run.json"])
        XCTAssertEqual(fromFile.status, 0)
        XCTAssertEqual(fromFile.stdout, result.stdout)
        XCTAssertEqual(fromJSON.stdout, fromFile.stdout)
    }

    func testProgressNamesEveryBenchmark() {
        for id in ["null-call", "select-tcp", "shell"] {
            XCTAssertTrue(result.stderr.contains(id), result.stderr)
        }
        XCTAssertFalse(result.stderr.contains("\u{1B}["), "no cursor escapes off a terminal")
    }
}
