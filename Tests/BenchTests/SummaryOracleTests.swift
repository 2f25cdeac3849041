import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// `summary` reads what getsummary reads and prints what it prints, also for files
/// that are not quite LMBench's (Fixtures/getsummary: getsummary's own output for
/// each mutation of vm.0, made outside this repository).
final class SummaryOracleTests: XCTestCase {
    static let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/getsummary")

    func mutated(_ name: String) throws -> [UInt8] {
        let vm0 = try Fixtures.text("results/x86_64-linux-gnu/vm.0")
        var lines = vm0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func replace(_ prefix: String, _ line: String) {
            for i in lines.indices where lines[i].hasPrefix(prefix) { lines[i] = line }
        }
        let huge = "1" + String(repeating: "0", count: 400)
        switch name {
        case "emptyfirst": lines.insert("", at: 0)
        case "devtty": lines.insert("scripts/lmbench: /dev/tty: No such device or address", at: 0)
        case "lmb2": lines[0] = lines[0].replacingOccurrences(of: "lmbench3.0", with: "lmbench2.0")
        case "bom": lines[0] = "\u{FEFF}" + lines[0]
        case "space": lines[0] = " " + lines[0]
        case "inf":
            replace("Simple syscall: ", "Simple syscall: \(huge) microseconds")
            replace("Pipe bandwidth: ", "Pipe bandwidth: \(huge) MB/sec")
            replace("Simple stat: ", "Simple stat: 123456789012 microseconds")
        case "bigmhz": replace("[MHZ: ", "[MHZ: 9223372036854775808 MHz, 0.0001 nanosec clock]")
        case "bigline": replace("[LINE_SIZE: ", "[LINE_SIZE: 1e25]")
        case "bigint":
            replace("[LINE_SIZE: ", "[LINE_SIZE: 92233720368547758080]")
            replace("[SYNC_MAX: ", "[SYNC_MAX: 18446744073709551616]")
        case "hello": return Array("hello\n".utf8)
        case "empty": return []
        default: XCTFail("no mutation \(name)")
        }
        return Array(lines.joined(separator: "\n").utf8)
    }

    func testSummaryMatchesGetsummaryOnEveryMutation() throws {
        // (An empty file, whose summary is getsummary's banner alone, is refused as a mistake.)
        for name in ["emptyfirst", "devtty", "lmb2", "bom", "space", "inf", "bigmhz", "bigline", "bigint", "hello"] {
            let path = "x86_64-linux-gnu/\(name).0"
            let files = try ResultsReader.summaryFiles(path: path, bytes: try mutated(name))
            let expected = try String(contentsOf: SummaryOracleTests.oracle.appendingPathComponent("\(name).txt"), encoding: .utf8)
            XCTAssertEqual(Summary.render(files), expected, name)
        }
    }
}
