import Glibc

/// C's printf formatting (the results file and getsummary's tables are defined by it).
public func cFormat(_ format: String, _ arguments: CVarArg...) -> String {
    var capacity = 256
    while true {
        var buffer = [CChar](repeating: 0, count: capacity)
        let needed = withVaList(arguments) { vsnprintf(&buffer, capacity, format, $0) }
        if needed < 0 { return "" }
        if Int(needed) < capacity {
            return String(decoding: buffer[0..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        capacity = Int(needed) + 1
    }
}

/// A number in a table: `decimals` places ("%.3f"), but four significant
/// digits in exponent form ("1e+300") from 1e15 in magnitude on, where fixed
/// notation would run to hundreds of digits and break the table.
public func tableNumber(_ v: Double, decimals: Int) -> String {
    abs(v) < 1e15 || !v.isFinite ? cFormat("%.*f", Int32(decimals), v) : cFormat("%.4g", v)
}
