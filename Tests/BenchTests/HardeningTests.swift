import Foundation
import XCTest
@testable import Bench

/// What a hostile or careless user can do to the files we write.
final class HardeningTests: XCTestCase {
    func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "lmbench-swift-hardening-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    /// Inputs are read whole, however large (the readers stopped at 64 MiB), and
    /// a file that cannot be read says why, in one line.
    func testInputsAreReadWholeOrRefusedWithTheReason() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = dir + "/big.0"
        FileManager.default.createFile(atPath: big, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: (1 << 26) + 4096)  // sparse: cheap to make and to read
        try handle.seekToEnd()
        handle.write(Data("[end]\n".utf8))
        try handle.close()
        let bytes = try ResultsReader.contents(of: big)
        XCTAssertEqual(bytes.count, (1 << 26) + 4096 + 6)
        XCTAssertEqual(Array(bytes.suffix(6)), Array("[end]\n".utf8))

        func reason(_ path: String) -> String {
            do { _ = try ResultsReader.contents(of: path); return "read" } catch { return "\(error)" }
        }
        XCTAssertEqual(reason(dir + "/missing"), "'\(dir)/missing': no such file")
        XCTAssertEqual(reason(dir), "'\(dir)': is a directory, not a results file or a JSON run")
    }

    /// Links planted at the temporary name the old code used (`.<host>.tmp.<pid>`)
    /// and at the first results name: neither target is written, and the results
    /// file is a regular file of its own.
    func testResultsFileIsNeverWrittenThroughAPlantedLink() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = SampleRun.make()
        let osDir = dir + "/" + run.environment.osTriplet
        try FileManager.default.createDirectory(atPath: osDir, withIntermediateDirectories: true)
        let victim = dir + "/victim", other = dir + "/other"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try "precious too\n".write(toFile: other, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: osDir + "/.\(run.environment.nodename).tmp.\(getpid())", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: osDir + "/\(run.environment.nodename).0", withDestinationPath: other)

        let path = try ResultsFile.write(run, directory: dir)
        XCTAssertEqual(path, osDir + "/\(run.environment.nodename).1", "a taken name, a link included, means the next number")
        XCTAssertFalse(isSymlink(path))
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("[lmbench3.0 results for"))
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "precious too\n")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077 & ~0o044, 0, "readable by others at most, as the umask allows")
    }

    /// The JSON (and every file written with writeFileAtomically): a link at the
    /// old temporary name is left alone, and a link at the path itself is
    /// replaced by the file, not written through.
    func testAtomicWriteNeverFollowsALink() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/run.json", victim = dir + "/victim", other = dir + "/other"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try "precious too\n".write(toFile: other, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path + ".tmp.\(getpid())", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: other)

        try Sys.writeFileAtomically(path, "{}\n")
        XCTAssertFalse(isSymlink(path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{}\n")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "precious too\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".run.json.tmp.") }
        XCTAssertEqual(left, [], "no temporary file is left")
    }
}
