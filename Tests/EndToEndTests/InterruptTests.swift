import Foundation
import XCTest

/// SIGINT in the middle of a run: it stops, leaves no process and no file of its
/// own, writes what it measured (marked partial), and --resume completes it.
final class InterruptTests: XCTestCase {
    func testInterruptedRunIsPartialCleanAndResumable() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let tag = UUID().uuidString
        let options = ["--results-dir", scratch.path + "/results", "--fsdir", scratch.path + "/fs",
                       "--repetitions", "5", "--rounds", "5", "--enough", "2000"]
        // Interrupted once null-call is measured, in the middle of the run.
        let result = try Binary.run(["run", "processor", "latency", "ctx", "--json", scratch.path + "/run.json"] + options,
                                    interruptWhen: Binary.started("stat"), tag: tag)
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertLessThan(try XCTUnwrap(result.secondsAfterInterrupt), 30, "it stops promptly")
        XCTAssertEqual(Binary.processes(tagged: tag), [], "a process of the run is left")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs")) ?? ["?"], [],
                       "a file of the run is left")

        let files = scratch.files(under: "results")
        XCTAssertEqual(files.count, 1)
        let resultsFile = scratch.path + "/results/" + files[0]
        XCTAssertTrue(try String(contentsOfFile: resultsFile, encoding: .utf8).contains("[PARTIAL: "))
        let json = try RunFile(path: scratch.path + "/run.json")
        XCTAssertEqual(json.json["partial"] as? Bool, true)
        XCTAssertNotNil(json.value("null-call"), "what was measured is kept")
        // The readers accept both.
        XCTAssertEqual(try Binary.run(["summary", resultsFile]).status, 0)
        XCTAssertEqual(try Binary.run(["summary", scratch.path + "/run.json"]).status, 0)
        XCTAssertEqual(try Binary.run(["compare", resultsFile, scratch.path + "/run.json"]).status, 0)

        // The run's own settings come from its JSON; only where files go is given.
        let resumed = try Binary.run(["run", "--resume", scratch.path + "/run.json", "--json", scratch.path + "/resumed.json",
                                      "--results-dir", scratch.path + "/results"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let complete = try RunFile(path: scratch.path + "/resumed.json")
        XCTAssertEqual(complete.json["partial"] as? Bool, false)
        for id in ["null-call", "pipe-latency", "ctx-64k/96"] {
            XCTAssertNotNil(complete.value(id), id)
        }
        XCTAssertEqual(scratch.files(under: "results").count, 2, "the resumed run is a new results file")
    }
}
