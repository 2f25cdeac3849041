import BenchCore
import BenchEngine
import Glibc

/// Every benchmark, in the order LMBench's OS run measures them.
public enum Catalog {
    /// Every benchmark, in the order of LMBench's OS run (scripts/lmbench), which
    /// is also the order of the results file's lines.
    public static let all: [Benchmark] = [
        ProcessorClock.mhz,
        SyscallLatency.nullCall, SyscallLatency.nullRead, SyscallLatency.nullWrite,
        SyscallLatency.stat, SyscallLatency.fstat, SyscallLatency.openClose,
        SelectLatency.file, SelectLatency.tcp,
        SignalLatency.install, SignalLatency.catch, SignalLatency.protFault,
        LocalLatency.pipe, LocalLatency.unix,
        ProcessCreation.fork, ProcessCreation.exec, ProcessCreation.shell,
        FileSystem.fileWrite, MemoryMapping.pageFault, MemoryMapping.mmap, FileSystem.fs,
        LocalLatency.udp, LocalLatency.tcp, RPCLatency.udp, RPCLatency.tcp, LocalLatency.connect,
        StreamBandwidth.tcp, StreamBandwidth.unix, StreamBandwidth.pipe,
        FileBandwidth.file, FileBandwidth.mmap,
    ] + MemoryBandwidth.benchmarks + ContextSwitch.benchmarks + FaultInjection.benchmarks

    /// The benchmark with this id.
    public static func benchmark(_ id: String) -> Benchmark? { all.first { $0.id == id } }

    /// Whether the test-only benchmarks are visible (LMBENCH_SWIFT_TEST_BENCHMARKS=1).
    public static var testBenchmarksEnabled: Bool {
        getenv("LMBENCH_SWIFT_TEST_BENCHMARKS").map { String(cString: $0) == "1" } ?? false
    }

    public static var available: [Benchmark] {
        all.filter { !$0.testOnly || testBenchmarksEnabled }
    }

    /// Group names accepted on the command line: the tables, and "os" for all of them.
    public static var groupNames: [String] { Group.allCases.map(\.rawValue) + ["os"] }

    public static func benchmarks(in group: Group) -> [Benchmark] {
        available.filter { $0.groups.contains(group) }
    }

    /// Benchmarks named by ids or group names, in catalog order, each once.
    /// Empty names: every benchmark (the default run).
    public static func select(_ names: [String]) throws -> [Benchmark] {
        if names.isEmpty { return available.filter { !$0.testOnly } }
        var chosen = Set<String>()
        for name in names {
            if name == "os" {
                available.filter { !$0.testOnly }.forEach { chosen.insert($0.id) }
            } else if let group = Group(rawValue: name) {
                benchmarks(in: group).forEach { chosen.insert($0.id) }
            } else if available.contains(where: { $0.id == name }) {
                chosen.insert(name)
            } else {
                var message = "Unknown benchmark or group '\(name)'"
                if let suggestion = suggestion(for: name) { message += ". Did you mean '\(suggestion)'?" }
                throw BenchError(message)
            }
        }
        // The processor clock is always measured: the results header needs it.
        chosen.insert(ProcessorClock.id)
        return available.filter { chosen.contains($0.id) }
    }

    /// The closest known name within a few edits, for "Did you mean".
    public static func suggestion(for name: String) -> String? {
        let candidates = available.map(\.id) + groupNames
        let scored = candidates.map { ($0, editDistance($0, name)) }.filter { $0.1 <= max(2, name.count / 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }
}

extension Catalog {
    /// docs/benchmarks.md's table: a row per benchmark, in catalog order.
    public static func markdownTable() -> String {
        var lines = ["| id | group | one timed operation | LMBench | differences |", "|---|---|---|---|---|"]
        for benchmark in all where !benchmark.testOnly {
            let cells = ["`\(benchmark.id)`", benchmark.groups.map(\.rawValue).joined(separator: ", "), benchmark.operation,
                         "`\(benchmark.lmbench.description)`", benchmark.differences]
            lines.append("| " + cells.map { $0.replacing("|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension SummaryMetric {
    /// Every performance cell of the OS summary tables, in their order (Mhz and
    /// the basic parameters are not performance figures): what the benchmarks feed.
    public static let all: [SummaryMetric] = Catalog.all.flatMap(\.metrics).sorted {
        (Group.allCases.firstIndex(of: $0.table)!, $0.column) < (Group.allCases.firstIndex(of: $1.table)!, $1.column)
    }
}
