import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchEngine
@testable import BenchReports

/// Thousands of mutated results files and run JSON files through every reader:
/// each must give a result or a one-line error naming the file, never crash.
/// (A test target of its own: `swift test --skip FuzzTests` runs the fast suite.)
final class ReaderFuzzTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../BenchTests/Fixtures").standardized

    func fixture(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: ReaderFuzzTests.fixtures.appendingPathComponent(relative)))
    }

    /// Runs `read`; an error must be the reader's own, name `path`, and be one line.
    @discardableResult
    func expectReadable<T>(_ path: String, _ read: () throws -> T) -> T? {
        do {
            return try read()
        } catch let error as ResultsReader.ReadError {
            XCTAssertEqual(error.path, path)
            XCTAssertFalse(error.message.isEmpty)
            XCTAssertFalse(error.description.contains("\n"), error.description)
            XCTAssertTrue(error.description.hasPrefix("'\(path)'"), error.description)
        } catch {
            XCTFail("\(path): not a reader's error: \(error)")
        }
        return nil
    }

    let weird = ["-1", "0", "1e308", "-1e308", "1e-320", "nan", "inf", "NaN", "99999999999999999999", ".", "1.2.3",
                 "", " ", "size=16k", "\"size=0k ovr=1", "Memory", "[lmbench3.0", "\u{0}", "\u{FFFD}", "é",
                 "9.0e15", "18446744073709551616", "true", "null", "[]", "{}"]

    func mutate(_ bytes: [UInt8], _ g: inout SplitMix64) -> [UInt8] {
        var b = bytes
        for _ in 0..<Int(g.next() % 6 + 1) {
            guard !b.isEmpty else { b = Array("[lmbench3.0".utf8); continue }
            let i = Int(g.next() % UInt64(b.count))
            switch g.next() % 7 {
            case 0: b[i] = UInt8(truncatingIfNeeded: g.next())                      // flip a byte
            case 1: b.removeSubrange(i...)                                          // truncate
            case 2: b.insert(contentsOf: Array(weird[Int(g.next() % UInt64(weird.count))].utf8), at: i)
            case 3:                                                                 // duplicate a stretch
                let end = min(b.count, i + Int(g.next() % 400))
                b.insert(contentsOf: b[i..<end], at: i)
            case 4: b.removeSubrange(i..<min(b.count, i + Int(g.next() % 200)))    // delete a stretch
            case 5: b.insert(contentsOf: (0..<Int(g.next() % 64)).map { _ in UInt8(truncatingIfNeeded: g.next()) }, at: i)
            default:                                                                // replace a number
                if let start = b[i...].firstIndex(where: { (0x30...0x39).contains($0) }) {
                    var end = start
                    while end < b.count, (0x30...0x39).contains(b[end]) || b[end] == 0x2e { end += 1 }
                    b.replaceSubrange(start..<end, with: Array(weird[Int(g.next() % UInt64(weird.count))].utf8))
                }
            }
        }
        return b
    }

    func read(_ bytes: [UInt8], _ n: Int) {
        let summaryPath = "fuzz/host.\(n)"
        if let files = expectReadable(summaryPath, { try ResultsReader.summaryFiles(path: summaryPath, bytes: bytes) }) {
            _ = Summary.render(files)
        }
        if ResultsReader.kind(of: bytes) == .resultsFile, expectReadable("f", { try ResultsReader.validateResultsFile(path: "f", bytes: bytes) }) != nil {
            let run = MeasuredRun.fromResultsFile(bytes, source: "f")
            if n % 50 == 0 { _ = ComparisonFormat.text.render(Comparison(baseline: [run], candidate: [run], resamples: 20)) }
        }
        guard ResultsReader.kind(of: bytes) == .runJSON else { return }
        if let run = expectReadable("f.json", { try ResultsReader.runJSON(path: "f.json", bytes: bytes) }) {
            _ = ResultsFile.render(run)
            let measured = MeasuredRun.fromJSON(run, source: "f.json")
            // The statistics (bootstrap) are the slow part: every 50th file goes through them.
            if n % 50 == 0 {
                _ = RunJSON.encode(run).compactText
                _ = PrecisionReport.render(run)
                let c = Comparison(baseline: [measured], candidate: [measured], resamples: 20)
                _ = ComparisonSVG.render(c)
            }
        }
    }

    func testMutatedResultsFiles() throws {
        let sources = [try fixture("lmbench/results/x86_64-linux-gnu/vm.0"), try fixture("lmbench/results/x86_64-linux-gnu/vm.1")]
        var g = SplitMix64(seed: 1)
        var accepted = 0
        for n in 0..<2000 {
            let bytes = mutate(sources[n % 2], &g)
            if expectReadable("f", { try ResultsReader.summaryFiles(path: "f", bytes: bytes) }) != nil { accepted += 1 }
            read(bytes, n)
        }
        // Both ways, or the test proves nothing: a reader refusing everything (or
        // nothing) would pass it. The reader is as lenient as getsummary: with this
        // seed 1827 of the 2000 are read through, the rest refused with a reason.
        XCTAssertGreaterThan(accepted, 1000, "too few mutated files are read through")
        XCTAssertLessThan(accepted, 1950, "too few mutated files are refused")
    }

    func testMutatedRunJSON() throws {
        let source = try fixture("runs/small.json")
        var g = SplitMix64(seed: 2)
        var decoded = 0
        for n in 0..<2000 {
            let bytes = mutate(source, &g)
            if expectReadable("f", { try ResultsReader.runJSON(path: "f", bytes: bytes) }) != nil { decoded += 1 }
            read(bytes, n)
        }
        // With this seed 59 of the 2000 stay valid JSON.
        XCTAssertGreaterThan(decoded, 20, "some mutations keep the file valid, and are read through")
        XCTAssertLessThan(decoded, 1980, "most mutations break the JSON, and are refused")
    }

    func testErrorsNameTheFileAndLine() {
        XCTAssertThrowsError(try ResultsReader.runJSON(path: "x.json", bytes: Array("{\n\"schema\": 1,\n".utf8))) { error in
            XCTAssertEqual("\(error)", "'x.json', line 3: invalid JSON at column 1: expected a key")
        }
        // `compare` needs a row from a results file; `summary` reads anything, as getsummary does.
        XCTAssertThrowsError(try ResultsReader.validateResultsFile(path: "r", bytes: Array("hello\n".utf8))) { error in
            XCTAssertEqual("\(error)", "'r': not an LMBench results file (no line starts with '[lmbench')")
        }
        XCTAssertThrowsError(try ResultsReader.validateResultsFile(path: "b", bytes: [0x5b, 0x6c, 0, 1])) { error in
            XCTAssertEqual("\(error)", "'b', line 1: binary data, not a results file")
        }
    }
}
