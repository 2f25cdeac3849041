import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// getsummary's output, byte for byte, for the genuine LMBench fixtures.
final class SummaryTests: XCTestCase {
    func file(_ name: String) throws -> Summary.File {
        // Named as getsummary saw them: run from inside results/ with "x86_64-linux-gnu/vm.0".
        Summary.File(path: "x86_64-linux-gnu/\(name)", contents: try Fixtures.bytes("results/x86_64-linux-gnu/\(name)"))
    }

    func testOneFileMatchesGetsummary() throws {
        XCTAssertEqual(Summary.render([try file("vm.0")]), try Fixtures.text("summary-vm.0.txt"))
    }

    func testTwoFilesMatchGetsummary() throws {
        XCTAssertEqual(Summary.render([try file("vm.0"), try file("vm.1")]), try Fixtures.text("summary-vm.0-vm.1.txt"))
    }

    func testRowNamesComeFromThePath() throws {
        let contents = try Fixtures.bytes("results/x86_64-linux-gnu/vm.0")
        let text = Summary.render([Summary.File(path: "a/b/myhost.12", contents: contents)])
        XCTAssertTrue(text.contains("\nmyhost    Linux 6.18.44                       b 3200"), text)
    }

    /// A host name or kernel release with control characters (a JSON's
    /// nodename, a results file's uname line) is shown escaped, not obeyed.
    func testControlCharactersInHostAndOSAreEscaped() throws {
        let text = try Fixtures.text("results/x86_64-linux-gnu/vm.0").replacingOccurrences(of: "6.18.44", with: "6.\u{1b}[2J")
        let summary = Summary.render([Summary.File(path: "a/b/my\u{1b}]0;x.12", contents: Array(text.utf8))])
        XCTAssertFalse(summary.unicodeScalars.contains { $0.value == 0x1b }, summary)
        XCTAssertTrue(summary.contains("\nmy\\u{1b}] Linux 6.\\u{1b "), summary)
    }

    /// A `[mount:` header with "size=16…" swallows the rest of an LMBench file
    /// (getsummary's hazard, kept for its own files) ...
    func testSizeTriggerHazardIsKeptForLMBenchFiles() throws {
        var text = try Fixtures.text("results/x86_64-linux-gnu/vm.0")
        text = text.replacingOccurrences(of: "[OS: x86_64-linux-gnu]\n", with: "[OS: x86_64-linux-gnu]\n[mount: tmpfs on /run type tmpfs (rw,size=16384k)]\n")
        let summary = Summary.render([Summary.File(path: "x/vm.0", contents: Array(text.utf8))])
        XCTAssertFalse(summary.contains("Processor, Processes"), "the block swallowed the results, as getsummary does")
    }

    /// ... but not for ours: there only a line starting "size=<K>k starts a block,
    /// and a line seen twice counts once.
    func testOurFilesAreReadWithoutTheHazards() throws {
        var text = try Fixtures.text("results/x86_64-linux-gnu/vm.0")
        text = text.replacingOccurrences(of: "[LMBENCH_VER: ]\n", with: "[TOOL: lmbench-swift 0.1.0, test]\n[X: size=16384k]\n")
        text = text.replacingOccurrences(of: "Simple syscall: 0.2701 microseconds\n",
                                         with: "Simple syscall: 0.2701 microseconds\nSimple syscall: 9.9 microseconds\n")
        let ours = Summary.render([Summary.File(path: "x86_64-linux-gnu/vm.0", contents: Array(text.utf8))])
        XCTAssertEqual(ours, try Fixtures.text("summary-vm.0.txt"))
    }

    func testMissingValuesAreBlank() throws {
        let text = "[lmbench3.0 results for Linux h 5.10.0 #1 SMP x86_64 GNU/Linux]\n[MHZ: 1000 MHz, 1.0 nanosec clock]\nSimple syscall: 0.5000 microseconds\n"
        let summary = Summary.render([Summary.File(path: "os/h.0", contents: Array(text.utf8))])
        let row = "h" + String(repeating: " ", count: 10) + "Linux 5.10.0 1000 0.50" + String(repeating: " ", count: 45) + "\n"
        XCTAssertTrue(summary.contains(row), summary)
        XCTAssertFalse(summary.contains("Context switching"))
    }

    func testNumberFormattingQuirks() {
        func num(_ v: String, _ w: Int) -> String { SummaryNumbers.num(.string(v), w) }
        XCTAssertEqual(num("11000", 4), "11.K")
        XCTAssertEqual(num("101.3", 4), "101.")
        XCTAssertEqual(num("99999", 4), "100K")
        XCTAssertEqual(num("1234567", 4), "123K")
        XCTAssertEqual(num("12345678", 4), "12.M")
        XCTAssertEqual(num("9.99", 4), "9.99")
        XCTAssertEqual(num("9.999", 4), "10.00")  // cut to 4 by the caller's %4.4s
        XCTAssertEqual(num("0.0123", 4), "0.01")
        XCTAssertEqual(num("0.2745", 4), "0.27")
        XCTAssertEqual(SummaryNumbers.num(.number((0.3283 + 0.3042) / 2), 4), "0.32")
        XCTAssertEqual(num("27.5", 5), " 27.5")
        XCTAssertEqual(num("3343.14", 6), "3343.1")
        XCTAssertEqual(num("14587.2", 6), " 14.6K")
        XCTAssertEqual(num("99161", 7), "  99.2K")
        XCTAssertEqual(num("0.0005", 6), " 5e-04")
        XCTAssertEqual(num("0.0005", 7), "5.0e-04")
        XCTAssertEqual(num("0.0005", 4), "%4.-2e")
        XCTAssertEqual(num("-1", 4), "    ")
        XCTAssertEqual(num("1e-05", 4), "    ")
        XCTAssertEqual(num("", 4), "    ")
        XCTAssertEqual(SummaryNumbers.inum(.string("3200"), 4), "3200")
        XCTAssertEqual(SummaryNumbers.inum(.string("64"), 5), "   64")
    }

    func testPerlNumericConversion() {
        XCTAssertEqual(PerlValue.numericPrefix("1027.0000"), 1027)
        XCTAssertEqual(PerlValue.numericPrefix("  12abc"), 12)
        XCTAssertEqual(PerlValue.numericPrefix("abc"), 0)
        XCTAssertEqual(PerlValue.numericPrefix("-1"), -1)
        XCTAssertEqual(PerlValue.numericPrefix("1e3x"), 1000)
        XCTAssertEqual(PerlValue.numericPrefix(".5"), 0.5)
        XCTAssertEqual(PerlValue.stringify(0.31145), "0.31145")
    }
}
