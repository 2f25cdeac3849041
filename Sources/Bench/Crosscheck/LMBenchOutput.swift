import BenchCatalog
import BenchEngine

extension LMBenchPrograms {
    /// The values a program's output gives, by cell id.
    static func parse(_ output: String, as kind: LMBenchInvocation.Output) -> [String: Double] {
        let lines = output.split(separator: "\n").map(String.init)
        func fields(_ line: String) -> [String] {
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        func number(_ text: String?) -> Double? { text.flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil } }
        var values: [String: Double] = [:]
        switch kind {
        case let .titled(title, field, cell):
            if let line = lines.first(where: { $0.hasPrefix(title) }), let v = number(fields(line).dropFirst(field).first) {
                values[cell] = v
            }
        case .sized(let cell):
            for line in lines {
                let f = fields(line)
                if f.count >= 2, number(f[0]) != nil, let v = number(f[1]) {
                    values[cell] = v
                    break
                }
            }
        case .fileSystem:
            for line in lines {
                let f = fields(line)
                guard f.count >= 4, let kilobytes = FileSystem.sizes.first(where: { "\($0)k" == f[0] }) else { continue }
                if let create = number(f[2]), create > 0 { values[FileSystem.createID(kilobytes)] = create }
                if let delete = number(f[3]), delete > 0 { values[FileSystem.deleteID(kilobytes)] = delete }
            }
        case .contextSwitch(let kilobytes):
            for line in lines {
                let trimmedLine = line.hasPrefix("\"") ? String(line.dropFirst()) : line
                if trimmedLine.hasPrefix("size="), let ovr = trimmedLine.split(separator: "=").last.flatMap({ Double($0) }) {
                    values["\(ContextSwitch.id(kilobytes))/ovr"] = ovr
                    continue
                }
                let f = fields(line)
                if f.count == 2, let n = Int(f[0]), let v = number(f[1]) { values["\(ContextSwitch.id(kilobytes))/\(n)"] = v }
            }
        case .clock:
            if let line = lines.first(where: { $0.contains("MHz") }), let v = number(fields(line).first) { values[ProcessorClock.id] = v }
        }
        return values
    }
}
