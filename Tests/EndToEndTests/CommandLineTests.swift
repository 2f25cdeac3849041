import Bench
import Foundation
import XCTest

/// Every command's help, and bad input: one line naming the problem, exit status 2,
/// no results file.
final class CommandLineTests: XCTestCase {
    func testHelpAndVersion() throws {
        for (arguments, marker) in [(["--help"], "USAGE: lmbench-swift"), (["help", "run"], "USAGE: lmbench-swift run"),
                                    (["run", "--help"], "--repetitions <n>"), (["summary", "-h"], "USAGE: lmbench-swift summary"),
                                    (["list", "--help"], "USAGE: lmbench-swift list"), (["--version"], "lmbench-swift 0.")] {
            let result = try Binary.run(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stdout.contains(marker), "\(arguments): \(result.stdout)")
            XCTAssertEqual(result.stderr, "")
        }
    }

    /// --help and the README's option table come from one table (Options.run); the
    /// README points only to documents that exist, and stays short.
    func testHelpAndReadmeShowTheOneOptionTable() throws {
        let top = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
        let readme = try String(contentsOf: top.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains(Options.markdown(Options.run)), "README.md's option table is not Options.markdown(Options.run)")
        XCTAssertLessThan(readme.split(separator: "\n", omittingEmptySubsequences: false).count, 200)
        for link in readme.matches(of: /\]\((docs\/[a-z-]+\.md)\)/) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: top.appendingPathComponent(String(link.1)).path), String(link.1))
        }
        let help = try Binary.run(["run", "--help"])
        XCTAssertTrue(help.stdout.contains(Options.help(Options.run)), help.stdout)
    }

    func testListNamesEveryBenchmarkAndGroup() throws {
        let result = try Binary.run(["list"])
        XCTAssertEqual(result.status, 0)
        for name in ["processor:", "null-call", "select-tcp", "prot-fault", "mhz", "shell", "os:"] {
            XCTAssertTrue(result.stdout.contains(name), name)
        }
        XCTAssertFalse(result.stdout.contains("test-crash"), "test-only benchmarks are hidden")
    }

    func testBadInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let empty = scratch.path + "/empty"
        let binary = scratch.path + "/binary"
        let foreign = scratch.path + "/foreign.json"
        FileManager.default.createFile(atPath: empty, contents: Data())
        FileManager.default.createFile(atPath: binary, contents: Data([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]))
        FileManager.default.createFile(atPath: foreign, contents: Data("{\"name\": \"other tool\"}".utf8))
        let results = ["--results-dir", scratch.path + "/results"]
        let cases: [([String], String)] = [
            (["run", "nul-call"] + results,
             "Error: Unknown benchmark or group 'nul-call'. Did you mean 'null-call'? See 'lmbench-swift run --help'."),
            (["run", "--repetitions", "0"] + results,
             "Error: The value '0' is invalid for '--repetitions <n>': expected a whole number from 1 to 1000. See 'lmbench-swift run --help'."),
            (["run", "--enough=abc"] + results,
             "Error: The value 'abc' is invalid for '--enough <microseconds>': expected a whole number from 100 to 10000000. See 'lmbench-swift run --help'."),
            (["run", "null-call", "--mb"],
             "Error: Missing value for '--mb <mib>'. See 'lmbench-swift run --help'."),
            (["run", "--fsdri", "/tmp"] + results,
             "Error: Unknown option '--fsdri'. Did you mean '--fsdir'? See 'lmbench-swift run --help'."),
            (["run", "--quiet=yes"] + results, "Error: '--quiet' takes no value. See 'lmbench-swift run --help'."),
            (["frobnicate"], "Error: Unknown command 'frobnicate'. See 'lmbench-swift --help'."),
            (["null-call"], "Error: Unknown command 'null-call'. To run it: 'lmbench-swift run null-call'. See 'lmbench-swift --help'."),
            (["list", "x"], "Error: 'list' takes no arguments, got 'x'. See 'lmbench-swift list --help'."),
            (["summary"], "Error: Missing expected argument '<file> ...'. See 'lmbench-swift summary --help'."),
            (["summary", scratch.path + "/missing"], "Error: '\(scratch.path)/missing': no such file"),
            (["summary", empty], "Error: '\(empty)': the file is empty"),
            (["summary", scratch.path], "Error: '\(scratch.path)': is a directory, not a results file or a JSON run"),
            (["run", "--resume", scratch.path] + results, "Error: '\(scratch.path)': is a directory, not a results file or a JSON run"),
            (["run", "null-call", "--budget", "60s", "--rounds", "5"] + results,
             "Error: '--rounds' does not combine with '--budget': the time budget and the precision target decide the rounds. See 'lmbench-swift run --help'."),
            (["summary", binary], "Error: '\(binary)', line 1: binary data, not a results file"),
            (["summary", foreign], "Error: '\(foreign)': not an lmbench-swift run file (schema is not \"lmbench-swift.run/1\")"),
            (["run", "null-call", "--results-dir", "/proc/version/results"],
             "Error: results directory '/proc/version/results' cannot be written: '/proc/version' is not a directory"),
            (["run", "null-call", "--fsdir", scratch.path + "/nowhere"] + results,
             "Error: --fsdir '\(scratch.path)/nowhere' is not a writable directory"),
            (["run", "null-call", "--json", scratch.path + "/no/such/dir/run.json"] + results,
             "Error: cannot write --json '\(scratch.path)/no/such/dir/run.json': '\(scratch.path)/no/such/dir' is not a writable directory"),
        ]
        for (arguments, expected) in cases {
            let result = try Binary.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines, [expected], "\(arguments)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
        }
        XCTAssertEqual(scratch.files(under: "results"), [], "bad input writes no results file")
    }

    func testSummaryOfTheFixturesIsGetsummarys() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BenchTests/Fixtures/lmbench")
        let result = try Binary.run(["summary", "x86_64-linux-gnu/vm.0", "x86_64-linux-gnu/vm.1"],
                                    directory: fixtures.appendingPathComponent("results").path)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, try String(contentsOf: fixtures.appendingPathComponent("summary-vm.0-vm.1.txt"), encoding: .utf8))
    }
}
