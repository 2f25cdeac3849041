import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class JSONTests: XCTestCase {
    func testRoundTripKeepsKeyOrderAndValues() throws {
        let value = JSON.object([
            ("z", .number(1)), ("a", .array([.string("x\"y\\\n\u{1}é"), .null, .bool(true), .number(-2.5e-7)])),
            ("m", .object([("k", .number(12345678901))])),
        ])
        XCTAssertEqual(try JSON.parse(value.prettyText), value)
        XCTAssertEqual(try JSON.parse(value.compactText), value)
        XCTAssertTrue(value.compactText.hasPrefix("{\"z\":1,"))
    }

    func testNonFiniteNumbersBecomeNull() {
        XCTAssertEqual(JSON.num(.nan), .null)
        XCTAssertEqual(JSON.num(.infinity).compactText, "null")
    }

    func testErrorsNameLineAndColumn() {
        XCTAssertThrowsError(try JSON.parse("{\n  \"a\": [1, 2,\n  }")) { error in
            let e = error as? JSONParseError
            XCTAssertEqual(e?.line, 3)
        }
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1.", "-", "[1] x", "\"\\q\""] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
    }

    func testDeepNestingIsRefusedNotACrash() {
        XCTAssertThrowsError(try JSON.parse(String(repeating: "[", count: 100_000)))
    }

    func testUnicodeEscapes() throws {
        XCTAssertEqual(try JSON.parse("\"\\u00e9\\ud83d\\ude00\""), .string("é😀"))
    }

    /// Samples parse into one flat array of numbers; the value is the same as
    /// the general parse's arrays of arrays, and writes back the same.
    func testArraysOfNumberRowsParseFlatAndEqualTheGeneralForm() throws {
        let text = "{\"samples\": [[1, 2], [3, 4.5], [-1e3, 0]]}"
        let parsed = try JSON.parse(text)
        guard case .numberRows(let columns, let values)? = parsed["samples"] else {
            return XCTFail("not parsed as number rows: \(parsed)")
        }
        XCTAssertEqual(columns, 2)
        XCTAssertEqual(values, [1, 2, 3, 4.5, -1000, 0])
        let general = JSON.array([.array([.number(1), .number(2)]), .array([.number(3), .number(4.5)]),
                                  .array([.number(-1000), .number(0)])])
        XCTAssertEqual(parsed["samples"], general)
        XCTAssertEqual(general, parsed["samples"])
        XCTAssertEqual(parsed["samples"]?.arrayValue?.count, 3)
        XCTAssertEqual(try JSON.parse(parsed.compactText), parsed)
        XCTAssertEqual(parsed.compactText, JSON.object([("samples", general)]).compactText)
        XCTAssertEqual(general.numberRowsValue?.values, values)
    }

    /// Anything that is not rows of numbers of one length is parsed, or refused,
    /// as before: the fast path never accepts what the general one would not.
    func testOtherArraysFallBackToTheGeneralParse() throws {
        for text in ["[[1, 2], [3]]", "[[1, \"a\"], [2, 3]]", "[[1, 2]]", "[[[1]], [[2]]]", "[[], []]", "[[1, 2], 3]"] {
            let parsed = try JSON.parse(text)
            if case .numberRows = parsed { XCTFail("\(text) parsed as number rows") }
            XCTAssertNotNil(parsed.arrayValue, text)
        }
        XCTAssertNil(try JSON.parse("[[1, 2], [3]]").numberRowsValue)
        for bad in ["[[1, 2], [3, ]]", "[[1, 2], [3, 4]", "[[1, 2], [3, 4]] x", "[[1, 2], [3, 4],]", "[[1, 2], [-, 4]]"] {
            XCTAssertThrowsError(try JSON.parse(bad), bad)
        }
    }
}
