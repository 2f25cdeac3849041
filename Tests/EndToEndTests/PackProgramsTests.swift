import Foundation
import XCTest

/// harness/pack-programs (what crosscheck-in-guest packs into the initramfs): a
/// small C program built here, packed with the libraries ldd names, runs in a
/// root that has nothing else.
final class PackProgramsTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../harness/pack-programs").standardized.path

    func testProgramsArePackedWithTheirLibraries() throws {
        guard try shell("command -v cc && command -v ldd").status == 0 else {
            throw XCTSkip("needs a C compiler and ldd")
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bin = scratch.path + "/bin", root = scratch.path + "/root"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try """
            #include <math.h>
            #include <stdio.h>
            int main(int argc, char **argv) { printf("sqrt %.1f\\n", sqrt((double)argc * 16.0)); return 0; }
            """.write(toFile: scratch.path + "/probe.c", atomically: true, encoding: .utf8)
        let built = try shell("cc -O -o '\(bin)/probe' '\(scratch.path)/probe.c' -lm -Wl,--no-as-needed 2>&1")
        XCTAssertEqual(built.status, 0, built.output)
        try "data, not a program\n".write(toFile: bin + "/notes.txt", atomically: true, encoding: .utf8)

        let packed = try shell("'\(PackProgramsTests.script)' '\(bin)' '\(root)'")
        XCTAssertEqual(packed.status, 0, packed.output)
        let libraries = packed.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(libraries.contains { $0.hasSuffix("/libc.so.6") }, packed.output)
        XCTAssertTrue(libraries.contains { $0.contains("/libm.so") }, packed.output)
        XCTAssertTrue(libraries.contains { $0.contains("ld-linux") }, "the loader: \(packed.output)")
        for library in libraries {
            var isDirectory: ObjCBool = false
            XCTAssertTrue(FileManager.default.fileExists(atPath: root + library, isDirectory: &isDirectory) && !isDirectory.boolValue,
                          library)
            let attributes = try FileManager.default.attributesOfItem(atPath: root + library)
            XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeRegular, "\(library): a file, not a link into the host")
        }
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: root + "/lmbench/probe"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/lmbench/notes.txt"), "data files come along")

        // In a root of its own (needs root for chroot), the program finds everything it needs.
        if getuid() == 0 {
            let ran = try shell("chroot '\(root)' /lmbench/probe")
            XCTAssertEqual(ran.status, 0, ran.output)
            XCTAssertEqual(ran.output, "sqrt 4.0\n")
        }

        let bad = try shell("'\(PackProgramsTests.script)' /nonexistent '\(root)'")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.output.hasPrefix("pack-programs: error: '/nonexistent' is not a directory"), bad.output)
    }
}
