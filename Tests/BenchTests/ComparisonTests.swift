import Foundation
import FoundationXML
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class ComparisonTests: XCTestCase {
    func fixtureRuns(_ name: String) throws -> [MeasuredRun] {
        try MeasuredRun.load([Fixtures.directory.appendingPathComponent("results/x86_64-linux-gnu/\(name)").path])
    }

    /// LMBench's own files: every cell both have, with its factor; no interval from one run each.
    func testGenuineLMBenchFilesCompare() throws {
        let c = Comparison(baseline: try fixtureRuns("vm.0"), candidate: try fixtureRuns("vm.1"))
        XCTAssertEqual(c.compared.count, SummaryMetric.all.count - 1, "vm.1 has no protection fault")
        let nullCall = try XCTUnwrap(c.rows.first { $0.metric.label == "null call" })
        XCTAssertEqual(try XCTUnwrap(nullCall.slowdown), 0.1899 / 0.2701, accuracy: 1e-9)
        XCTAssertNil(nullCall.interval)
        XCTAssertTrue(nullCall.flags.contains(.noInterval))
        let pipe = try XCTUnwrap(c.rows.first { $0.metric.table == .bandwidth && $0.metric.label == "Pipe" })
        XCTAssertEqual(try XCTUnwrap(pipe.slowdown), 2719.38 / 903.43, accuracy: 1e-3, "bandwidth: baseline / candidate")
        let prot = try XCTUnwrap(c.rows.first { $0.metric.label == "Prot Fault" })
        XCTAssertNotNil(prot.baseline)
        XCTAssertNil(prot.candidate, "listed, not dropped")
        XCTAssertEqual(c.tables.count, 5)
    }

    /// Several LMBench runs per side: the spread across runs gives an interval.
    func testSeveralLMBenchRunsGiveAnInterval() throws {
        let both = try fixtureRuns("vm.0") + fixtureRuns("vm.1")
        let c = Comparison(baseline: both, candidate: both)
        for row in c.compared {
            if row.metric.label == "Prot Fault" {
                XCTAssertNil(row.interval, "only vm.0 has it: one run per side, no interval")
                continue
            }
            let interval = try XCTUnwrap(row.interval, row.metric.label)
            XCTAssertLessThanOrEqual(interval.low, 1.0001, row.metric.label)
            XCTAssertGreaterThanOrEqual(interval.high, 0.9999, row.metric.label)
            XCTAssertEqual(row.significant, false)
        }
    }

    func testMarkdownHasEveryComparedCell() throws {
        let c = Comparison(baseline: try fixtureRuns("vm.0"), candidate: try fixtureRuns("vm.1"))
        let markdown = ComparisonFormat.markdown.render(c)
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| cell") && !$0.contains("geometric mean") }
        XCTAssertEqual(rows.count, c.compared.count)
        XCTAssertTrue(markdown.contains("| null call | 0.2701 | 0.1899 | 0.703 |"))
        XCTAssertTrue(markdown.contains("Only in the baseline: File & VM system latencies: Prot Fault"))
        let csv = ComparisonFormat.csv.render(c).split(separator: "\n")
        XCTAssertEqual(csv.filter { !$0.hasPrefix("note,") && !$0.hasPrefix("warning,") && !$0.contains(",geometric mean,") }.count,
                       c.rows.count + 1)
        XCTAssertEqual(csv.filter { $0.contains(",geometric mean,") }.count, c.tables.count + 1)
        XCTAssertTrue(ComparisonFormat.latex.render(c).contains("\\begin{tabular}"))
        let json = try JSON.parse(ComparisonFormat.json.render(c))
        XCTAssertEqual(json["schema"]?.stringValue, "lmbench-swift.compare/1")
        XCTAssertEqual(json["tables"]?.arrayValue?.count, 5)
    }

    func testSVGIsXMLWithOneBarPerCell() throws {
        let c = Comparison(baseline: try fixtureRuns("vm.0"), candidate: try fixtureRuns("vm.1"))
        let svg = ComparisonSVG.render(c)
        final class Counter: NSObject, XMLParserDelegate {
            var bars = 0, root = ""
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String] = [:]) {
                if root.isEmpty { root = name }
                if name == "rect", attributes["class"] == "bar" { bars += 1 }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = Counter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        XCTAssertEqual(counter.root, "svg")
        XCTAssertEqual(counter.bars, c.compared.count)
    }

    func testEnvironmentDifferencesAreWarnings() throws {
        let text = try Fixtures.text("results/x86_64-linux-gnu/vm.0")
        let other = text.replacingOccurrences(of: "[RELEASE: 6.18.44-fc-v595]", with: "[RELEASE: 6.1.0-test]")
        let a = MeasuredRun.fromResultsFile(Array(text.utf8), source: "a")
        let b = MeasuredRun.fromResultsFile(Array(other.utf8), source: "b")
        let c = Comparison(baseline: [a], candidate: [b])
        XCTAssertTrue(c.warnings.contains("the sides differ in kernel release: 6.18.44-fc-v595 (baseline) vs 6.1.0-test (candidate)"),
                      "\(c.warnings)")
    }

    /// A file's kernel release and CPU model reach the terminal and the CSV with
    /// their control characters escaped (they were printed raw); the JSON keeps them.
    func testControlCharactersFromAFileAreEscaped() throws {
        let text = try Fixtures.text("results/x86_64-linux-gnu/vm.0")
        let other = text.replacingOccurrences(of: "[RELEASE: 6.18.44-fc-v595]", with: "[RELEASE: 6.1\u{1b}]0;pwned\u{7}\u{9b}2J]")
        let c = Comparison(baseline: [MeasuredRun.fromResultsFile(Array(text.utf8), source: "a")],
                           candidate: [MeasuredRun.fromResultsFile(Array(other.utf8), source: "b\u{1b}[2J")])
        for format in [ComparisonFormat.text, .markdown, .csv, .latex] {
            let out = format.render(c)
            XCTAssertFalse(out.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) }, "\(format)")
            XCTAssertTrue(out.contains(format == .latex ? "6.1\\textbackslash{}u\\{1b\\}" : "6.1\\u{1b}]0;pwned\\u{7}\\u{9b}2J"), "\(format): \(out)")
        }
        XCTAssertTrue(ComparisonFormat.json.render(c).contains("6.1\\u001b]0;pwned\\u0007"), "the JSON escapes them as JSON")
    }

    /// Huge values print in a bounded width in every table (1e300 was 301 digits).
    func testHugeNumbersPrintShort() {
        XCTAssertEqual(ComparisonRendering.value(1e300), "1e+300")
        XCTAssertEqual(ComparisonRendering.value(123456.7), "123457")
        XCTAssertEqual(ComparisonRendering.factor(1e300), "1e+300")
        XCTAssertEqual(ComparisonRendering.factor(1.23456), "1.235")
        XCTAssertEqual(ComparisonRendering.interval((0.5, 2e20)), "[0.500, 2e+20]")
        XCTAssertEqual(ComparisonRendering.latexValue(-1e300), "-1e+300")
        XCTAssertEqual(printable("plain"), "plain")
        XCTAssertEqual(printable("a\tb\nc\u{7f}"), "a\\u{9}b\\u{a}c\\u{7f}")
    }

    /// A/A: recorded runs of one kernel on one machine, taken one after the other
    /// (run 1, 2, 3, 4; baseline 1 and 3, candidate 2 and 4).
    func aaRuns(_ names: [String]) throws -> [MeasuredRun] {
        try MeasuredRun.load(names.map { Fixtures.runs.appendingPathComponent("aa/\($0)").path })
    }

    /// An A/A comparison flags nothing: no cell and no table's geometric mean is
    /// significant (its interval reaches into 1 ± the noise margin).
    func assertSameKernel(_ c: Comparison, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertGreaterThanOrEqual(c.compared.count, 20, file: file, line: line)
        for row in c.compared {
            XCTAssertNotEqual(row.significant, true, "\(row.metric.label): \(String(describing: row.slowdown)) "
                              + "\(String(describing: row.interval))", file: file, line: line)
        }
        for table in c.tables {
            let interval = try XCTUnwrap(table.interval, "\(table.table)", file: file, line: line)
            XCTAssertFalse(Comparison.isSignificant(interval), "\(table.table): \(interval)", file: file, line: line)
        }
    }

    func testAAOneRunPerSide() throws {
        let c = Comparison(baseline: try aaRuns(["run1.json"]), candidate: try aaRuns(["run2.json"]))
        try assertSameKernel(c)
        XCTAssertEqual(c.notes.count, 1, "one run per side: the intervals do not cover run-to-run variation")
    }

    func testAASeveralRunsPerSide() throws {
        let c = Comparison(baseline: try aaRuns(["run1.json", "run3.json"]), candidate: try aaRuns(["run2.json", "run4.json"]))
        try assertSameKernel(c)
        XCTAssertEqual(c.notes, [])
        XCTAssertEqual(c.compared.first?.baseline?.runs, 2)
    }

    func testSuspiciousCellsAreFlagged() throws {
        let base = SampleRun.latency("sig-catch", 3.0), slow = SampleRun.latency("sig-catch", 2.0)
        func run(_ cell: Cell, _ name: String) -> MeasuredRun {
            var result = SampleRun.make()
            result.outcomes = [BenchmarkOutcome(id: cell.id, cells: [cell])]
            return MeasuredRun.fromJSON(result, source: name)
        }
        let c = Comparison(baseline: [run(base, "a")], candidate: [run(slow, "b")])
        let row = try XCTUnwrap(c.rows.first { $0.metric.label == "sig hndl" })
        XCTAssertEqual(row.significant, true)
        XCTAssertEqual(row.flags.first, .fasterDifference, "\(row.flags)")
    }
}
