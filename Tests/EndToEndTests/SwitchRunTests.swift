import Foundation
import XCTest

/// `run --switch`: an A/B run in one process, with command switches that only
/// write a marker file (no kernel switch is needed, and none takes effect).
final class SwitchRunTests: XCTestCase {
    func marker(_ scratch: Scratch) -> (path: String, options: [String]) {
        let path = scratch.path + "/state"
        return (path, ["--switch-on", "echo on > '\(path)'", "--switch-off", "echo off > '\(path)'"])
    }

    func testABRunWritesBothSidesPairedAndPutsTheSwitchBack() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (state, switchOptions) = marker(scratch)
        let json = scratch.path + "/ab.json"
        let result = try Binary.run(["run", "null-call", "sig-catch", "--results-dir", scratch.path + "/results", "--json", json]
                                    + switchOptions + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: state, encoding: .utf8), "off\n", "put back as found (off)")
        let warned = try assertReportedAsNoOp(result.stderr, json: json)

        let files = scratch.files(under: "results")
        XCTAssertEqual(files.count, 2, "one results file per side")
        let texts = try files.map { try String(contentsOfFile: scratch.path + "/results/" + $0, encoding: .utf8) }
        XCTAssertTrue(texts[0].contains("\n[SWITCH: off; commands"), texts[0])
        XCTAssertTrue(texts[1].contains("\n[SWITCH: on; commands"), texts[1])
        XCTAssertEqual(texts.allSatisfy { $0.contains("\n[SWITCH-WARNING: THE SWITCH DID NOT TAKE EFFECT") }, warned)

        // The summary shows two rows; the overhead table follows, paired.
        let rows = result.stdout.split(separator: "\n").filter { $0.contains("Linux") && !$0.contains("x86_64") }
        XCTAssertEqual(rows.count, 2, result.stdout)
        XCTAssertTrue(result.stdout.contains("Overhead of the switch, paired in one run"), result.stdout)
        XCTAssertTrue(result.stdout.contains("slowdown = on / off"), result.stdout)

        let ab = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        XCTAssertEqual(ab["schema"] as? String, "lmbench-swift.ab/1")
        let record = try XCTUnwrap(ab["switch"] as? [String: Any])
        XCTAssertEqual(record["restored"] as? Bool, true)
        XCTAssertEqual(record["initial_state"] as? String, "off")
        let flips = try XCTUnwrap(record["flips"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(flips.count, 2, "at least once per round")
        XCTAssertTrue(flips.allSatisfy { ($0["probe_ns"] as? Double ?? 0) > 0 })

        // compare takes the A/B JSON alone, in every format.
        for format in ["text", "markdown", "csv", "json", "latex"] {
            let compared = try Binary.run(["compare", json, "--format", format, "--svg", scratch.path + "/ab.svg"])
            XCTAssertEqual(compared.status, 0, "\(format): \(compared.stderr)")
            // LaTeX names cells in full (a paper's reader has no LMBench legend).
            XCTAssertTrue(compared.stdout.contains(format == "latex" ? "null system call" : "null call"), format)
        }
        XCTAssertTrue(try String(contentsOfFile: scratch.path + "/ab.svg", encoding: .utf8).contains("on against off"))
        let summary = try Binary.run(["summary", json])
        XCTAssertEqual(summary.stdout.split(separator: "\n").filter { $0.contains("Linux") && !$0.contains("x86_64") }.count, 2)
        // A/B runs are pooled; the same one given twice counts once, said so.
        let pooled = try Binary.run(["compare", json, json, "--format", "text"])
        XCTAssertEqual(pooled.status, 0, pooled.stderr)
        XCTAssertTrue(pooled.stdout.contains("is the same A/B run as '\(json)' (host and start time): counted once"), pooled.stdout)
    }

    /// A switch that cannot be flipped is bad input: one line, exit status 2,
    /// nothing measured and no file written.
    func testASwitchThatFailsMeasuresNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let result = try Binary.run(["run", "null-call", "--switch", "command:false:true", "--results-dir", scratch.path + "/results",
                                     "--json", scratch.path + "/ab.json", "--fsdir", scratch.path + "/fs"] + quickRun)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stderr, "Error: --switch: the on command 'false' exited with status 1\n")
        XCTAssertEqual(scratch.files(under: "results"), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/ab.json"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs"), [])
    }

    /// A switch command that hangs does not hold up SIGINT: the run stops at
    /// once, with the signal's status, and the command's process group is killed.
    func testAHangingSwitchCommandStopsAtSIGINT() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let running = scratch.path + "/on-command-running"
        let result = try Binary.run(["run", "null-call", "--switch-on", "touch '\(running)'; sleep 40; true", "--switch-off", "true",
                                     "--results-dir", scratch.path + "/results"] + quickRun,
                                    interruptWhen: Binary.exists(running))
        XCTAssertEqual(result.status, 130, result.stderr)
        XCTAssertLessThan(try XCTUnwrap(result.secondsAfterInterrupt), 20, "the run waited for the hanging command")
        XCTAssertTrue(result.stderr.contains("was stopped: the run was interrupted"), result.stderr)
        XCTAssertEqual(scratch.files(under: "results"), [])
        let sleeping = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { pid in
            (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) == Data("sleep\u{0}40\u{0}".utf8)
        }
        XCTAssertEqual(sleeping, [], "the switch command's child is left running")
    }

    /// SIGINT, then a restore that does not end: the results files and the JSON
    /// (`restored` null) are written before it, it says how long it has waited,
    /// and a second SIGINT stops it with the switch state unknown, nothing left.
    func testASlowRestoreWritesTheFilesFirstAndASecondSIGINTStopsIt() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let json = scratch.path + "/ab.json", count = scratch.path + "/count"
        // The first off command (checking the switch) is quick; each later one
        // blocks, making off-N: the flip to off in the first round, then the restore.
        let off = "n=$(cat '\(count)' 2>/dev/null || echo 0); echo $((n + 1)) > '\(count)'; "
            + "if [ $n -ge 1 ]; then touch '\(scratch.path)/off-'$n; sleep 60; fi"
        let tag = UUID().uuidString
        var before: (files: [String], restored: Any?)?
        // An on command slower than an interleaved flip: the runner flips around benchmarks.
        let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", json,
                                     "--switch-on", "sleep 0.2", "--switch-off", off] + quickRun,
                                    interruptWhen: Binary.exists(scratch.path + "/off-1"),
                                    interruptAgainWhen: { stderr in
                                        guard stderr.contains("restoring the switch: the off command has run for") else { return false }
                                        let ab = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
                                        before = (scratch.files(under: "results"), (ab?["switch"] as? [String: Any])?["restored"])
                                        return true
                                    }, limit: 60, tag: tag)
        XCTAssertEqual(result.status, 130, result.stderr)
        let written = try XCTUnwrap(before, "no progress line while restoring: \(result.stderr)")
        XCTAssertEqual(written.files.count, 2, "both results files before the restore")
        XCTAssertTrue(written.restored is NSNull, "the JSON before the restore: restored null, got \(String(describing: written.restored))")
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.path + "/off-2"), "the restore ran the off command")
        XCTAssertTrue(result.stderr.contains("switch state unknown: the off command"), result.stderr)
        XCTAssertTrue(result.stderr.contains("the switch is NOT back as it was"), result.stderr)
        let ab = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let record = try XCTUnwrap(ab["switch"] as? [String: Any])
        XCTAssertEqual(record["restored"] as? Bool, false)
        XCTAssertTrue((record["restore_error"] as? String ?? "").hasPrefix("switch state unknown"), "\(record)")
        XCTAssertEqual(ab["partial"] as? Bool, true)
        XCTAssertEqual(scratch.files(under: "results").count, 2)
        XCTAssertTrue(Binary.wait(limit: 10) { Binary.processes(tagged: tag).isEmpty }, "left running: \(Binary.processes(tagged: tag))")
    }

    /// A switch command may start a process in the background (a `perf record`,
    /// a load generator) that the other command ends: interleaved (flipped
    /// inside the benchmark) and around benchmarks (an on command slower than
    /// an interleaved flip) alike, the run completes and nothing is left.
    func testASwitchCommandMayStartABackgroundProcessThatTheOffCommandEnds() throws {
        for (settle, interleaved) in [("", true), ("sleep 0.2; ", false)] {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let json = scratch.path + "/ab.json", pid = scratch.path + "/pid"
            let tag = UUID().uuidString
            let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", json,
                                         "--switch-on", settle + "sleep 300 & echo $! > '\(pid)'", "--switch-off", "kill $(cat '\(pid)')"]
                                        + quickRun, killAfter: 120, tag: tag)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertFalse(result.stderr.contains("the switch failed"), result.stderr)
            XCTAssertFalse(result.stderr.contains("left processes running"), result.stderr)
            let ab = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
            let record = try XCTUnwrap(ab["switch"] as? [String: Any])
            XCTAssertEqual(record["restored"] as? Bool, true)
            XCTAssertEqual(record["left_processes"] as? [String], [])
            if interleaved {
                XCTAssertGreaterThan(record["interleaved_flips"] as? Int ?? 0, 0, "flipped inside the benchmark: \(record)")
            } else {
                XCTAssertEqual(record["interleaved"] as? Bool, false, "\(record)")
            }
            XCTAssertEqual(Binary.processes(tagged: tag), [], "left running")
        }
    }

    /// An off command that does not end what the on command started: the run
    /// completes, ends it at the end and names it (standard error, the JSON).
    func testWhatASwitchCommandLeavesRunningIsEndedAndNamed() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let json = scratch.path + "/ab.json", pids = scratch.path + "/pids"
        let tag = UUID().uuidString
        let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", json,
                                     "--switch-on", "sleep 300 & echo $! >> '\(pids)'", "--switch-off", "true"] + quickRun,
                                    killAfter: 120, tag: tag)
        XCTAssertEqual(result.status, 0, result.stderr)
        let first = try XCTUnwrap(try String(contentsOfFile: pids, encoding: .utf8).split(separator: "\n").first)
        XCTAssertTrue(result.stderr.contains("warning: switch command left processes running: pid \(first) (sleep)"), result.stderr)
        XCTAssertTrue(result.stderr.contains(" — ended"), result.stderr)
        let ab = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let record = try XCTUnwrap(ab["switch"] as? [String: Any])
        XCTAssertEqual(record["restored"] as? Bool, true)
        XCTAssertTrue((record["left_processes"] as? [String] ?? []).contains("pid \(first) (sleep)"), "\(record)")
        let files = scratch.files(under: "results")
        XCTAssertEqual(files.count, 2)
        for file in files {
            XCTAssertTrue(try String(contentsOfFile: scratch.path + "/results/" + file, encoding: .utf8)
                            .contains("[SWITCH-WARNING: switch command left processes running: pid \(first) (sleep)"), file)
        }
        XCTAssertEqual(Binary.processes(tagged: tag), [], "left running")
    }

    func testSwitchArgumentErrors() throws {
        let cases: [([String], String)] = [
            (["run", "--switch", "nope"], "The value 'nope' is invalid for '--switch <spec>': expected ftrace, kssb, file:PATH:ON_VALUE:OFF_VALUE or command:ON_CMD:OFF_CMD."),
            (["run", "--switch-on", "true"], "Missing '--switch-off <command>': the two come together."),
            (["run", "--switch", "ftrace", "--switch-on", "a", "--switch-off", "b"],
             "Give the switch either with '--switch <spec>' or with '--switch-on' and '--switch-off', not both."),
            (["run", "--switch", "ftrace", "--resume", "x.json"],
             "'--switch' does not combine with '--resume': a resumed A/B run keeps the switch it was started with."),
            (["compare", "/nonexistent.json"], "'/nonexistent.json': no such file"),
        ]
        for (arguments, message) in cases {
            let result = try Binary.run(arguments)
            XCTAssertEqual(result.status, 2, arguments.joined(separator: " "))
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("Error: " + message), "\(arguments): \(result.stderr)")
        }
    }
}

/// SIGINT, SIGQUIT, SIGUSR1 and the other catchable terminating signals in the
/// middle of an A/B run: the switch back as found, both sides' partial files
/// written, nothing of the run left, status 128 + the signal.
final class TerminatingSignalTests: XCTestCase {
    func interrupted(by signal: Int32) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let state = scratch.path + "/state"
        let tag = UUID().uuidString
        let result = try Binary.run(["run", "processor", "latency", "--results-dir", scratch.path + "/results", "--json",
                                     scratch.path + "/ab.json", "--fsdir", scratch.path + "/fs", "--repetitions", "5",
                                     "--rounds", "5", "--enough", "2000",
                                     "--switch-on", "echo on > '\(state)'", "--switch-off", "echo off > '\(state)'"],
                                    // Once measuring is under way (the switch checked, flipped and timed, the run directory made).
                                    interruptWhen: Binary.started("null-read"), signal: signal, tag: tag)
        XCTAssertEqual(result.status, 128 + signal, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: state, encoding: .utf8), "off\n", "the switch is back as found")
        XCTAssertEqual(Binary.processes(tagged: tag), [], "a process of the run is left")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs"), [], "the run directory is left")
        let files = scratch.files(under: "results")
        XCTAssertEqual(files.count, 2, result.stderr)
        for file in files {
            XCTAssertTrue(try String(contentsOfFile: scratch.path + "/results/" + file, encoding: .utf8).contains("[PARTIAL: "), file)
        }
        let ab = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/ab.json")))
                               as? [String: Any])
        XCTAssertEqual(ab["partial"] as? Bool, true)
        XCTAssertEqual((ab["switch"] as? [String: Any])?["restored"] as? Bool, true)
    }

    func testSIGINTRestoresTheSwitchAndWritesTheFiles() throws { try interrupted(by: SIGINT) }
    func testSIGQUITRestoresTheSwitchAndWritesTheFiles() throws { try interrupted(by: SIGQUIT) }
    func testSIGUSR1RestoresTheSwitchAndWritesTheFiles() throws { try interrupted(by: SIGUSR1) }
    func testSIGALRMRestoresTheSwitchAndWritesTheFiles() throws { try interrupted(by: SIGALRM) }
}
