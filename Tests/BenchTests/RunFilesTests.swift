import CShims
import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// The run directory is found from its descriptor, and only what a run made is removed.
final class RunFilesTests: XCTestCase {
    func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "lmbench-swift-runfiles-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/fs", withIntermediateDirectories: true)
        return path
    }

    func write(_ text: String, _ path: String, mode: Int = 0o644) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// Someone renames the run directory after it was made and plants a `hello`
    /// of their own at its path: exec and sh still run ours, and the clean-up
    /// empties the renamed directory and leaves what was planted alone.
    func testARenamedRunDirectoryStillRunsOurHelloAndRemovesOnlyWhatItMade() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let files = try RunFiles.create(fsdir: scratch + "/fs", progress: ConsoleProgress(mode: .quiet))
        let moved = scratch + "/moved"
        try FileManager.default.moveItem(atPath: files.directory, toPath: moved)
        try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: false)
        let ran = scratch + "/planted-ran"
        for name in ["hello", "hello-static"] {
            try write("#!/bin/sh\ntouch '\(ran)'\n", files.directory + "/" + name, mode: 0o755)
        }

        XCTAssertTrue(ProcessCreation.helloRuns("./hello", in: files, loop: cshims_loop_fork_exec))
        XCTAssertTrue(ProcessCreation.helloRuns("./hello", in: files, loop: cshims_loop_fork_shell))
        XCTAssertFalse(FileManager.default.fileExists(atPath: ran), "the planted hello ran")

        files.remove()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: moved), [], "what the run made is removed where it went")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: files.directory).sorted(), ["hello", "hello-static"],
                       "what was planted is left alone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: files.statFile))
    }

    /// Only a directory holding our marker in `.lock`, whose lock nobody holds, is
    /// removed (with its stat file); a user's `lmbench-swift.mydata/` is not ours.
    func testOnlyAbandonedDirectoriesWithOurMarkerAreRemoved() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fsdir = scratch + "/fs"
        let lockContents = ["mydata": "", "almost": WorkDirectory.marker + "x", "abandoned": WorkDirectory.marker,
                            "held": WorkDirectory.marker]
        for (name, lock) in lockContents {
            let directory = fsdir + "/lmbench-swift." + name
            try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
            try write(lock, directory + "/.lock")
            try write("data\n", directory + "/sub/data")
            try write("", directory + "-stat")
        }
        let held = open(fsdir + "/lmbench-swift.held/.lock", O_RDONLY)
        defer { close(held) }
        XCTAssertEqual(flock(held, LOCK_EX | LOCK_NB), 0)

        let files = try RunFiles.create(fsdir: fsdir, progress: ConsoleProgress(mode: .quiet))
        let left = try FileManager.default.contentsOfDirectory(atPath: fsdir).filter { !$0.hasPrefix(URL(fileURLWithPath: files.directory).lastPathComponent) }
        XCTAssertEqual(left.sorted(), ["lmbench-swift.almost", "lmbench-swift.almost-stat", "lmbench-swift.held", "lmbench-swift.held-stat",
                                       "lmbench-swift.mydata", "lmbench-swift.mydata-stat"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: fsdir + "/lmbench-swift.mydata/sub/data"))
        XCTAssertEqual(try String(contentsOfFile: files.directory + "/.lock", encoding: .utf8), WorkDirectory.marker,
                       "a run marks its own directory")
        files.remove()
    }

    func testAnFsdirOthersCanWriteWithoutTheStickyBitIsRefused() throws {
        let scratch = try scratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let fsdir = scratch + "/fs"
        XCTAssertEqual(try WorkDirectory.checkedLocation(fsdir), fsdir)
        for (path, mode, refused) in [(fsdir, 0o777, true), (fsdir, 0o1777, false), (fsdir, 0o775, true), (scratch, 0o757, true)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path) }
            XCTAssertEqual((try? WorkDirectory.checkedLocation(fsdir)) == nil, refused, "\(path) mode \(String(mode, radix: 8))")
        }
        // Through a link, the directories of the link's path are checked too.
        try FileManager.default.createDirectory(atPath: scratch + "/open", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: scratch + "/open/link", withDestinationPath: fsdir)
        XCTAssertNotNil(try? WorkDirectory.checkedLocation(scratch + "/open/link"))
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: scratch + "/open")
        XCTAssertThrowsError(try WorkDirectory.checkedLocation(scratch + "/open/link")) {
            XCTAssertEqual("\($0)", "\(scratch)/open is writable by other users without the sticky bit (mode 0777)")
        }
    }
}
