import Foundation
import XCTest

/// `crosscheck` against stand-ins for LMBench's programs that print LMBench's
/// lines: proves the invocation, the servers' start and stop, parsing and pairing.
final class CrosscheckTests: XCTestCase {
    func standIn(_ directory: String, _ name: String, _ body: String) throws {
        let path = directory + "/" + name
        try ("#!/bin/sh\necho \"\(name) $*\" >> \"$(dirname \"$0\")/calls\"\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    func testStandInsAreRunParsedAndPaired() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try standIn(bin, "mhz", "echo '3000 MHz, 0.3333 nanosec clock'")
        try standIn(bin, "lat_syscall", """
            case "$3" in
            null) echo 'Simple syscall: 0.5000 microseconds' >&2 ;;
            read) echo 'Simple read: 0.2500 microseconds' >&2 ;;
            esac
            """)
        try standIn(bin, "lat_udp", """
            case "$1" in -s|-S) exit 0 ;; esac
            echo 'UDP latency using localhost: 20.0000 microseconds' >&2
            """)
        try standIn(bin, "lat_select", "echo \"Select on $2 fd's: $2.0000 microseconds\" >&2")
        // No lat_rpc: its rows must say so.
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "null-read", "select-file",
                                     "udp-latency", "rpc-udp-latency", "--rounds", "2", "--format", "json",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["schema"] as? String, "lmbench-swift.crosscheck/1")
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        func cell(_ id: String) throws -> [String: Any] { try XCTUnwrap(cells.first { $0["cell"] as? String == id }, id) }
        XCTAssertEqual(try cell("null-call")["lmbench"] as? Double, 0.5)
        XCTAssertEqual(try cell("null-call")["lmbench_rounds"] as? [Double], [0.5, 0.5])
        let ours = try XCTUnwrap(try cell("null-call")["ours"] as? Double)
        XCTAssertEqual(try XCTUnwrap(try cell("null-call")["ratio"] as? Double), ours / 0.5, accuracy: 1e-9)
        XCTAssertEqual(try cell("null-read")["lmbench"] as? Double, 0.25)
        XCTAssertEqual(try cell("select-file/250")["lmbench"] as? Double, 250)
        XCTAssertEqual(try cell("udp-latency")["lmbench"] as? Double, 20)
        XCTAssertEqual(try cell("mhz")["lmbench"] as? Double, 3000)
        XCTAssertTrue((try cell("rpc-udp-latency")["note"] as? String ?? "").contains("lat_rpc not found in"))
        let calls = try String(contentsOfFile: bin + "/calls", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(calls.filter { $0 == "lat_udp -s" }.count, 2, "the server is started each round, as the script does")
        XCTAssertEqual(calls.filter { $0 == "lat_udp -S localhost" }.count, 2, "and stopped")
        XCTAssertTrue(calls.contains("lat_syscall -P 1 null"))
        XCTAssertTrue(calls.contains("lat_select -n 100 -P 1 file"))
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs")) ?? ["?"], [])
    }

    /// Something already at /tmp/hello, even a dangling link, is not ours: the
    /// exec rows say so and the crosscheck goes on (it aborted the run).
    func testSomethingAtTmpHelloIsARowNote() throws {
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/tmp/hello")) == nil,
              !FileManager.default.fileExists(atPath: "/tmp/hello") else {
            throw XCTSkip("/tmp/hello is in use on this machine")
        }
        try FileManager.default.createSymbolicLink(atPath: "/tmp/hello", withDestinationPath: "/nonexistent/hello")
        defer { try? FileManager.default.removeItem(atPath: "/tmp/hello") }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        try standIn(bin, "lat_proc", "echo 'Process fork+execve: 500.0000 microseconds' >&2")
        try standIn(bin, "hello", "echo 'Hello world'")
        try standIn(bin, "lat_syscall", "echo 'Simple syscall: 0.5000 microseconds' >&2")
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "exec", "null-call", "--rounds", "1", "--format", "json",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        let exec = try XCTUnwrap(cells.first { $0["cell"] as? String == "exec" })
        XCTAssertEqual(exec["note"] as? String, "/tmp/hello exists and is not ours: LMBench's lat_proc needs that path")
        XCTAssertEqual(cells.first { $0["cell"] as? String == "null-call" }?["lmbench"] as? Double, 0.5, "the rest is measured")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/tmp/hello"), "/nonexistent/hello", "left as found")
    }

    /// Under a switch (commands that write a state file, which the stand-in
    /// reads): every cell is measured with both tools off and on, the slowdowns and
    /// their ratio are computed, and the switch is put back. The commands take
    /// milliseconds, so ours interleaves and LMBench's runs come in pairs, one
    /// run apart, the order alternating (ABBA).
    func testUnderASwitchBothToolsAreMeasuredOffAndOnInPairs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin", state = scratch.path + "/state", states = scratch.path + "/states"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        // LMBench's stand-in is 10x slower with the switch on.
        try standIn(bin, "lat_syscall", """
            s=$(cat '\(state)' 2>/dev/null); echo "$s" >> '\(states)'
            if [ "$s" = on ]; then v=5.0000; else v=0.5000; fi
            echo "Simple syscall: $v microseconds" >&2
            """)
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "--rounds", "2", "--format", "json",
                                     "--switch", "command:echo on > '\(state)':echo off > '\(state)'",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs",
                                     "--json", scratch.path + "/cc.json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: state, encoding: .utf8), "off\n", "put back")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let record = try XCTUnwrap(json["switch"] as? [String: Any])
        XCTAssertEqual(record["interleaved"] as? Bool, true)
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        let cell = try XCTUnwrap(cells.first { $0["cell"] as? String == "null-call" })
        XCTAssertEqual(cell["lmbench_slowdown"] as? Double, 10)
        let ours = try XCTUnwrap(cell["ours_slowdown"] as? Double)
        XCTAssertEqual(try XCTUnwrap(cell["slowdown_ratio"] as? Double), ours / 10, accuracy: 1e-9)
        XCTAssertEqual((cell["by_round"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual(cell["verdict"] as? String, "differs", "our null call does not slow down 10x under a no-op switch")
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.path + "/cc.json"))
        // LMBench's runs: pairs of one off and one on, each pair starting where the last ended.
        // The first pair times one interval a run; runs that short then take LMBench's own repetitions.
        let calls = try String(contentsOfFile: bin + "/calls", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(calls.prefix(2)), ["lat_syscall -N 1 -P 1 null", "lat_syscall -N 1 -P 1 null"])
        XCTAssertTrue(calls.dropFirst(2).allSatisfy { $0 == "lat_syscall -P 1 null" }, "\(calls)")
        let seen = try String(contentsOfFile: states, encoding: .utf8).split(separator: "\n").map(String.init)
        let pairs = try XCTUnwrap(cell["lmbench_pairs"] as? Int)
        XCTAssertGreaterThanOrEqual(pairs, 2, "at least one pair a round")
        XCTAssertEqual(seen.count, 2 * pairs)
        for i in stride(from: 0, to: seen.count - 1, by: 2) { XCTAssertNotEqual(seen[i], seen[i + 1], "pair \(i / 2): \(seen)") }
        XCTAssertEqual(seen.filter { $0 == "on" }.count, pairs)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(cell["ours_pairs"] as? Int), 2 * 3, "ours: its repetitions a round, paired")
    }

    /// A switch too slow to flip between runs (a command that takes 0.2 s):
    /// LMBench's programs run once per round and state, with their own
    /// repetitions, right after ours in the same state; pairs a round apart.
    func testUnderASlowSwitchEachRoundRunsEachStateOnce() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin", state = scratch.path + "/state"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        try standIn(bin, "lat_syscall", """
            if [ "$(cat '\(state)' 2>/dev/null)" = on ]; then v=2.0000; else v=0.5000; fi
            echo "Simple syscall: $v microseconds" >&2
            """)
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "--rounds", "3", "--format", "json",
                                     "--switch", "command:sleep 0.2; echo on > '\(state)':sleep 0.2; echo off > '\(state)'",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs"], killAfter: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((json["switch"] as? [String: Any])?["interleaved"] as? Bool, false)
        let cell = try XCTUnwrap((json["cells"] as? [[String: Any]])?.first { $0["cell"] as? String == "null-call" })
        XCTAssertEqual(cell["lmbench_slowdown"] as? Double, 4)
        XCTAssertEqual(cell["lmbench_pairs"] as? Int, 3, "one pair a round")
        let calls = try String(contentsOfFile: bin + "/calls", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(calls, Array(repeating: "lat_syscall -P 1 null", count: 6), "LMBench's own repetitions")
    }

    /// Programs that cannot be executed or misbehave are row notes; the table
    /// and the JSON are still written (a directory or a bad format aborted the
    /// crosscheck), a failed program's value is not used, output is bounded,
    /// control characters are shown escaped, and a huge value prints short.
    func testProgramsThatCannotRunOrMisbehaveAreRowNotes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin + "/lat_sig", withIntermediateDirectories: true)  // a directory
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: bin + "/lat_pipe", contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }),
                                       attributes: [.posixPermissions: 0o755])  // not an executable format
        try standIn(bin, "lat_syscall", "echo 'Simple syscall: 0.5000 microseconds' >&2; exit 3")
        try standIn(bin, "lat_unix", "echo 'AF_UNIX sock stream latency: 5.0000 microseconds' >&2; yes | head -c 20000000 >&2")
        try standIn(bin, "lat_select", "printf '\\033]0;pwned\\007\\033[2J no select here\\n' >&2")
        try standIn(bin, "mhz", "echo '1e300 MHz, 0.3333 nanosec clock'")
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "sig-install", "pipe-latency", "unix-latency",
                                     "select-file", "--rounds", "1", "--repetitions", "3", "--enough", "1000",
                                     "--fsdir", scratch.path + "/fs", "--json", scratch.path + "/cc.json"], killAfter: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/cc.json"))) as? [String: Any])
        let cells = try XCTUnwrap(json["cells"] as? [[String: Any]])
        func cell(_ id: String) throws -> [String: Any] { try XCTUnwrap(cells.first { $0["cell"] as? String == id }, id) }
        func note(_ id: String) throws -> String { try cell(id)["note"] as? String ?? "" }
        let sigInstall = try note("sig-install"), unix = try note("unix-latency")
        XCTAssertTrue(sigInstall.hasPrefix("lat_sig cannot be run (execve"), sigInstall)
        XCTAssertEqual(try note("pipe-latency"), "lat_pipe cannot be run (execve: Exec format error)")
        XCTAssertEqual(try note("null-call"),
                       "lat_syscall exited with status 3, so its output is not used: Simple syscall: 0.5000 microseconds")
        XCTAssertNil(try cell("null-call")["lmbench"] as? Double, "a failed program's value is not used")
        XCTAssertEqual(try cell("unix-latency")["lmbench"] as? Double, 5, "read from the first MiB")
        XCTAssertTrue(unix.hasPrefix("lat_unix: it printed more than 1 MiB (the "), unix)
        XCTAssertTrue(try note("select-file/10").contains("\u{1b}]0;pwned\u{7}\u{1b}[2J"), "the JSON keeps the raw text (escaped as JSON)")
        XCTAssertEqual(try cell("mhz")["lmbench"] as? Double, 1e300)
        // The terminal sees no control character, no 20 MB row, no 300-digit number.
        XCTAssertFalse(result.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, result.stdout)
        XCTAssertTrue(result.stdout.contains("lat_select gave no result: \\u{1b}]0;pwned\\u{7}\\u{1b}[2J no select here"), result.stdout)
        XCTAssertLessThan(result.stdout.split(separator: "\n").map(\.count).max() ?? 0, 300, result.stdout)
        XCTAssertTrue(result.stdout.split(separator: "\n").contains { $0.hasPrefix("mhz") && $0.contains("1e+300") }, result.stdout)
    }

    /// A switch that fails mid-run and is not put back ends the crosscheck with
    /// exit status 1, as `run` ends (it exited 0).
    func testSwitchThatFailsAndIsNotPutBackExitsOne() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin", count = scratch.path + "/offs"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        try standIn(bin, "lat_syscall", "echo 'Simple syscall: 0.5000 microseconds' >&2")
        // The off command works once (before measuring), then fails.
        let off = "n=$(cat '\(count)' 2>/dev/null || echo 0); echo $((n + 1)) > '\(count)'; [ $n -lt 1 ]"
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "--rounds", "2", "--switch", "command:true:\(off)",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs",
                                     "--json", scratch.path + "/cc.json"], killAfter: 300)
        XCTAssertEqual(result.status, 1, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/cc.json"))) as? [String: Any])
        XCTAssertEqual((json["switch"] as? [String: Any])?["restored"] as? Bool, false)
        XCTAssertTrue(result.stderr.contains("the switch was NOT put back"), result.stderr)
    }

    /// SIGINT while LMBench's last program runs: the JSON says interrupted (it said false).
    func testInterruptDuringTheLastProgramIsRecorded() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin", started = scratch.path + "/started"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        try standIn(bin, "lat_syscall", "touch '\(started)'; sleep 60")
        let result = try Binary.run(["crosscheck", "--lmbench-bin", bin, "null-call", "--rounds", "1",
                                     "--repetitions", "3", "--enough", "1000", "--fsdir", scratch.path + "/fs",
                                     "--json", scratch.path + "/cc.json"],
                                    interruptWhen: Binary.exists(started), limit: 120, killAfter: 60)
        XCTAssertEqual(result.status, 128 + SIGINT, result.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path + "/cc.json"))) as? [String: Any])
        XCTAssertEqual(json["interrupted"] as? Bool, true)
        XCTAssertLessThan(result.secondsAfterInterrupt ?? 99, 30, "the program is stopped, not waited for")
    }

    func testMissingDirectoryIsBadInput() throws {
        let result = try Binary.run(["crosscheck", "--lmbench-bin", "/nonexistent/lmbench", "null-call"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderrLines, ["Error: --lmbench-bin '/nonexistent/lmbench' is not a directory"])
    }
}
