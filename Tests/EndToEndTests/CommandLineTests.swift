import BenchCatalog
import BenchCore
import BenchCrosscheck
import BenchEngine
import BenchReports
import Foundation
import XCTest

/// Every command's help, and bad input: one line naming the problem, exit status 2,
/// no results file.
final class CommandLineTests: XCTestCase {
    func testHelpAndVersion() throws {
        for (arguments, marker) in [(["--help"], "USAGE: lmbench-swift"), (["help", "run"], "USAGE: lmbench-swift run"),
                                    (["--help", "compare"], "USAGE: lmbench-swift compare"),
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
            (["list", "x"], "Error: 'list' takes only --markdown, got 'x'. See 'lmbench-swift list --help'."),
            (["--version", "extra"], "Error: '--version' takes no arguments, got 'extra'. See 'lmbench-swift --help'."),
            (["--help", "frobnicate"], "Error: Unknown command 'frobnicate'. See 'lmbench-swift --help'."),
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

    /// The hidden --check-arguments (harness/ asks it before it boots or uploads):
    /// exit 0 and the seconds the job needs at most for a command line that would
    /// run, 2 with the run's own message for one that would not; nothing is
    /// measured or written.
    func testCheckArgumentsMeasuresNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let results = ["--results-dir", scratch.path + "/results"]
        for arguments in [["run", "null-call", "--switch", "kssb", "--name", "guest-a"], ["run", "os", "--fsdir", "/no/such/dir"],
                          ["crosscheck", "--lmbench-bin", "/no/such/dir", "null-call"]] {
            let result = try Binary.run(["--check-arguments"] + arguments + (arguments[0] == "run" ? results : []))
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderr, "", "\(arguments)")
            XCTAssertNotNil(Int(result.stdout.trimmingCharacters(in: .newlines)), "\(arguments): \(result.stdout)")
        }
        // The estimate follows what the binary would do: more benchmarks, longer
        // intervals, a switch, a budget, crosscheck rounds each take longer.
        func seconds(_ arguments: [String]) throws -> Int {
            let result = try Binary.run(["--check-arguments"] + arguments)
            XCTAssertEqual(result.status, 0, result.stderr)
            return try XCTUnwrap(Int(result.stdout.trimmingCharacters(in: .newlines)), result.stdout)
        }
        let processor = try seconds(["run", "processor"]), os = try seconds(["run", "os"])
        XCTAssertGreaterThan(processor, 0)
        XCTAssertGreaterThan(os, 5 * processor)
        XCTAssertGreaterThan(try seconds(["run", "processor", "--enough", "50000"]), 5 * processor)
        XCTAssertGreaterThan(try seconds(["run", "processor", "--switch", "ftrace"]), 2 * processor)
        XCTAssertGreaterThanOrEqual(try seconds(["run", "processor", "--budget", "2h"]), 7200)
        XCTAssertGreaterThan(try seconds(["run", "bandwidth", "--mb", "1024"]), try seconds(["run", "bandwidth"]))
        XCTAssertGreaterThan(try seconds(["crosscheck", "--lmbench-bin", "/x", "processor", "--rounds", "6"]),
                             try seconds(["crosscheck", "--lmbench-bin", "/x", "processor", "--rounds", "3"]))
        let cases: [([String], String)] = [
            (["run", "null-cal"], "Error: Unknown benchmark or group 'null-cal'. Did you mean 'null-call'? See 'lmbench-swift run --help'."),
            (["run", "null-call", "--switch", "fttrace"],
             "Error: The value 'fttrace' is invalid for '--switch <spec>': expected ftrace, kssb, file:PATH:ON_VALUE:OFF_VALUE or command:ON_CMD:OFF_CMD. See 'lmbench-swift run --help'."),
            (["crosscheck", "--lmbench-bin", "/x", "nul-call"],
             "Error: Unknown benchmark or group 'nul-call'. Did you mean 'null-call'? See 'lmbench-swift crosscheck --help'."),
        ]
        for (arguments, expected) in cases {
            let result = try Binary.run(["--check-arguments"] + arguments + (arguments[0] == "run" ? results : []))
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines, [expected], "\(arguments)")
        }
        XCTAssertEqual(scratch.files(under: "results"), [], "--check-arguments writes no results file")
    }

    /// --name gives the results file, its header and the JSON their host name.
    func testNameGivesTheResultsTheirHostName() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try Binary.run(["run", "null-call", "--repetitions", "2", "--rounds", "1", "--enough", "200", "--quiet",
                                     "--name", "baseline-guest", "--results-dir", scratch.path + "/results", "--json", scratch.path + "/run.json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = scratch.files(under: "results")
        XCTAssertEqual(files.map { $0.split(separator: "/").last.map(String.init) ?? "" }, ["baseline-guest.0"])
        let header = try String(contentsOfFile: scratch.path + "/results/" + files[0], encoding: .utf8)
        XCTAssertTrue(header.contains("[HOSTNAME: baseline-guest]"), header)
        let json = try String(contentsOfFile: scratch.path + "/run.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"nodename\": \"baseline-guest\""))
    }

    /// The results file and the JSON say what file system the fs directory is on
    /// (the file-system cells ran there); summary and compare warn when runs differ.
    func testTheFileSystemOfTheFsDirectoryIsRecorded() throws {
        guard (try? FileManager.default.attributesOfFileSystem(forPath: "/dev/shm")) != nil,
              access("/dev/shm", W_OK) == 0 else { throw XCTSkip("needs a writable /dev/shm (tmpfs)") }
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (name, fsdir) in [("memory", "/dev/shm"), ("disk", scratch.path)] {
            let result = try Binary.run(["run", "null-call", "--repetitions", "2", "--rounds", "1", "--enough", "200", "--quiet",
                                         "--name", name, "--fsdir", fsdir, "--results-dir", scratch.path + "/results",
                                         "--json", scratch.path + "/\(name).json"])
            XCTAssertEqual(result.status, 0, result.stderr)
        }
        let files = scratch.files(under: "results").map { scratch.path + "/results/" + $0 }
        let memory = try String(contentsOfFile: files.first { $0.hasSuffix("/memory.0") }!, encoding: .utf8)
        XCTAssertTrue(memory.contains("[FSDIR_FS: tmpfs in memory]"), memory)
        let json = try String(contentsOfFile: scratch.path + "/memory.json", encoding: .utf8)
        XCTAssertTrue(json.contains("\"fsdir_file_system\": \"tmpfs in memory\""))
        let disk = try String(contentsOfFile: files.first { $0.hasSuffix("/disk.0") }!, encoding: .utf8)
        let diskKind = try XCTUnwrap(disk.split(separator: "\n").first { $0.hasPrefix("[FSDIR_FS: ") })
        if diskKind != "[FSDIR_FS: tmpfs in memory]" {
            let summary = try Binary.run(["summary"] + files)
            XCTAssertEqual(summary.status, 0)
            XCTAssertTrue(summary.stderr.contains("warning: the file-system cells (file create/delete, mmap, page faults, file reread) ran on different file systems: "), summary.stderr)
            XCTAssertTrue(summary.stderr.contains("tmpfs in memory (x86_64-linux-gnu/memory.0)"), summary.stderr)
            let compare = try Binary.run(["compare", scratch.path + "/memory.json", scratch.path + "/disk.json"])
            XCTAssertTrue(compare.stdout.contains("the sides differ in file system of the fs directory: tmpfs in memory (baseline) vs "), compare.stdout)
        }
        let same = try Binary.run(["summary", files[0]])
        XCTAssertFalse(same.stderr.contains("different file systems"), same.stderr)
    }

    func testSummaryOfTheFixturesIsGetsummarys() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BenchTests/Fixtures/lmbench")
        let result = try Binary.run(["summary", "x86_64-linux-gnu/vm.0", "x86_64-linux-gnu/vm.1"],
                                    directory: fixtures.appendingPathComponent("results").path)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, try String(contentsOf: fixtures.appendingPathComponent("summary-vm.0-vm.1.txt"), encoding: .utf8))
    }

    /// The recorded baseline and A/B runs of the three-way golden tests.
    static let threeWayFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("BenchTests/Fixtures/runs/threeway").path

    /// `compare BASELINE AB-RUN.json`: the three-way table from the recorded
    /// runs, in every format; --noise-margin; bad input is one line and exit 2.
    func testCompareABaselineWithAnABRun() throws {
        let fixtures = Self.threeWayFixtures
        let base = fixtures + "/base.json", ab = fixtures + "/ab.json"
        let scratch = try Scratch()
        defer { scratch.remove() }
        for (format, heading) in [("text", "off/baseline"), ("markdown", "off/baseline"), ("csv", "off_baseline"),
                                  ("json", "lmbench-swift.compare3/1"), ("latex", "Off/baseline")] {
            let result = try Binary.run(["compare", base, ab, "--format", format, "--svg", scratch.path + "/three.svg"])
            XCTAssertEqual(result.status, 0, "\(format): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains(heading), format)
            XCTAssertTrue(result.stdout.contains("THE SWITCH DID NOT TAKE EFFECT"), format)
        }
        XCTAssertTrue(try String(contentsOfFile: scratch.path + "/three.svg", encoding: .utf8).contains("off/baseline"))
        let options = try Binary.run(["compare", "--baseline", base, "--candidate", ab, "--noise-margin", "2.5",
                                      "--format", "latex", "--caption", "No-op switch", "--label", "tab:noop"])
        XCTAssertEqual(options.status, 0, options.stderr)
        XCTAssertTrue(options.stdout.contains("noise margin 2.5%"))
        XCTAssertTrue(options.stdout.contains("\\caption{No-op switch}\n\\label{tab:noop}"))
        let pm = try Binary.run(["compare", base, ab, "--format", "latex", "--interval", "pm"])
        XCTAssertTrue(pm.stdout.contains(" \\pm "), pm.stdout)
        XCTAssertFalse(pm.stdout.contains("\\scriptsize ["), pm.stdout)
        let summary = try Binary.run(["summary", ab])
        XCTAssertEqual(summary.stdout.split(separator: "\n").filter { $0.hasPrefix("vm off ") || $0.hasPrefix("vm on ") }.count, 4,
                       summary.stdout)
        let cases: [([String], String)] = [
            (["compare", base, ab, "--noise-margin", "0"],
             "Error: The value '0' is invalid for '--noise-margin <percent>': expected a number above 0 and at most 100. See 'lmbench-swift compare --help'."),
            (["compare", "--baseline", base, "--candidate", ab, "--candidate", base],
             "Error: '\(ab)': an A/B run before '\(base)', which is not one: give the A/B runs last, alone or after the baseline (lmbench-swift compare [BASELINE...] AB-RUN.json...)"),
            (["compare", ab, base, ab],
             "Error: '\(ab)': an A/B run before '\(base)', which is not one: give the A/B runs last, alone or after the baseline (lmbench-swift compare [BASELINE...] AB-RUN.json...)"),
            (["compare", ab, base],
             "Error: '\(ab)': an A/B run before '\(base)', which is not one: give the A/B runs last, alone or after the baseline (lmbench-swift compare [BASELINE...] AB-RUN.json...)"),
            // In a directory of baselines an A/B run is not looked for: it is refused as before.
            (["compare", fixtures, ab],
             "Error: '\(ab)': an A/B run (both sides of a switch in one file): give it alone (lmbench-swift compare \(ab)) or last, after a baseline (lmbench-swift compare BASELINE... \(ab))"),
        ]
        for (arguments, expected) in cases {
            let result = try Binary.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines, [expected], "\(arguments)")
            XCTAssertEqual(result.stdout, "")
        }
    }

    /// `compare AB1 AB2` and `compare BASELINE AB1 AB2`: on/off pooled over
    /// both boots, each named, in every format; the second boot is the recorded
    /// A/B run with another start time.
    func testCompareSeveralABRunsPoolsThem() throws {
        let fixtures = Self.threeWayFixtures
        let base = fixtures + "/base.json", ab = fixtures + "/ab.json"
        let scratch = try Scratch()
        defer { scratch.remove() }
        let second = scratch.path + "/ab2.json"
        let text = try String(contentsOfFile: ab, encoding: .utf8)
        XCTAssertTrue(text.contains("\"start_date\": \"Wed Dec  2 18:20:51 UTC 2026\""))
        try text.replacingOccurrences(of: "\"start_date\": \"Wed Dec  2 18:20:51 UTC 2026\"",
                                      with: "\"start_date\": \"Thu Dec  3 09:00:00 UTC 2026\"")
            .write(toFile: second, atomically: true, encoding: .utf8)
        for arguments in [[ab, second], [base, ab, second], ["--baseline", base, "--candidate", ab, "--candidate", second]] {
            for format in ["text", "markdown", "csv", "json", "latex"] {
                let result = try Binary.run(["compare"] + arguments + ["--format", format, "--svg", scratch.path + "/pooled.svg"])
                XCTAssertEqual(result.status, 0, "\(arguments) \(format): \(result.stderr)")
                XCTAssertTrue(result.stdout.contains(ab) && result.stdout.contains(second), "\(arguments) \(format)")
                XCTAssertTrue(result.stdout.contains("pooled over 2 A/B boots"), "\(arguments) \(format)")
                XCTAssertTrue(result.stdout.contains("\(second): THE SWITCH DID NOT TAKE EFFECT"), "\(arguments) \(format)")
                XCTAssertFalse(result.stdout.contains("same A/B run"), "\(arguments) \(format)")
            }
            XCTAssertTrue(try String(contentsOfFile: scratch.path + "/pooled.svg", encoding: .utf8).contains("pooled over 2 A/B boots"))
        }
        let three = try Binary.run(["compare", base, ab, second])
        XCTAssertTrue(three.stdout.contains("off/baseline"), three.stdout)
        XCTAssertTrue(three.stdout.contains("Off, on: 2 A/B runs (\(ab), \(second))"), three.stdout)
        let mixed = try Binary.run(["compare", ab, base, second])
        XCTAssertEqual(mixed.status, 2)
        XCTAssertEqual(mixed.stderrLines, ["Error: '\(ab)': an A/B run before '\(base)', which is not one: give the A/B runs last, alone or after the baseline (lmbench-swift compare [BASELINE...] AB-RUN.json...)"])
    }
}
