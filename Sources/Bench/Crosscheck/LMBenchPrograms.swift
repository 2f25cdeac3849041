/// How each of our benchmarks is measured with the original LMBench's programs,
/// with the arguments LMBench's OS run (scripts/lmbench) gives them, and how
/// their output lines map to our cells.
struct LMBenchInvocation: Sendable {
    /// How to read a program's output (LMBench writes results to standard error).
    enum Output: Sendable {
        /// A line starting with `title`; `field` (whitespace-split, 0-based) is the value.
        case titled(String, field: Int, cell: String)
        /// The first "<size> <value>" line (bw_mem, bw_file_rd, bw_mmap_rd, bw_tcp, lat_mmap).
        case sized(cell: String)
        /// lat_fs: "<size>k <n> <creates/s> <deletes/s>" lines.
        case fileSystem
        /// lat_ctx: "size=<K>k ovr=<x>" and "<N> <time>" lines.
        case contextSwitch(kilobytes: Int)
        /// mhz: "<n> MHz, <period> nanosec clock".
        case clock
    }

    let program: String
    let arguments: [String]
    let output: Output
}

/// One of our benchmarks as LMBench measures it.
struct LMBenchCounterpart: Sendable {
    let invocations: [LMBenchInvocation]
    /// The server to start (program -s) before and stop (program -S localhost) after.
    let server: String?
    /// Needs LMBench's hello at /tmp/hello (lat_proc exec and shell).
    let needsHello: Bool
    /// Needs the MB test file ($FILE), written with lmdd first.
    let needsFile: Bool
}

/// A benchmark's LMBench counterpart: the program as `list` names it, and what
/// crosscheck runs for a given --mb (nil: LMBench has no such benchmark).
public struct LMBenchProgram: Sendable {
    public let description: String
    let counterpart: @Sendable (_ mb: Int) -> LMBenchCounterpart?

    init(_ description: String, _ counterpart: @escaping @Sendable (_ mb: Int) -> LMBenchCounterpart?) {
        self.description = description
        self.counterpart = counterpart
    }

    /// One invocation, its output read as `output`.
    init(_ description: String, _ invocation: LMBenchInvocation, server: String? = nil, hello: Bool = false,
         file: Bool = false) {
        self.init(description) { _ in
            LMBenchCounterpart(invocations: [invocation], server: server, needsHello: hello, needsFile: file)
        }
    }

    /// For benchmarks LMBench does not have.
    static let none = LMBenchProgram("-") { _ in nil }
}

/// The builders the benchmark definitions use, and how program output is read.
enum LMBenchPrograms {
    /// Placeholders in arguments, replaced when the program runs.
    static let statFile = "{STAT}", testFile = "{FILE}", scratch = "{FSDIR}", binaries = "{BIN}", mb = "{MB}"
    /// LMBench's OS run gives every benchmark `-P 1`.
    static let parallelism = ["-P", "1"]

    /// A program whose result is the line starting with `title`, field `field`.
    static func titled(_ program: String, _ arguments: [String], _ title: String, field: Int, cell: String) -> LMBenchInvocation {
        LMBenchInvocation(program: program, arguments: arguments, output: .titled(title, field: field, cell: cell))
    }

    /// One invocation per size, each giving "<size> <value>" for `cell`/<size>.
    static func sized(_ program: String, _ sizes: [String], _ cell: String, _ arguments: (String) -> [String]) -> [LMBenchInvocation] {
        sizes.map { LMBenchInvocation(program: program, arguments: arguments($0), output: .sized(cell: "\(cell)/\($0)")) }
    }

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
