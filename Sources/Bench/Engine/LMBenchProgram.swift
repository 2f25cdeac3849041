/// How each of our benchmarks is measured with the original LMBench's programs,
/// with the arguments LMBench's OS run (scripts/lmbench) gives them, and how
/// their output lines map to our cells.
package struct LMBenchInvocation: Sendable {
    /// How to read a program's output (LMBench writes results to standard error).
    package enum Output: Sendable {
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

    package let program: String
    package let arguments: [String]
    package let output: Output

    package init(program: String, arguments: [String], output: Output) {
        self.program = program
        self.arguments = arguments
        self.output = output
    }
}

/// One of our benchmarks as LMBench measures it.
package struct LMBenchCounterpart: Sendable {
    package let invocations: [LMBenchInvocation]
    /// The server to start (program -s) before and stop (program -S localhost) after.
    package let server: String?
    /// Needs LMBench's hello at /tmp/hello (lat_proc exec and shell).
    package let needsHello: Bool
    /// Needs the MB test file ($FILE), written with lmdd first.
    package let needsFile: Bool

    package init(invocations: [LMBenchInvocation], server: String?, needsHello: Bool, needsFile: Bool) {
        self.invocations = invocations
        self.server = server
        self.needsHello = needsHello
        self.needsFile = needsFile
    }
}

/// A benchmark's LMBench counterpart: the program as `list` names it, and what
/// crosscheck runs for a given --mb (nil: LMBench has no such benchmark).
public struct LMBenchProgram: Sendable {
    public let description: String
    package let counterpart: @Sendable (_ mb: Int) -> LMBenchCounterpart?

    package init(_ description: String, _ counterpart: @escaping @Sendable (_ mb: Int) -> LMBenchCounterpart?) {
        self.description = description
        self.counterpart = counterpart
    }

    /// One invocation, its output read as `output`.
    package init(_ description: String, _ invocation: LMBenchInvocation, server: String? = nil, hello: Bool = false,
         file: Bool = false) {
        self.init(description) { _ in
            LMBenchCounterpart(invocations: [invocation], server: server, needsHello: hello, needsFile: file)
        }
    }

    /// For benchmarks LMBench does not have.
    package static let none = LMBenchProgram("-") { _ in nil }
}

/// The builders the benchmark definitions use, and how program output is read.
package enum LMBenchPrograms {
    /// Placeholders in arguments, replaced when the program runs.
    package static let statFile = "{STAT}", testFile = "{FILE}", scratch = "{FSDIR}", binaries = "{BIN}", mb = "{MB}"
    /// LMBench's OS run gives every benchmark `-P 1`.
    package static let parallelism = ["-P", "1"]

    /// A program whose result is the line starting with `title`, field `field`.
    package static func titled(_ program: String, _ arguments: [String], _ title: String, field: Int, cell: String) -> LMBenchInvocation {
        LMBenchInvocation(program: program, arguments: arguments, output: .titled(title, field: field, cell: cell))
    }

    /// One invocation per size, each giving "<size> <value>" for `cell`/<size>.
    package static func sized(_ program: String, _ sizes: [String], _ cell: String, _ arguments: (String) -> [String]) -> [LMBenchInvocation] {
        sizes.map { LMBenchInvocation(program: program, arguments: arguments($0), output: .sized(cell: "\(cell)/\($0)")) }
    }
}
