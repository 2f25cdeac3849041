import Foundation
import XCTest

/// A/B runs whose switch is cheap enough to flip between intervals inside each
/// benchmark: a flag file, and a shell command. Neither changes the kernel, so
/// every run also checks that a no-op switch is reported as one.
final class InterleavedRunTests: XCTestCase {
    /// A flag file the switch writes "1" or "0" into, starting at "0".
    func flag(_ scratch: Scratch) throws -> String {
        let path = scratch.path + "/flag"
        try "0".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func abJSON(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func testAFileSwitchFlipsBetweenIntervalsAndIsPutBack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let flag = try flag(scratch)
        try "1".write(toFile: flag, atomically: true, encoding: .utf8)  // found on: put back on
        let json = scratch.path + "/ab.json"
        let result = try Binary.run(["run", "null-call", "sig-catch", "--switch", "file:\(flag):1:0",
                                     "--results-dir", scratch.path + "/results", "--json", json] + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: flag, encoding: .utf8), "1", "put back as found")
        XCTAssertTrue(result.stderr.contains("it flips between the recorded intervals of each cell"), result.stderr)
        try assertReportedAsNoOp(result.stderr, json: json)
        let record = try XCTUnwrap(try abJSON(json)["switch"] as? [String: Any])
        XCTAssertEqual(record["interleaved"] as? Bool, true)
        XCTAssertEqual(record["initial_state"] as? String, "on")
        XCTAssertGreaterThan(record["interleaved_flips"] as? Int ?? 0, 4, "flips inside the benchmarks")
        XCTAssertTrue(result.stdout.contains("pairs milliseconds apart"), result.stdout)
        XCTAssertTrue(result.stdout.contains("median of its cell's per-pair on/off ratios"), result.stdout)
        // Both sides have the same number of intervals per cell: pair k is the k-th of each.
        let sides = try abJSON(json)
        func counts(_ side: String) -> [Int] {
            ((sides[side] as? [String: Any])?["benchmarks"] as? [[String: Any]] ?? []).flatMap { benchmark in
                (benchmark["cells"] as? [[String: Any]] ?? []).flatMap { cell in
                    (cell["series"] as? [[String: Any]] ?? []).map { ($0["samples"] as? [Any] ?? []).count }
                }
            }
        }
        XCTAssertEqual(counts("off"), counts("on"))
        XCTAssertFalse(counts("off").isEmpty)
    }

    func testAFileSwitchThatIsMissingOrRefusedMeasuresNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (spec, message) in [("file:\(scratch.path)/none:1:0", "--switch file: \(scratch.path)/none does not exist"),
                                ("file:\(scratch.path):1:0", "is not a regular file"),
                                ("file:/proc/version:1:0", "writing '1' to /proc/version failed")] {
            let result = try Binary.run(["run", "null-call", "--switch", spec, "--results-dir", scratch.path + "/results"] + quickRun)
            XCTAssertEqual(result.status, 2, "\(spec): \(result.stderr)")
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(message), "\(spec): \(result.stderr)")
            XCTAssertEqual(scratch.files(under: "results"), [])
        }
    }

    /// --budget with a switch: a first pass, then more pairs for the widest
    /// intervals; the summary says how many cells reached the target.
    func testABudgetAndATargetWithACommandSwitch() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let flag = try flag(scratch)
        let json = scratch.path + "/ab.json"
        let result = try Binary.run(["run", "null-call", "stat", "--switch-on", "echo 1 > '\(flag)'", "--switch-off", "echo 0 > '\(flag)'",
                                     "--budget", "20s", "--target-ci", "20", "--enough", "1000",
                                     "--results-dir", scratch.path + "/results", "--json", json])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("Precision of the slowdowns (half-width of the 95% interval; target ±20.0%)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("cells reached it"), result.stdout)
        XCTAssertTrue(result.stderr.contains("slowdown so far: null-call"), result.stderr)
        let off = try XCTUnwrap(try abJSON(json)["off"] as? [String: Any])
        let settings = try XCTUnwrap(off["settings"] as? [String: Any])
        XCTAssertEqual(settings["target_precision_percent"] as? Double, 20)
        XCTAssertEqual(try String(contentsOfFile: flag, encoding: .utf8), "0\n")
        // Without --target-ci, a budget aims at ±5%. Null write feeds null I/O, which null read
        // declares: it is refined too (beyond the few pairs a first pass gives other cells).
        let defaulted = try Binary.run(["run", "null-read", "null-write", "--switch", "file:\(flag):1:0", "--budget", "4s",
                                        "--enough", "1000", "--results-dir", scratch.path + "/results", "--json", json])
        XCTAssertEqual(defaulted.status, 0, defaulted.stderr)
        XCTAssertTrue(defaulted.stdout.contains("target ±5.0%"), defaulted.stdout)
        let benchmarks = try XCTUnwrap((try abJSON(json)["off"] as? [String: Any])?["benchmarks"] as? [[String: Any]])
        let write = try XCTUnwrap(benchmarks.first { $0["id"] as? String == "null-write" })
        let samples = try XCTUnwrap(((write["cells"] as? [[String: Any]])?.first?["series"] as? [[String: Any]])?.first?["samples"] as? [Any])
        XCTAssertGreaterThan(samples.count, 11, "null write: more pairs than a first pass (3) and one refining visit (8) give")
    }

    /// SIGINT while a benchmark flips the switch between its intervals: the
    /// switch is back as found, nothing of the run is left, the partial files
    /// are written; resuming measures only what is missing, the switch first
    /// put back as the first run found it.
    func testSIGINTMidInterleaveThenResume() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let flag = try flag(scratch)
        let json = scratch.path + "/ab.json"
        let tag = UUID().uuidString
        let interrupted = try Binary.run(["run", "null-call", "stat", "sig-install", "--switch", "file:\(flag):1:0",
                                          "--repetitions", "400", "--rounds", "2", "--enough", "2000",
                                          "--results-dir", scratch.path + "/results", "--json", json, "--fsdir", scratch.path + "/fs"],
                                         interruptWhen: Binary.started("stat"), tag: tag)
        XCTAssertEqual(interrupted.status, 130, interrupted.stderr)
        XCTAssertEqual(try String(contentsOfFile: flag, encoding: .utf8), "0", "the switch is back as found")
        XCTAssertEqual(Binary.processes(tagged: tag), [], "a process of the run is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs"), [], "a file of the run is left")
        XCTAssertEqual(try abJSON(json)["partial"] as? Bool, true)
        XCTAssertEqual(scratch.files(under: "results").count, 2)

        // Left on by something else meanwhile: resuming puts it back off first.
        try "1".write(toFile: flag, atomically: true, encoding: .utf8)
        let resumed = try Binary.run(["run", "--resume", json, "--results-dir", scratch.path + "/results", "--json", scratch.path + "/done.json"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("put back off, as the interrupted run found it"), resumed.stderr)
        XCTAssertEqual(try String(contentsOfFile: flag, encoding: .utf8), "0")
        let done = try abJSON(scratch.path + "/done.json")
        XCTAssertEqual(done["partial"] as? Bool, false)
        for side in ["off", "on"] {
            let run = try XCTUnwrap(done[side] as? [String: Any])
            for benchmark in run["benchmarks"] as? [[String: Any]] ?? [] where benchmark["id"] as? String != "mhz" {
                for cell in benchmark["cells"] as? [[String: Any]] ?? [] {
                    let samples = ((cell["series"] as? [[String: Any]])?.first?["samples"] as? [Any])?.count
                    XCTAssertEqual(samples, 400, "\(side) \(cell["id"] ?? "")")
                }
            }
        }
        let again = try Binary.run(["run", "--resume", scratch.path + "/done.json", "--results-dir", scratch.path + "/results"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("nothing to resume"), again.stderr)
        XCTAssertEqual(scratch.files(under: "results").count, 4, "one results file per side per run")
    }
}
