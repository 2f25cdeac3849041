import BenchCore

/// Perl's view of the values getsummary handles: a string read from a file, a
/// number it computed, or undef. Its number formatting (`num`, `inum`, Perl's
/// numeric conversion and stringification) is reproduced here byte for byte.
enum PerlValue: Equatable {
    case string(String)
    case number(Double)

    /// The number Perl sees ("1027.0000" → 1027, "abc" → 0).
    var numeric: Double {
        switch self {
        case .number(let d): return d
        case .string(let s): return PerlValue.numericPrefix(s)
        }
    }

    /// The string Perl sees (numbers as "%.15g").
    var text: String {
        switch self {
        case .string(let s): return s
        case .number(let d): return PerlValue.stringify(d)
        }
    }

    static func stringify(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "Inf" }
        return cFormat("%.15g", d)
    }

    /// Perl's string-to-number: the longest numeric prefix after leading blanks, else 0.
    static func numericPrefix(_ s: String) -> Double {
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B].contains(bytes[i]) { i += 1 }
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
        let rest = String(decoding: bytes[i...], as: UTF8.self).lowercased()
        if rest.hasPrefix("inf") || rest.hasPrefix("nan") {
            let negative = i > start && bytes[start] == UInt8(ascii: "-")
            if rest.hasPrefix("nan") { return .nan }
            return negative ? -.infinity : .infinity
        }
        var digits = 0
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1; digits += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) { i += 1; digits += 1 }
        }
        if digits == 0 { return 0 }
        var end = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            var j = i + 1
            if j < bytes.count, bytes[j] == UInt8(ascii: "+") || bytes[j] == UInt8(ascii: "-") { j += 1 }
            var exponentDigits = 0
            while j < bytes.count, (0x30...0x39).contains(bytes[j]) { j += 1; exponentDigits += 1 }
            if exponentDigits > 0 { end = j }
        }
        return Double(String(decoding: bytes[start..<end], as: UTF8.self)) ?? 0
    }

    /// Perl's %d of a value (SvIV): the integer part; beyond IV_MAX through the
    /// unsigned integer, so 2^63 prints as -9223372036854775808 and 2^64 or more
    /// as -1; below IV_MIN, IV_MIN.
    var integer: Int64 {
        let d = numeric
        if d.isNaN { return -1 }
        if d >= 18446744073709551616.0 { return -1 }
        if d >= 9223372036854775808.0 { return Int64(bitPattern: UInt64(d)) }
        if d < -9223372036854775808.0 { return Int64.min }
        return Int64(d)
    }
}

enum SummaryNumbers {
    /// getsummary's validity test: optional blanks, digits and dots, optional blanks.
    static func looksNumeric(_ text: String) -> Bool {
        var bytes = Array(text.utf8)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }  // Perl's $ matches before a final newline
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        var body = 0
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) || bytes[i] == UInt8(ascii: ".") { i += 1; body += 1 }
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        return body > 0 && i == bytes.count
    }

    /// The value num()/inum() work with: -1 when missing or not a plain number.
    static func checked(_ value: PerlValue?) -> Double {
        guard let value, looksNumeric(value.text) else { return -1 }
        return value.numeric
    }

    /// Perl's sprintf of a floating-point directive: as C's, but infinity is
    /// "Inf" (C: "inf"), padded to the width.
    static func perlFloat(_ format: String, width: Int = 0, _ v: Double) -> String {
        guard v.isInfinite else { return cFormat(format, v) }
        return perlString(v < 0 ? "-Inf" : "Inf", width: width)
    }

    /// getsummary's num(value, width).
    static func num(_ value: PerlValue?, _ width: Int) -> String {
        let v = checked(value)
        if v <= 0 || v.isNaN { return String(repeating: " ", count: width) }
        if v >= 10 * 1_000_000.0 {
            return perlString(perlFloat("%.1f", v / 1_000_000.0), width: width - 1, precision: width - 1) + "M"
        }
        if v >= 10 * 1000.0 {
            return perlString(cFormat("%.1f", v / 1000.0), width: width - 1, precision: width - 1) + "K"
        }
        if v >= 10 {
            return perlString(cFormat("%.1f", v), width: width, precision: width)
        }
        if v < 0.001 {
            // A negative precision is an invalid directive, which Perl prints literally.
            if width - 6 < 0 { return "%\(width).\(width - 6)e" }
            return cFormat("%*.*e", Int32(width), Int32(width - 6), v)
        }
        return cFormat("%*.*f", Int32(width), Int32(width - 2), v)
    }

    /// getsummary's inum(value, width).
    static func inum(_ value: PerlValue?, _ width: Int) -> String {
        let v = checked(value)
        if v <= 0 || v.isNaN { return String(repeating: " ", count: width) }
        return cFormat("%*lld", Int32(width), (value?.integer ?? 0))
    }

    /// getsummary's scale_num: blank when the results ran several copies.
    static func scaleNum(_ value: PerlValue?, _ width: Int, load: PerlValue?) -> String {
        (load?.numeric ?? 0) > 1 ? num(nil, width) : num(value, width)
    }

    /// Perl's %W.Ps (and %-W.Ps) of a byte string: truncate to P bytes, pad to W.
    static func perlString(_ text: String, width: Int, precision: Int? = nil, left: Bool = false) -> String {
        var bytes = Array(text.utf8)
        if let precision, bytes.count > precision { bytes = Array(bytes[0..<max(precision, 0)]) }
        let pad = [UInt8](repeating: 0x20, count: max(0, width - bytes.count))
        return String(decoding: left ? bytes + pad : pad + bytes, as: UTF8.self)
    }
}
