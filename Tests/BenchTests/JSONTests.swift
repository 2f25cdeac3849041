import XCTest
@testable import Bench

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
}
