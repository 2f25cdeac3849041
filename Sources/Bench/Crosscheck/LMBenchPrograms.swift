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

enum LMBenchPrograms {
    /// Placeholders in arguments, replaced when the program runs.
    static let statFile = "{STAT}", testFile = "{FILE}", scratch = "{FSDIR}", binaries = "{BIN}", mb = "{MB}"

    static func titled(_ program: String, _ arguments: [String], _ title: String, field: Int, cell: String) -> LMBenchInvocation {
        LMBenchInvocation(program: program, arguments: arguments, output: .titled(title, field: field, cell: cell))
    }

    static func simple(_ invocations: [LMBenchInvocation], server: String? = nil, hello: Bool = false,
                       file: Bool = false) -> LMBenchCounterpart {
        LMBenchCounterpart(invocations: invocations, server: server, needsHello: hello, needsFile: file)
    }

    /// The counterpart of a benchmark for a given --mb, or nil if LMBench has none.
    static func counterpart(_ id: String, mb: Int) -> LMBenchCounterpart? {
        let lists = ResultsFile.sizeLists(mb: mb)
        let p = ["-P", "1"]
        func syscall(_ what: String, _ title: String, file: Bool = false) -> LMBenchCounterpart {
            simple([titled("lat_syscall", p + [what] + (file ? [statFile] : []), title, field: 2, cell: id)])
        }
        func sized(_ program: String, _ sizes: [String], _ cell: String, _ args: (String) -> [String]) -> [LMBenchInvocation] {
            sizes.map { LMBenchInvocation(program: program, arguments: args($0), output: .sized(cell: "\(cell)/\($0)")) }
        }
        switch id {
        case "mhz": return simple([LMBenchInvocation(program: "mhz", arguments: [], output: .clock)])
        case "null-call": return syscall("null", "Simple syscall:")
        case "null-read": return syscall("read", "Simple read:")
        case "null-write": return syscall("write", "Simple write:")
        case "stat": return syscall("stat", "Simple stat:", file: true)
        case "fstat": return syscall("fstat", "Simple fstat:", file: true)
        case "open-close": return syscall("open", "Simple open/close:", file: true)
        case "select-file", "select-tcp":
            let kind = id == "select-file" ? "file" : "tcp"
            return simple(SelectLatency.counts.map { n in
                titled("lat_select", ["-n", String(n)] + p + [kind], kind == "file" ? "Select on \(n) fd's:" : "Select on \(n) tcp fd's:",
                       field: kind == "file" ? 4 : 5, cell: "\(id)/\(n)")
            })
        case "sig-install": return simple([titled("lat_sig", p + ["install"], "Signal handler installation:", field: 3, cell: id)])
        case "sig-catch": return simple([titled("lat_sig", p + ["catch"], "Signal handler overhead:", field: 3, cell: id)])
        case "prot-fault":
            return simple([titled("lat_sig", p + ["prot", binaries + "/lat_sig"], "Protection fault:", field: 2, cell: id)])
        case "pipe-latency": return simple([titled("lat_pipe", p, "Pipe latency:", field: 2, cell: id)])
        case "unix-latency": return simple([titled("lat_unix", p, "AF_UNIX sock stream latency:", field: 4, cell: id)])
        case "fork": return simple([titled("lat_proc", p + ["fork"], "Process fork+exit:", field: 2, cell: id)])
        case "exec": return simple([titled("lat_proc", p + ["exec"], "Process fork+execve:", field: 2, cell: id)], hello: true)
        case "shell": return simple([titled("lat_proc", p + ["shell"], "Process fork+/bin/sh -c:", field: 3, cell: id)], hello: true)
        case "file-write":
            return simple([titled("lmdd", ["label=File \(testFile) write bandwidth: ", "of=\(testFile)", "move=\(mb)m",
                                           "fsync=1", "print=3"], "File ", field: 4, cell: id)])
        case "page-fault": return simple([titled("lat_pagefault", p + [testFile], "Pagefaults on", field: 3, cell: id)], file: true)
        case "mmap-latency":
            let sizes = lists.all.filter { ResultsFile.bytes($0) >= 320 * 1024 }
            return simple(sized("lat_mmap", sizes, id) { p + [$0, testFile] }, file: true)
        case "fs": return simple([LMBenchInvocation(program: "lat_fs", arguments: [scratch], output: .fileSystem)])
        case "udp-latency":
            return simple([titled("lat_udp", p + ["localhost"], "UDP latency using localhost:", field: 4, cell: id)], server: "lat_udp")
        case "tcp-latency":
            return simple([titled("lat_tcp", p + ["localhost"], "TCP latency using localhost:", field: 4, cell: id)], server: "lat_tcp")
        case "rpc-udp-latency", "rpc-tcp-latency":
            let proto = id == "rpc-udp-latency" ? "udp" : "tcp"
            return simple([titled("lat_rpc", p + ["-p", proto, "localhost"], "RPC/\(proto) latency using localhost:", field: 4,
                                  cell: id)], server: "lat_rpc")
        case "tcp-connect":
            return simple([titled("lat_connect", ["localhost"], "TCP/IP connection cost to localhost:", field: 5, cell: id)],
                          server: "lat_connect")
        case "tcp-bw":
            return simple(TCPBandwidthSizes.all.map { size in
                LMBenchInvocation(program: "bw_tcp", arguments: p + ["-m", size.name == "10m" ? "10M" : size.name, "localhost"],
                                  output: .sized(cell: "tcp-bw/\(size.name)"))
            }, server: "bw_tcp")
        case "unix-bw": return simple([titled("bw_unix", p, "AF_UNIX sock stream bandwidth:", field: 4, cell: id)])
        case "pipe-bw": return simple([titled("bw_pipe", p, "Pipe bandwidth:", field: 2, cell: id)])
        case "file-reread":
            return simple(sized("bw_file_rd", lists.all, id) { p + [$0, "io_only", testFile] }
                          + sized("bw_file_rd", lists.all, "file-reread-open2close") { p + [$0, "open2close", testFile] }, file: true)
        case "mmap-reread":
            return simple(sized("bw_mmap_rd", lists.all, id) { p + [$0, "mmap_only", testFile] }
                          + sized("bw_mmap_rd", lists.all, "mmap-reread-open2close") { p + [$0, "open2close", testFile] }, file: true)
        default:
            if let block = MemoryBandwidthBlocks.all.first(where: { $0.id == id }) {
                let words = block.lmbench.split(separator: " ").map(String.init)
                return simple(sized("bw_mem", block.fullList ? lists.all : lists.half, id) { p + [$0] + words })
            }
            if let kilobytes = ContextSwitchSizes.kilobytes.first(where: { "ctx-\($0)k" == id }) {
                return simple([LMBenchInvocation(program: "lat_ctx", arguments: p + ["-s", String(kilobytes)]
                                                     + ContextSwitchSizes.processes.map(String.init),
                                                 output: .contextSwitch(kilobytes: kilobytes))])
            }
            return nil
        }
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
                guard f.count >= 4, ["0k", "1k", "4k", "10k"].contains(f[0]) else { continue }
                if let create = number(f[2]), create > 0 { values["fs-create/\(f[0])"] = create }
                if let delete = number(f[3]), delete > 0 { values["fs-delete/\(f[0])"] = delete }
            }
        case .contextSwitch(let kilobytes):
            for line in lines {
                let trimmedLine = line.hasPrefix("\"") ? String(line.dropFirst()) : line
                if trimmedLine.hasPrefix("size="), let ovr = trimmedLine.split(separator: "=").last.flatMap({ Double($0) }) {
                    values["ctx-\(kilobytes)k/ovr"] = ovr
                    continue
                }
                let f = fields(line)
                if f.count == 2, let n = Int(f[0]), let v = number(f[1]) { values["ctx-\(kilobytes)k/\(n)"] = v }
            }
        case .clock:
            if let line = lines.first(where: { $0.contains("MHz") }), let v = number(fields(line).first) { values["mhz"] = v }
        }
        return values
    }
}
