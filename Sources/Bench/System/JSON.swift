/// A JSON value with object keys kept in insertion order, its writer and parser.
/// (Foundation's JSON coding would cost the static binary ~7 MB.)
public enum JSON: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    /// What the parser makes of an array of equally long arrays of numbers (a
    /// series' samples): the numbers row after row in one array. It reads as the
    /// arrays it stands for; held as `.array`s of `.number`s, a million samples
    /// took 150 bytes each.
    case numberRows(columns: Int, values: [Double])

    public static func == (a: JSON, b: JSON) -> Bool {
        switch (a, b) {
        case let (.numberRows(c, x), .numberRows(d, y)): return c == d && x == y
        case (.numberRows, .array), (.array, .numberRows): return a.arrayValue! == b.arrayValue!
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    // MARK: building

    /// A number, or null when not finite (JSON has no NaN or infinity).
    public static func num(_ value: Double) -> JSON { value.isFinite ? .number(value) : .null }
    public static func num(_ value: Int) -> JSON { .number(Double(value)) }
    public static func str(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    // MARK: reading

    public subscript(key: String) -> JSON? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var doubleValue: Double? { if case .number(let n) = self { return n }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSON]? {
        switch self {
        case .array(let items): return items
        case .numberRows(let columns, let values):
            return stride(from: 0, to: values.count, by: columns).map { start in
                .array(values[start..<start + columns].map(JSON.number))
            }
        default: return nil
        }
    }
    /// An array of equally long arrays of numbers, as (columns, the numbers row after row).
    public var numberRowsValue: (columns: Int, values: [Double])? {
        switch self {
        case .numberRows(let columns, let values): return (columns, values)
        case .array(let items):
            guard let first = items.first?.arrayValue, !first.isEmpty else { return items.isEmpty ? (0, []) : nil }
            var values: [Double] = []
            for item in items {
                guard let row = item.arrayValue, row.count == first.count else { return nil }
                for number in row {
                    guard let n = number.doubleValue else { return nil }
                    values.append(n)
                }
            }
            return (first.count, values)
        default: return nil
        }
    }
    public var objectValue: [(String, JSON)]? { if case .object(let o) = self { return o }; return nil }
    public var intValue: Int? {
        guard let d = doubleValue, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    // MARK: writing

    /// Compact single-line text (the child-to-parent messages).
    public var compactText: String {
        var out = ""
        write(into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented text; arrays of scalars stay on one line.
    public var prettyText: String {
        var out = ""
        write(into: &out, indent: "  ", level: 0)
        return out + "\n"
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object, .numberRows: return false
        default: return true
        }
    }

    private func write(into out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += JSON.numberText(n)
        case .string(let s): JSON.writeString(s, into: &out)
        case .numberRows: JSON.array(arrayValue!).write(into: &out, indent: indent, level: level)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if indent == nil || items.allSatisfy({ $0.isScalar || $0.isSmallArray }) {
                out += "["
                for (i, item) in items.enumerated() {
                    if i > 0 { out += indent == nil ? "," : ", " }
                    item.write(into: &out, indent: nil, level: 0)
                }
                out += "]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                out += i > 0 ? ",\n" : "\n"
                out += String(repeating: indent!, count: level + 1)
                item.write(into: &out, indent: indent, level: level + 1)
            }
            out += "\n" + String(repeating: indent!, count: level) + "]"
        case .object(let pairs):
            if pairs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in pairs.enumerated() {
                if let indent {
                    out += i > 0 ? ",\n" : "\n"
                    out += String(repeating: indent, count: level + 1)
                } else if i > 0 {
                    out += ","
                }
                JSON.writeString(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.write(into: &out, indent: indent, level: level + 1)
            }
            if let indent { out += "\n" + String(repeating: indent, count: level) }
            out += "}"
        }
    }

    private var isSmallArray: Bool {
        if case .array(let items) = self { return items.count <= 4 && items.allSatisfy(\.isScalar) }
        return false
    }

    static func numberText(_ n: Double) -> String {
        if !n.isFinite { return "null" }
        if n.rounded() == n && abs(n) < 9.0e15 { return String(Int64(n)) }
        return "\(n)"
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += cFormat("\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

/// A JSON syntax error at a line and column (1-based).
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public let line: Int
    public let column: Int
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSON {
    /// Parses JSON text; nesting is limited so hostile input cannot exhaust the stack.
    public static func parse(_ text: String) throws -> JSON {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses UTF-8 bytes (invalid sequences in strings read as U+FFFD, as
    /// `String(decoding:)` makes them). It takes the bytes, so that a caller who
    /// hands them over has them freed once the tree is built (a large run's file
    /// and its tree need not be held at once with what is decoded from it).
    public static func parse(bytes: consuming [UInt8]) throws -> JSON {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < parser.bytes.count { throw parser.error("unexpected text after the value") }
        return value
    }
}

struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    static let maximumDepth = 200

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONParseError {
        var line = 1, column = 1
        for byte in bytes[0..<min(index, bytes.count)] {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return JSONParseError(message: message, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func value(depth: Int) throws -> JSON {
        guard depth < JSONParser.maximumDepth else { throw error("nesting too deep") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
            throw error("invalid literal")
        }
        index += w.count
    }

    mutating func object(depth: Int) throws -> JSON {
        index += 1
        var pairs: [(String, JSON)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            pairs.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
            throw error("expected ',' or '}'")
        }
    }

    mutating func array(depth: Int) throws -> JSON {
        if let rows = numberRows() { return rows }
        index += 1
        var items: [JSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw error("expected ',' or ']'")
        }
    }

    /// At '[': an array of two or more equally long, non-empty arrays of plain
    /// numbers as `.numberRows`; anything else (or an error) leaves the index
    /// where it was, for `array` to parse it (and report it) the general way.
    mutating func numberRows() -> JSON? {
        let start = index
        var values: [Double] = []
        var columns = 0, rows = 0
        func fail() -> JSON? { index = start; return nil }
        index += 1
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return fail() }
            index += 1
            var count = 0
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "-") || (0x30...0x39).contains(bytes[index]),
                      let n = try? number() else { return fail() }
                values.append(n)
                count += 1
                guard let ended = listSeparator() else { return fail() }
                if ended { break }
            }
            guard rows == 0 || count == columns else { return fail() }
            columns = count
            rows += 1
            guard let ended = listSeparator() else { return fail() }
            if ended { break }
        }
        return rows >= 2 ? .numberRows(columns: columns, values: values) : fail()
    }

    /// After an array's item: past a ',' (false) or the closing ']' (true); nil, not moved, for anything else.
    private mutating func listSeparator() -> Bool? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "]") else { return nil }
        index += 1
        return bytes[index - 1] == UInt8(ascii: "]")
    }

    mutating func string() throws -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw error("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): raw.append(0x22)
                case UInt8(ascii: "\\"): raw.append(0x5C)
                case UInt8(ascii: "/"): raw.append(0x2F)
                case UInt8(ascii: "b"): raw.append(0x08)
                case UInt8(ascii: "f"): raw.append(0x0C)
                case UInt8(ascii: "n"): raw.append(0x0A)
                case UInt8(ascii: "r"): raw.append(0x0D)
                case UInt8(ascii: "t"): raw.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    flush()
                    scalars.append(scalar)
                default: throw error("invalid escape")
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                raw.append(byte)
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            index += 1
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit")
            }
            value = value * 16 + digit
        }
        return value
    }

    mutating func number() throws -> Double {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1; digits += 1 }
        if digits == 0 { throw error("invalid value") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var fraction = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1; fraction += 1 }
            if fraction == 0 { throw error("invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            var exponent = 0
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1; exponent += 1 }
            if exponent == 0 { throw error("invalid number") }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw error("invalid number")
        }
        return value
    }
}
