import Foundation
import XCTest

/// `run bandwidth`: every column of the bandwidth table filled, every block of
/// LMBench's results file present with LMBench's line formats.
final class BandwidthRunTests: XCTestCase {
    func testBandwidthRun() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let result = try Binary.run(["run", "bandwidth", "--mb", "4", "--results-dir", scratch.path + "/results",
                                     "--json", scratch.path + "/run.json", "--fsdir", scratch.path + "/fs"] + quickRun)
        XCTAssertEqual(result.status, 0, result.stderr)
        let row = try SummaryRow(summary: result.stdout, table: "*Local* Communication bandwidths")
        let cells = row.cells(widths: [4, 4, 4, 6, 6, 6, 6, 4, 5])
        XCTAssertEqual(cells.count, 9, row.text)
        for (i, cell) in cells.enumerated() {
            XCTAssertFalse(cell.trimmingCharacters(in: .whitespaces).isEmpty, "column \(i + 1) blank: '\(row.text)'")
        }
        let file = try String(contentsOfFile: scratch.path + "/results/" + scratch.files(under: "results")[0], encoding: .utf8)
        let lines = file.components(separatedBy: "\n")
        for title in ["Socket bandwidth using localhost", "\"read bandwidth", "\"read open2close bandwidth",
                      "\"Mmap read bandwidth", "\"Mmap read open2close bandwidth", "\"libc bcopy unaligned",
                      "\"libc bcopy aligned", "Memory bzero bandwidth", "\"unrolled bcopy unaligned",
                      "\"unrolled partial bcopy unaligned", "Memory read bandwidth", "Memory partial read bandwidth",
                      "Memory write bandwidth", "Memory partial write bandwidth", "Memory partial read/write bandwidth"] {
            let index = try XCTUnwrap(lines.firstIndex(of: title), "no block \(title)")
            XCTAssertTrue(lines[index + 1].first?.isNumber ?? false, "\(title) has no line")
        }
        // "%.6f" below 1 MB, "%.2f" above; the last ALL size is --mb MiB.
        let read = try XCTUnwrap(lines.firstIndex(of: "\"read bandwidth"))
        XCTAssertTrue(lines[read + 1].hasPrefix("0.000512 "), lines[read + 1])
        XCTAssertTrue(lines[read + 14].hasPrefix("4.19 "), lines[read + 14])
        XCTAssertTrue(lines.contains { $0.hasPrefix("10.485760 ") && $0.hasSuffix(" MB/sec") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("Pipe bandwidth: ") && $0.hasSuffix(" MB/sec") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("AF_UNIX sock stream bandwidth: ") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("File ") && $0.hasSuffix(" KB/sec") })
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: scratch.path + "/fs")) ?? ["?"], [])
    }
}
