import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

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
        try handle.truncate(atOffset: (1 << 24) + 4096)  // sparse: cheap to make and to read
        try handle.seekToEnd()
        handle.write(Data("[end]\n".utf8))
        try handle.close()
        let bytes = try ResultsReader.contents(of: big)
        XCTAssertEqual(bytes.count, (1 << 24) + 4096 + 6)
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

        let path = try ResultsFile.write([run], directory: dir)[0].get()
        XCTAssertEqual(path, osDir + "/\(run.environment.nodename).1", "a taken name, a link included, means the next number")
        XCTAssertFalse(isSymlink(path))
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("[lmbench3.0 results for"))
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "precious too\n")
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o077 & ~0o044, 0, "readable by others at most, as the umask allows")
    }

    /// The JSON (and every file written with writeFileAtomically): a link at the
    /// old temporary name is left alone, and a link at the path itself is neither
    /// written through nor replaced: refused (issue 21).
    func testAtomicWriteNeverFollowsALink() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/run.json", victim = dir + "/victim", other = dir + "/other"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try "precious too\n".write(toFile: other, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path + ".tmp.\(getpid())", withDestinationPath: victim)
        try Sys.writeFileAtomically(path, "{}\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{}\n")
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")

        let link = dir + "/link.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: other)
        XCTAssertThrowsError(try Sys.writeFileAtomically(link, "{}\n")) { error in
            XCTAssertTrue("\(error)".contains("it is a symbolic link to a regular file"), "\(error)")
        }
        XCTAssertTrue(isSymlink(link), "the link was renamed over")
        XCTAssertEqual(try String(contentsOfFile: other, encoding: .utf8), "precious too\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") && !$0.hasSuffix(".tmp.\(getpid())") }
        XCTAssertEqual(left, [], "no temporary file is left")
    }

    /// Issue 21: a device node, a FIFO with a reader and a link to a device are
    /// written through, never renamed over; a FIFO without a reader, a block
    /// device, a socket and a dangling link are refused.
    func testAtomicWriteStreamsIntoDevicesAndFIFOs() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func kind(_ path: String) -> mode_t {
            var st = stat()
            return lstat(path, &st) == 0 ? st.st_mode & S_IFMT : 0
        }
        if getuid() == 0 {
            let node = dir + "/mynull"
            XCTAssertEqual(mknod(node, S_IFCHR | 0o666, dev_t((1 << 8) | 3)), 0)
            try Sys.writeFileAtomically(node, "{}\n")
            XCTAssertEqual(kind(node), S_IFCHR, "the device was replaced")
        }
        let devnull = dir + "/devnull"
        try FileManager.default.createSymbolicLink(atPath: devnull, withDestinationPath: "/dev/null")
        try Sys.writeFileAtomically(devnull, "{}\n")
        XCTAssertEqual(kind(devnull), S_IFLNK)
        XCTAssertEqual(kind("/dev/null"), S_IFCHR)

        let fifo = dir + "/fifo"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try Sys.writeFileAtomically(fifo, "{}\n")) { error in
            XCTAssertEqual("\(error)", "cannot write '\(fifo)': it is a FIFO with no reader")
        }
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        XCTAssertGreaterThanOrEqual(reader, 0)
        defer { close(reader) }
        try Sys.writeFileAtomically(fifo, "{}\n")
        var buffer = [UInt8](repeating: 0, count: 16)
        XCTAssertEqual(read(reader, &buffer, 16), 3)
        XCTAssertEqual(Array(buffer[0..<3]), Array("{}\n".utf8))
        XCTAssertEqual(kind(fifo), S_IFIFO, "the FIFO was replaced")

        let dangling = dir + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: dir + "/nothing")
        XCTAssertThrowsError(try Sys.writeFileAtomically(dangling, "{}\n"))
        XCTAssertEqual(kind(dangling), S_IFLNK)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/nothing"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp.") }, [])
    }
}
