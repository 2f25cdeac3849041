import Foundation
import XCTest

/// Issue 21: what a path names. Outputs (--json, compare --svg, crosscheck
/// --json) that name a device, a FIFO or a link are written through or refused up
/// front, never renamed over; inputs are regular files of bounded size, and a
/// FIFO or an endless device never hangs a reader; an empty or over-long value is
/// refused before anything is made.
final class OutputAndInputPathTests: XCTestCase {
    func type(_ path: String) -> FileAttributeType? {
        try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    func json(_ scratch: Scratch) throws -> String {
        let path = scratch.path + "/run.json"
        let result = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/made", "--json", path] + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        return path
    }

    func mkfifo(_ path: String) throws {
        XCTAssertEqual(Foundation.mkfifo(path, 0o600), 0, String(cString: strerror(errno)))
    }

    /// A private device node (as /dev/null: c 1 3) stays a device after --json
    /// and --svg name it; nothing is renamed over it.
    func testADeviceNodeIsWrittenThroughNotReplaced() throws {
        guard getuid() == 0 else { throw XCTSkip("mknod needs root") }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let node = scratch.path + "/mynull"
        guard mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0 else { throw XCTSkip("mknod: \(String(cString: strerror(errno)))") }
        let run = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", node] + quickRun)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(type(node), .typeCharacterSpecial, "the device was replaced")
        let input = try json(scratch)
        let compared = try Binary.run(["compare", input, input, "--svg", node])
        XCTAssertEqual(compared.status, 0, compared.stderr)
        XCTAssertEqual(type(node), .typeCharacterSpecial)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.contains(".tmp.") }, [])
    }

    /// A FIFO with a reader is streamed into (the reader gets the JSON); one
    /// without a reader is refused up front, at once, with exit status 2.
    func testAFIFOIsStreamedIntoOrRefusedWhenNobodyReads() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = scratch.path + "/fifo", received = scratch.path + "/received"
        try mkfifo(fifo)
        let refused = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", fifo] + quickRun,
                                     killAfter: 30)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertEqual(refused.stderr, "Error: cannot write --json '\(fifo)': it is a FIFO with no reader\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/results"), "nothing is made")

        // The reader: this test, on a thread, from before the run until the run's end of file.
        let fd = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var bytes: [UInt8] = []
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let deadline = Date().addingTimeInterval(300)  // bounded even if no writer ever comes
            while Date() < deadline {
                let n = read(fd, &buffer, buffer.count)
                if n > 0 { bytes += buffer[0..<n]; continue }
                if n == 0 && !bytes.isEmpty { break }  // the writer closed it
                if n < 0 && errno != EINTR && errno != EAGAIN { break }
                Thread.sleep(forTimeInterval: 0.01)  // no writer yet: wait for it
            }
            close(fd)
            done.signal()
        }
        let run = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", fifo] + quickRun,
                                 killAfter: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        var st = stat()
        XCTAssertEqual(lstat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO was replaced")
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.contains("\"schema\""), text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: received))
    }

    /// A link at an output path: one to a regular file is refused up front (it is
    /// neither written through nor replaced); /dev/stdout on a pipe is written through.
    func testALinkIsRefusedOrWrittenThroughNeverReplaced() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let victim = scratch.path + "/victim", link = scratch.path + "/link.json"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let run = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", link] + quickRun)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertEqual(run.stderrLines.count, 1, run.stderr)
        XCTAssertTrue(run.stderr.hasPrefix("Error: cannot write --json '\(link)': it is a symbolic link to a regular file"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/results"), "nothing measured, nothing made")
        XCTAssertEqual(type(link), .typeSymbolicLink)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")

        // /dev/stdout on a pipe: the SVG comes out of the pipe; the link is still a link.
        // (A private link as /dev/stdout is, /proc/self/fd/1: the code this replaces
        // renamed over the machine's own /dev/stdout.)
        let stdout = scratch.path + "/stdout"
        try FileManager.default.createSymbolicLink(atPath: stdout, withDestinationPath: "/proc/self/fd/1")
        let input = try json(scratch)
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["compare", input, input, "--svg", stdout]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        Binary.watchdog(process)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(text.contains("<svg"), text)
        XCTAssertEqual(type(stdout), .typeSymbolicLink)
    }

    /// `--opt=` is refused as `--opt ''` is; a name longer than a file system
    /// takes is refused up front; a refused run makes no directory.
    func testEmptyAndOverlongValuesAreRefusedBeforeAnythingIsMade() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let long = String(repeating: "j", count: 245)
        let cases: [([String], String)] = [
            (["run", "null-call", "--results-dir="], "The value for '--results-dir <dir>' must not be empty"),
            (["run", "null-call", "--json="], "The value for '--json <file>' must not be empty"),
            (["run", "null-call", "--switch-on=", "--switch-off="], "The value for '--switch-on <command>' must not be empty"),
            (["compare", "a", "b", "--svg="], "The value for '--svg <file>' must not be empty"),
            (["crosscheck", "--lmbench-bin", "/", "--json="], "The value for '--json <file>' must not be empty"),
            (["run", "null-call", "--json", scratch.path + "/" + long],
             "cannot write --json '\(scratch.path)/\(long)': its name is 245 bytes: at most 243"),
            (["run", "null-call", "--results-dir", scratch.path + "/" + String(repeating: "r", count: 300)],
             "results directory '\(scratch.path)/\(String(repeating: "r", count: 300))' cannot be written: the name 'rrrrrrrrrrrrrrrrrrrr…' is 300 bytes"),
        ]
        for (arguments, message) in cases {
            let result = try Binary.run(arguments + ["--results-dir", scratch.path + "/results"].suffix(arguments.contains { $0.hasPrefix("--results-dir") } || arguments[0] != "run" ? 0 : 2),
                                        directory: scratch.path)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("Error: " + message), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "nothing is made")

        // A run refused after parsing (its switch cannot be flipped) makes no results/<os>/ either.
        let refused = try Binary.run(["run", "null-call", "--switch", "command:false:true", "--results-dir", scratch.path + "/results"]
                                     + quickRun)
        XCTAssertEqual(refused.status, 2, refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/results"), "an empty results directory is made")
    }

    /// Inputs: only regular files, at most 32 MiB; /dev/zero, a FIFO (also in a
    /// compared directory) and a larger file are refused at once, one line, exit 2.
    func testInputsAreBoundedRegularFiles() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fifo = scratch.path + "/fifo", big = scratch.path + "/big.0"
        try mkfifo(fifo)
        FileManager.default.createFile(atPath: big, contents: nil)
        XCTAssertEqual(truncate(big, (32 << 20) + 1), 0)  // sparse
        let cases: [([String], String)] = [
            (["summary", "/dev/zero"], "Error: '/dev/zero': is a character device, not a regular file: only regular files are read"),
            (["compare", "/dev/zero", "/dev/zero"], "Error: '/dev/zero': is a character device, not a regular file"),
            (["compare", "/dev/urandom"], "Error: '/dev/urandom': is a character device, not a regular file"),
            (["summary", fifo], "Error: '\(fifo)': is a FIFO or a pipe, not a regular file"),
            (["compare", fifo, fifo], "Error: '\(fifo)': is a FIFO or a pipe, not a regular file"),
            (["summary", big], "Error: '\(big)': is larger than the 32 MiB an input may be"),
        ]
        for (arguments, message) in cases {
            let result = try Binary.run(arguments, killAfter: 30)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
        }
        // /dev/stdin on a pipe that never ends.
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["summary", "/dev/stdin"]
        let input = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Binary.watchdog(process)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 2, stderr)
        XCTAssertTrue(stderr.contains("is a FIFO or a pipe"), stderr)

        // A FIFO inside a compared directory is skipped, not read.
        let dir = scratch.path + "/runs"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let one = try json(scratch)
        try FileManager.default.copyItem(atPath: one, toPath: dir + "/a.json")
        try mkfifo(dir + "/zz-fifo")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop", withDestinationPath: ".")
        let compared = try Binary.run(["compare", dir, one], killAfter: 60)
        XCTAssertEqual(compared.status, 0, compared.stderr)
        XCTAssertTrue(compared.stdout.contains("null call"), compared.stdout)
    }
}

/// Issue 21, item 4: a full file system loses only what it cannot hold. The JSON
/// is written first (it holds everything), every output that can be written is,
/// and those that cannot are named, one line each, exit status 1.
final class FullFileSystemTests: XCTestCase {
    /// A full 64 KiB tmpfs at `path` (nil where mount is not allowed).
    func fullFileSystem(at path: String) throws -> Bool {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", path]
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return false }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return false }
        try FileManager.default.createDirectory(atPath: path + "/results", withIntermediateDirectories: true)
        let fd = open(path + "/filler", O_WRONLY | O_CREAT, 0o644)
        let block = [UInt8](repeating: 1, count: 4096)
        while write(fd, block, block.count) > 0 {}
        close(fd)
        return true
    }

    func unmount(_ path: String) {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        try? umount.run()
        umount.waitUntilExit()
    }

    func testAFullResultsFileSystemStillGetsTheJSON() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let full = scratch.path + "/full"
        guard try fullFileSystem(at: full) else { throw XCTSkip("cannot mount a tmpfs here (not root?)") }
        defer { unmount(full) }
        let json = scratch.path + "/run.json"
        let plain = try Binary.run(["run", "null-call", "--results-dir", full + "/results", "--json", json] + quickRun)
        XCTAssertEqual(plain.status, 1, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("Error: cannot write the results file in '\(full)/results': "), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("No space left on device"), plain.stderr)
        XCTAssertNotNil(try RunFile(path: json).value("null-call"), "the JSON is written")
        XCTAssertTrue(plain.stdout.contains("Processor, Processes"), "the summary is still printed")

        // An A/B run: both sides' results files named, the JSON with both written.
        let state = scratch.path + "/state", abJSON = scratch.path + "/ab.json"
        let ab = try Binary.run(["run", "null-call", "--results-dir", full + "/results", "--json", abJSON,
                                 "--switch-on", "echo on > '\(state)'", "--switch-off", "echo off > '\(state)'"] + quickRun)
        XCTAssertEqual(ab.status, 1, ab.stderr)
        XCTAssertTrue(ab.stderr.contains("Error: cannot write the results file (off) in '\(full)/results': "), ab.stderr)
        XCTAssertTrue(ab.stderr.contains("Error: cannot write the results file (on) in '\(full)/results': "), ab.stderr)
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: abJSON))) as? [String: Any])
        XCTAssertEqual(record["schema"] as? String, "lmbench-swift.ab/1")

        // The JSON on the full one: the results file is still written, the JSON named.
        let other = try Binary.run(["run", "null-call", "--results-dir", scratch.path + "/results", "--json", full + "/run.json"] + quickRun)
        XCTAssertEqual(other.status, 1, other.stderr)
        XCTAssertTrue(other.stderr.contains("Error: cannot write the JSON '\(full)/run.json': "), other.stderr)
        XCTAssertEqual(scratch.files(under: "results").count, 1, "the results file is written")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: full).sorted(), ["filler", "results"], "no temporary file is left")
    }
}

extension OutputAndInputPathTests {
    /// An output never replaces an input: `compare X Y --svg X` and `--json`
    /// naming an LMBench results file are refused before any work (issue 21).
    func testOutputsNeverReplaceInputs() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BenchTests/Fixtures/lmbench/results/x86_64-linux-gnu")
        let results = scratch.path + "/vm.0", run = scratch.path + "/run.json"
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("vm.0").path, toPath: results)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("vm.1").path, toPath: scratch.path + "/vm.1")
        try #"{"schema": "lmbench-swift.run/1"}"#.write(toFile: run, atomically: false, encoding: .utf8)
        let before = try [results, run].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let cases: [([String], String)] = [
            (["compare", results, scratch.path + "/vm.1", "--svg", results],
             "cannot write --svg '\(results)': it is an LMBench results file, which this would replace"),
            (["compare", results, scratch.path + "/vm.1", "--svg", run],
             "cannot write --svg '\(run)': it is a JSON file (a run, an input), which this would replace"),
            (["run", "null-call", "--json", results, "--results-dir", scratch.path + "/results"],
             "cannot write --json '\(results)': it is an LMBench results file, which this would replace"),
            (["crosscheck", "--lmbench-bin", scratch.path, "null-call", "--json", results],
             "cannot write --json '\(results)': it is an LMBench results file, which this would replace"),
        ]
        for (arguments, message) in cases {
            let result = try Binary.run(arguments, killAfter: 60)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stderrLines.count, 1, result.stderr)
            XCTAssertTrue(result.stderr.hasPrefix("Error: " + message), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try [results, run].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/results"))
    }
}
