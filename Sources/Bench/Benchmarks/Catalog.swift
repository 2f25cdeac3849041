import Glibc

/// Every benchmark, in the order LMBench's OS run measures them.
public enum Catalog {
    public static let all: [Benchmark] = {
        let families = ProcessorClock.benchmarks + SyscallLatency.benchmarks + SelectLatency.benchmarks
            + SignalLatency.benchmarks + LocalLatency.benchmarks + ProcessCreation.benchmarks
            + FileSystem.benchmarks + MemoryMapping.benchmarks + RPCLatency.benchmarks
            + StreamBandwidth.benchmarks + FileBandwidth.benchmarks + MemoryBandwidth.benchmarks
            + ContextSwitch.benchmarks + FaultInjection.benchmarks
        func rank(_ b: Benchmark) -> Int { lmbenchOrder.firstIndex(of: b.id) ?? lmbenchOrder.count }
        return families.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }()

    /// The order of LMBench's OS run (scripts/lmbench), which is also the order
    /// of the results file.
    static let lmbenchOrder = [
        "mhz", "null-call", "null-read", "null-write", "stat", "fstat", "open-close", "select-file", "select-tcp",
        "sig-install", "sig-catch", "prot-fault", "pipe-latency", "unix-latency", "fork", "exec", "shell",
        "file-write", "page-fault", "mmap-latency", "fs", "udp-latency", "tcp-latency", "rpc-udp-latency",
        "rpc-tcp-latency", "tcp-connect", "tcp-bw", "unix-bw", "pipe-bw", "file-reread", "mmap-reread",
    ] + MemoryBandwidthBlocks.all.map(\.id) + ContextSwitchSizes.kilobytes.map { "ctx-\($0)k" }

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
        chosen.insert("mhz")
        return available.filter { chosen.contains($0.id) }
    }

    /// The closest known name within a few edits, for "Did you mean".
    public static func suggestion(for name: String) -> String? {
        let candidates = available.map(\.id) + groupNames
        let scored = candidates.map { ($0, editDistance($0, name)) }.filter { $0.1 <= max(2, name.count / 3) }
        return scored.min { $0.1 < $1.1 }?.0
    }
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where j <= b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
