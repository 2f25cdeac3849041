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
