import Foundation
import XCTest

/// A hostile or careless user against `run`: resuming what is not the same run,
/// a process limit that breaks one ring size, a run killed with SIGKILL.
final class HardeningRunTests: XCTestCase {
    /// A quick complete run's JSON, to be edited into the cases below.
    func recordedRun(_ scratch: Scratch) throws -> [String: Any] {
        let json = scratch.path + "/run.json"
        let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", json] + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
    }

    func write(_ object: [String: Any], _ path: String) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }

    func resume(_ scratch: Scratch, _ object: [String: Any], extra: [String] = []) throws -> Binary.Result {
        let path = scratch.path + "/edited.json"
        try write(object, path)
        return try Binary.run(["run", "--resume", path, "--results-dir", scratch.path + "/resumed", "--json",
                               scratch.path + "/resumed.json"] + extra)
    }

    func testResumeRefusesAnotherRunOrImpossibleSettings() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var run = try recordedRun(scratch)
        run["partial"] = true

        func edited(_ section: String, _ key: String, _ value: Any?) -> [String: Any] {
            var copy = run
            var inner = copy[section] as! [String: Any]
            inner[key] = value
            copy[section] = inner
            return copy
        }
        let cases: [([String: Any], String)] = [
            (edited("environment", "kernel_release", "6.1.0-other"), "it was measured with kernel '6.1.0-other', and this machine has '"),
            (edited("environment", "kernel_cmdline", "quiet other=1"), "it was measured with kernel command line 'quiet other=1'"),
            (edited("environment", "cpu_model", "Imaginary CPU"), "it was measured with CPU model 'Imaginary CPU'"),
            (edited("environment", "cpu_count", 97), "it was measured with CPU count '97'"),
            (edited("settings", "enough_us", -5), "\"enough_us\" is -5, not a whole number from 100 to 10000000"),
            (edited("settings", "enough_us", 1e300), "\"enough_us\" is 0, not a whole number from 100 to 10000000"),
            (edited("settings", "mb", 0), "\"mb\" is 0, not a whole number from 1 to 1048576"),
            (edited("settings", "rounds", -1), "\"rounds\" is -1, not a whole number from 1 to 1000"),
            (edited("settings", "fsdir", nil), "\"fsdir\" is missing"),
        ]
        for (object, message) in cases {
            let result = try resume(scratch, object)
            XCTAssertEqual(result.status, 2, message)
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.contains(message), "expected '\(message)' in: \(result.stderr)")
            XCTAssertEqual(scratch.files(under: "resumed"), [], "nothing written")
        }
        let measuring = try resume(scratch, run, extra: ["--enough", "2000"])
        XCTAssertEqual(measuring.status, 2)
        XCTAssertTrue(measuring.stderr.hasPrefix("Error: '--enough' does not combine with '--resume'"), measuring.stderr)

        // A complete run: nothing to resume, nothing written.
        run["partial"] = false
        let complete = try resume(scratch, run)
        XCTAssertEqual(complete.status, 0, complete.stderr)
        XCTAssertTrue(complete.stderr.contains("nothing to resume"), complete.stderr)
        XCTAssertEqual(scratch.files(under: "resumed"), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/resumed.json"))
    }

    /// Under a process limit the large rings cannot be made: those cells fail
    /// with their reason, and every ring that could be made is measured.
    func testAProcessLimitFailsOnlyTheRingsItStops() throws {
        let tools = ["/usr/bin/prlimit", "/usr/bin/setpriv"]
        guard tools.allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("needs prlimit and setpriv (util-linux)")
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Writable by nobody, and sticky like /tmp (an fsdir others can write to without it is refused).
        try setMode(0o1777, scratch.path)
        // Root ignores RLIMIT_NPROC: run as nobody there.
        var command = ["/usr/bin/prlimit", "--nproc=40:40"]
        if getuid() == 0 { command += ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst()) + [Binary.url.path, "run", "ctx-0k", "--results-dir", scratch.path + "/results",
                                                            "--json", scratch.path + "/run.json", "--fsdir", scratch.path] + quickRun
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Binary.watchdog(process)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        let run = try RunFile(path: scratch.path + "/run.json")
        for n in [2, 4, 8, 16] { XCTAssertNotNil(run.value("ctx-0k/\(n)"), "ring of \(n) is measured: \(stderr)") }
        XCTAssertNil(run.value("ctx-0k/96"))
        let failures = try XCTUnwrap(run.benchmark("ctx-0k")?["cell_failures"] as? [String: String], stderr)
        XCTAssertTrue(failures["ctx-0k/96"]?.contains("ring of 96 processes") ?? false, "\(failures)")
        let results = try String(contentsOfFile: scratch.path + "/results/" + scratch.files(under: "results")[0], encoding: .utf8)
        XCTAssertTrue(results.contains("\n[FAILED: ctx-0k/96: "), results)
        XCTAssertTrue(results.contains("\n2 "), "the 2-process line is in the results file")
    }

    /// Links planted at every name a run writes that can be known beforehand (the
    /// results file's first name, the JSON): no target is written; the results
    /// file gets the next number, and a link at the JSON's path is refused up front. (The temporary names are unpredictable
    /// now, and the run directory is made by mkdtemp; HardeningTests plant links at
    /// the old temporary names in process.)
    func testARunNeverWritesThroughPlantedLinks() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let uname = try XCTUnwrap(String(data: FileManager.default.contents(atPath: "/proc/sys/kernel/hostname") ?? Data(),
                                         encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)
        let osDir = scratch.path + "/results/x86_64-linux-gnu"
        try FileManager.default.createDirectory(atPath: osDir, withIntermediateDirectories: true)
        let victim = scratch.path + "/victim", json = scratch.path + "/run.json"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: osDir + "/\(uname).0", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: json, withDestinationPath: victim)
        // The link at the JSON's path: refused before anything is measured (issue 21), neither replaced nor written through.
        let refused = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", json] + quickRun)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("it is a symbolic link to a regular file"), refused.stderr)
        let type = try FileManager.default.attributesOfItem(atPath: json)[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeSymbolicLink)
        let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", scratch.path + "/own.json"] + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: osDir + "/\(uname).1"), "the next number")
    }

    /// A hostname with a '/' (possible: sethostname takes any bytes) names the
    /// results file with '_' instead; the header and the JSON keep the real name.
    /// (It measured everything and then failed to write.) Run in a UTS namespace
    /// of its own, so this machine's name is not touched.
    func testAHostnameWithASlashStillGetsItsResultsFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["--uts", "/bin/sh", "-c", "echo 'a/b' > /proc/sys/kernel/hostname && exec \"$0\" \"$@\"",
                             Binary.url.path, "run", "null-call", "--results-dir", scratch.path + "/results",
                             "--json", scratch.path + "/run.json"] + quickRun
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { throw XCTSkip("no unshare here") }
        Binary.watchdog(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 || FileManager.default.fileExists(atPath: scratch.path + "/results") else {
            throw XCTSkip("cannot make a UTS namespace here (not root?)")
        }
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertEqual(scratch.files(under: "results"), ["x86_64-linux-gnu/a_b.0"])
        let results = try String(contentsOfFile: scratch.path + "/results/x86_64-linux-gnu/a_b.0", encoding: .utf8)
        XCTAssertTrue(results.contains("[HOSTNAME: a/b]"), results)
        let run = try RunFile(path: scratch.path + "/run.json")
        XCTAssertEqual((run.json["environment"] as? [String: Any])?["nodename"] as? String, "a/b")
    }

    /// A run killed with SIGKILL leaves its directory; the next run removes it, saying so.
    func testTheNextRunRemovesWhatAKilledRunLeft() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fsdir = scratch.path + "/fs"
        try FileManager.default.createDirectory(atPath: fsdir, withIntermediateDirectories: true)
        let tag = UUID().uuidString
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["run", "processor", "latency", "--results-dir", scratch.path + "/results", "--fsdir", fsdir]
        process.environment = ProcessInfo.processInfo.environment.merging([Binary.tagVariable: tag]) { $1 }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Binary.watchdog(process)
        let madeItsDirectory = Binary.wait(limit: 60) {
            ((try? FileManager.default.contentsOfDirectory(atPath: fsdir)) ?? []).contains { $0.hasPrefix("lmbench-swift.") }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertTrue(madeItsDirectory, "the run never made its directory")
        // Its benchmark processes notice their parent's death on their own (no fixed wait).
        XCTAssertTrue(Binary.wait(limit: 30) { Binary.processes(tagged: tag).isEmpty }, "its processes die with it")

        // A user's directory named like ours, with a `.lock` but not our marker, is not ours.
        try FileManager.default.createDirectory(atPath: fsdir + "/lmbench-swift.mydata", withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: fsdir + "/lmbench-swift.mydata/.lock", contents: nil)
        FileManager.default.createFile(atPath: fsdir + "/lmbench-swift.mydata/results", contents: Data("mine\n".utf8))

        let next = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--fsdir", fsdir] + quickRun)
        XCTAssertEqual(next.status, 0, next.stderr)
        XCTAssertTrue(next.stderr.contains("removed \(fsdir)/lmbench-swift."), next.stderr)
        XCTAssertFalse(next.stderr.contains("mydata"), next.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fsdir), ["lmbench-swift.mydata"],
                       "nothing of either run is left, and the user's directory is")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fsdir + "/lmbench-swift.mydata").sorted(), [".lock", "results"])
    }

    /// chmod: FileManager's setAttributes drops the sticky bit on Linux.
    func setMode(_ mode: Int, _ path: String) throws {
        XCTAssertEqual(chmod(path, mode_t(mode)), 0, "chmod \(path)")
    }

    /// An fsdir that another user can write to without the sticky bit, or below one
    /// they can, is refused before anything is measured; one like /tmp is not.
    func testAnFsdirOthersCanWriteIsRefusedBeforeAnythingIsMeasured() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let open = scratch.path + "/open", fsdir = open + "/fs"
        try FileManager.default.createDirectory(atPath: fsdir, withIntermediateDirectories: true)
        var cases = [(fsdir, 0o777, "\(fsdir) is writable by other users without the sticky bit (mode 0777)"),
                     (open, 0o777, "\(open) is writable by other users without the sticky bit (mode 0777)")]
        if getuid() == 0 { cases.append((fsdir, -65534, "\(fsdir) belongs to another user (uid 65534)")) }
        for (path, mode, reason) in cases {
            if mode < 0 { XCTAssertEqual(chown(path, uid_t(-mode), gid_t(-mode)), 0) } else { try setMode(mode, path) }
            let result = try Binary.run(["run", "exec", "--results-dir", scratch.path + "/results", "--fsdir", fsdir] + quickRun)
            XCTAssertEqual(result.status, 2, result.stderr)
            XCTAssertEqual(result.stderr, "Error: --fsdir '\(fsdir)': \(reason): another user could replace what the run executes and removes there\n")
            XCTAssertEqual(result.stdout, "")
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/results"), "nothing is written")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: fsdir), [], "nothing is made in the fsdir")
            if mode < 0 { XCTAssertEqual(chown(path, 0, 0), 0) } else { try setMode(0o755, path) }
        }
        try setMode(0o1777, fsdir)
        try setMode(0o1777, open)
        let sticky = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--fsdir", fsdir] + quickRun)
        XCTAssertEqual(sticky.status, 0, sticky.stderr)
    }

    /// The attack of issue 21: an fsdir owned by `nobody`, and a process as nobody
    /// that renames root's run directory and plants a `hello` of its own. The run
    /// is refused; and had it run, it would have run its own hello (RunFilesTests).
    func testAnotherUsersFsdirCannotMakeARootRunExecuteTheirProgram() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            throw XCTSkip("needs root and setpriv")
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fsdir = scratch.path + "/fs", loot = scratch.path + "/loot"
        for directory in [fsdir, loot] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            XCTAssertEqual(chown(directory, 65534, 65534), 0)
        }
        let planted = loot + "/hello"
        FileManager.default.createFile(atPath: planted, contents: Data("#!/bin/sh\nid > '\(loot)/ran'\n".utf8))
        XCTAssertEqual(chmod(planted, 0o755), 0)
        // Bounded: it stops when told or after 60 s.
        let attacker = Process()
        attacker.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        attacker.arguments = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/bin/sh", "-c", """
            end=$(( $(date +%s) + 60 ))
            while [ ! -e '\(loot)/stop' ] && [ $(date +%s) -lt $end ]; do
              for d in '\(fsdir)'/lmbench-swift.??????; do
                [ -d "$d" ] && mv "$d" "$d.moved" && mkdir "$d" && cp '\(planted)' "$d/hello" && cp '\(planted)' "$d/hello-static"
              done
            done
            """]
        try attacker.run()
        Binary.watchdog(attacker)
        defer {
            FileManager.default.createFile(atPath: loot + "/stop", contents: nil)
            attacker.waitUntilExit()
        }
        let result = try Binary.run(["run", "exec", "--results-dir", scratch.path + "/results", "--fsdir", fsdir] + quickRun)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("\(fsdir) belongs to another user (uid 65534)"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: loot + "/ran"), "the planted hello ran")
    }
}
