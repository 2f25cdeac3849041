import BenchCore
import BenchEngine

/// LMBench's `make see` report: the tables getsummary prints for a list of results
/// files, byte for byte, including its number formatting and its parsing rules
/// (each file's values are pushed onto per-benchmark arrays, one row per file).
///
/// getsummary's hazards are kept for LMBench's own files, so that their summary
/// looks as it always did, but not for ours (a file carrying the TOOL header
/// line): there the context-switch blocks only start at a line beginning
/// `"size=<K>k`, and a benchmark line seen twice counts once.
public enum Summary {
    public struct File {
        /// The path as given on the command line (its last two components name the row).
        public let path: String
        public let contents: [UInt8]
        public init(path: String, contents: [UInt8]) {
            self.path = path
            self.contents = contents
        }
    }

    public static func render(_ files: [File]) -> String {
        var data = SummaryData()
        for file in files { data.read(file) }
        return data.render()
    }
}

/// The arrays getsummary fills, and its printing routines.
struct SummaryData {
    var arrays: [String: [PerlValue?]] = [:]
    var hosts: [String?] = []
    var descriptions: [String?] = []
    var unames: [String] = []
    var fileCount = 0

    func value(_ name: String, _ i: Int) -> PerlValue? {
        guard let array = arrays[name], i >= 0, i < array.count else { return nil }
        return array[i]
    }

    // MARK: reading one file

    static let paddedArrays = [
        "bw_bcopy_libc", "bw_bcopy_unrolled", "bw_file", "bw_mem_rdsum", "bw_mem_wr", "bw_mmap", "bw_pipe",
        "bw_reread", "bw_tcp_local", "bw_tcp_remote", "bw_unix", "double_add", "double_bogomflops", "double_div",
        "double_mul", "float_add", "float_bogomflops", "float_div", "float_mul", "fs_create_0k", "fs_create_1k",
        "fs_create_4k", "fs_create_10k", "fs_delete_0k", "fs_delete_1k", "fs_delete_4k", "fs_delete_10k",
        "integer_add", "integer_bit", "integer_div", "integer_mod", "integer_mul", "lat_ctx0_2", "lat_ctx0_8",
        "lat_ctx0_16", "lat_ctx16_2", "lat_ctx16_8", "lat_ctx16_16", "lat_ctx64_2", "lat_ctx64_8", "lat_ctx64_16",
        "lat_l1", "lat_l2", "lat_mappings", "lat_mem", "lat_mem_rand", "lat_nullproc", "lat_openclose",
        "lat_pagefault", "lat_pipe", "lat_protfault", "lat_read", "lat_rpc_tcp_local", "lat_rpc_tcp_remote",
        "lat_rpc_udp_local", "lat_rpc_udp_remote", "lat_fd_select", "lat_tcp_select", "lat_shproc",
        "lat_sigcatch", "lat_siginstall", "lat_simpleproc", "lat_stat", "lat_syscall", "lat_tcp_connect_local",
        "lat_tcp_connect_remote", "lat_tcp_local", "lat_tcp_remote", "lat_udp_local", "lat_udp_remote",
        "lat_unix", "lat_write", "line_size", "mem_load_par", "misc_mhz", "tlb", "load", "int64_add",
        "int64_bit", "int64_div", "int64_mod", "int64_mul",
    ]


    mutating func read(_ file: Summary.File) {
        // Host: last path component without ".N"; description: the one before it.
        var path = Array(file.path.utf8)
        if let dot = path.lastIndex(of: UInt8(ascii: ".")), dot + 1 < path.count,
           path[(dot + 1)...].allSatisfy({ (0x30...0x39).contains($0) }) {
            path.removeSubrange(dot...)
        }
        var parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        while parts.last == "" { parts.removeLast() }  // Perl's split drops trailing empty fields
        hosts.append(parts.last)
        let description: String? = parts.count >= 2 ? parts[parts.count - 2] : parts.last
        descriptions.append(description.map { s in
            guard let slash = s.firstIndex(of: "/") else { return s }
            var t = s
            t.replaceSubrange(slash...slash, with: "-")
            return t
        })

        var reader = FileReader(file.contents)
        let ours = reader.lines.contains { $0.starts(with: Array("[\(ResultsFile.toolHeaderKey): \(ToolInfo.name)".utf8)) }
        var parser = FileParser(reader: reader, strict: ours)
        parser.run()
        for (name, values) in parser.pushed { arrays[name, default: []] += values }
        unames += parser.unames
        reader = parser.reader
        for name in SummaryData.paddedArrays where (arrays[name]?.count ?? 0) - 1 != fileCount {
            arrays[name, default: []].append(.number(-1))
        }
        fileCount += 1
    }
}

/// A file's lines as Perl's <FD> returns them (with their newline, if any).
struct FileReader {
    let lines: [[UInt8]]
    var next = 0

    init(_ contents: [UInt8]) {
        var lines: [[UInt8]] = []
        var start = 0
        for (i, byte) in contents.enumerated() where byte == 0x0A {
            lines.append(Array(contents[start...i]))
            start = i + 1
        }
        if start < contents.count { lines.append(Array(contents[start...])) }
        self.lines = lines
    }

    mutating func readLine() -> [UInt8]? {
        guard next < lines.count else { return nil }
        next += 1
        return lines[next - 1]
    }
}

/// getsummary's per-file loop. `current` plays Perl's `$_`: the inner block readers
/// move it forward, and the remaining tests of the same pass see what they left.
struct FileParser {
    var reader: FileReader
    let strict: Bool
    var current: [UInt8]? = nil
    var pushed: [(String, [PerlValue?])] = []
    private var pushedIndex: [String: Int] = [:]
    var unames: [String] = []
    var mhzSeen = false
    var memoryLatencyType = -1

    /// Results read from one field of a line starting with the pattern ("." matches
    /// any character, as in getsummary's regexes), in getsummary's order.
    static let simpleRules: [(pattern: String, array: String, field: Int)] = [
        ("Select on 100 fd", "lat_fd_select", 4), ("Select on 100 tcp fd", "lat_tcp_select", 5),
        ("integer bit:", "integer_bit", 2), ("integer add:", "integer_add", 2),
        ("integer mul:", "integer_mul", 2), ("integer div:", "integer_div", 2),
        ("integer mod:", "integer_mod", 2), ("uint64 bit:", "int64_bit", 2),
        ("uint64 add:", "int64_add", 2), ("uint64 mul:", "int64_mul", 2),
        ("uint64 div:", "int64_div", 2), ("uint64 mod:", "int64_mod", 2),
        ("float add:", "float_add", 2), ("float mul:", "float_mul", 2),
        ("float div:", "float_div", 2), ("double add:", "double_add", 2),
        ("double mul:", "double_mul", 2), ("double div:", "double_div", 2),
        ("float bogomflops:", "float_bogomflops", 2), ("double bogomflops:", "double_bogomflops", 2),
    ]

    init(reader: FileReader, strict: Bool) {
        self.reader = reader
        self.strict = strict
    }

    mutating func push(_ array: String, _ value: PerlValue?) {
        if let index = pushedIndex[array] {
            if strict { return }  // our files: a value counts once
            pushed[index].1.append(value)
        } else {
            pushedIndex[array] = pushed.count
            pushed.append((array, [value]))
        }
    }

    // MARK: matching $_

    var line: [UInt8] { current ?? [] }

    /// Whether $_ matches `pattern` ("." = any character but newline) at its start or anywhere.
    func matches(_ pattern: String, anchored: Bool = true) -> Bool {
        FileParser.matches(line, pattern.utf8, anchored: anchored)
    }

    static func matches<P: Collection>(_ text: [UInt8], _ pattern: P, anchored: Bool) -> Bool where P.Element == UInt8 {
        let count = pattern.count
        guard count <= text.count, let first = pattern.first else { return count == 0 }
        func at(_ start: Int) -> Bool {
            var k = start
            for p in pattern {
                let c = text[k]
                if p == UInt8(ascii: ".") { if c == 0x0A { return false } } else if c != p { return false }
                k += 1
            }
            return true
        }
        if anchored { return (first == UInt8(ascii: ".") || text[0] == first) && at(0) }
        for start in 0...(text.count - count) where (first == UInt8(ascii: ".") || text[start] == first) && at(start) {
            return true
        }
        return false
    }

    var isBlank: Bool { line.allSatisfy { [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B].contains($0) } }
    var startsWithDigit: Bool { line.first.map { (0x30...0x39).contains($0) } ?? false }
    /// /^\d+\./
    var startsWithDigitsAndDot: Bool {
        var i = 0
        while i < line.count, (0x30...0x39).contains(line[i]) { i += 1 }
        return i > 0 && i < line.count && line[i] == UInt8(ascii: ".")
    }

    /// Perl's split (awk mode) of $_, field i (nil if absent).
    func field(_ i: Int) -> String? {
        FileParser.fields(line).dropFirst(i).first
    }

    static func fields(_ bytes: [UInt8]) -> [String] {
        bytes.split(whereSeparator: { [0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B].contains($0) })
            .map { String(decoding: $0, as: UTF8.self) }
    }

    func fieldValue(_ i: Int) -> PerlValue? { field(i).map(PerlValue.string) }

    /// $_[i] =~ s/\]//
    func fieldWithoutBracket(_ i: Int) -> PerlValue? {
        guard var f = field(i) else { return nil }
        if let bracket = f.firstIndex(of: "]") { f.remove(at: bracket) }
        return .string(f)
    }

    mutating func advance() -> Bool {
        current = reader.readLine()
        return current != nil
    }

    // MARK: the loop

    mutating func run() {
        while let raw = reader.readLine() {
            current = raw.isEmpty ? raw : Array(raw.dropLast())  // chop
            pass()
        }
    }

    private mutating func pass() {
        if matches("scripts/lmbench: /dev/tty", anchored: false) { return }
        if matches("[lmbench") { unames.append(String(decoding: line, as: UTF8.self)) }
        if matches("MHZ", anchored: false) && !mhzSeen {
            push("misc_mhz", fieldWithoutBracket(1))
            mhzSeen = true
        } else if matches("Mhz", anchored: false) && !mhzSeen {
            push("misc_mhz", fieldValue(0))
            mhzSeen = true
        }
        for rule in FileParser.simpleRules where matches(rule.pattern) { push(rule.array, fieldValue(rule.field)) }
        if matches("LINE_SIZE", anchored: false) { push("line_size", fieldWithoutBracket(1)) }
        if matches("SYNC_MAX", anchored: false) { push("load", fieldWithoutBracket(1)) }
        if matches("tlb:") { push("tlb", fieldValue(1)) }
        if matches("Simple syscall:") { push("lat_syscall", fieldValue(2)) }
        if matches("Simple read:") { push("lat_read", fieldValue(2)) }
        if matches("Simple write:") { push("lat_write", fieldValue(2)) }
        if matches("Simple stat:") { push("lat_stat", fieldValue(2)) }
        if matches("Simple open.close:") { push("lat_openclose", fieldValue(2)) }
        if matches("Null syscall:") { push("lat_write", fieldValue(2)) }
        if matches("Signal handler installation:") { push("lat_siginstall", fieldValue(3)) }
        if matches("Signal handler overhead:") { push("lat_sigcatch", fieldValue(3)) }
        if matches("Protection fault:") { push("lat_protfault", fieldValue(2)) }
        if matches("Pipe latency:") { push("lat_pipe", fieldValue(2)) }
        if matches("AF_UNIX sock stream latency:", anchored: false) { push("lat_unix", fieldValue(4)) }
        localOrRemote("UDP latency using", "lat_udp", field: 4)
        localOrRemote("TCP latency using", "lat_tcp", field: 4)
        localOrRemote("RPC.udp latency using", "lat_rpc_udp", field: 4)
        localOrRemote("RPC.tcp latency using", "lat_rpc_tcp", field: 4)
        localOrRemote("TCP.IP connection cost to", "lat_tcp_connect", field: 5)
        if matches("Socket bandwidth using localhost") { push("bw_tcp_local", biggest()) }
        if matches("AF_UNIX sock stream bandwidth:") { push("bw_unix", fieldValue(4)) }
        if matches("Process fork.exit") { push("lat_nullproc", fieldValue(2)) }
        if matches("Process fork.execve:") { push("lat_simpleproc", fieldValue(2)) }
        if matches("Process fork..bin.sh") { push("lat_shproc", fieldValue(3)) }
        if matches("Pipe bandwidth") { push("bw_pipe", fieldValue(2)) }
        if matches("File ") && FileParser.matches(Array(line.dropFirst(5)), " write bandwidth".utf8, anchored: false) {
            let kb = fieldValue(4)?.numeric ?? 0
            push("bw_file", .string(SummaryNumbers.perlFloat("%.2f", kb / 1024)))
        }
        if matches("Pagefaults on") { push("lat_pagefault", fieldValue(3)) }
        if matches("\"mappings") { push("lat_mappings", biggest()) }
        if matches("\"read bandwidth") { push("bw_reread", biggest()) }
        if matches("\"Mmap read bandwidth") { push("bw_mmap", biggest()) }
        if matches("\"libc bcopy unaligned") { push("bw_bcopy_libc", biggest()) }
        if matches("\"unrolled bcopy unaligned") { push("bw_bcopy_unrolled", biggest()) }
        if matches("Memory read") { push("bw_mem_rdsum", biggest()) }
        if matches("Memory write") { push("bw_mem_wr", biggest()) }
        if matches("Memory load parallelism") { push("mem_load_par", biggest()) }
        if matches("\"File system latency") { fileSystemBlock() }
        if contextTrigger("0") { contextBlock("lat_ctx0", endsAt: "Memory") }
        if contextTrigger("16") { contextBlock("lat_ctx16", endsAt: nil) }
        if contextTrigger("64") { contextBlock("lat_ctx64", endsAt: "20") }
        if matches("Memory load latency") { memoryLatencyType = 1 }
        if matches("Random load latency") { memoryLatencyType = 2 }
        if matches("\"stride=128") { strideBlock(random: false) }
        if matches("\"stride=16") { strideBlock(random: true) }
    }

    private mutating func localOrRemote(_ pattern: String, _ array: String, field: Int) {
        if matches(pattern + " localhost:", anchored: false) {
            push(array + "_local", fieldValue(field))
        } else if matches(pattern, anchored: false) {
            push(array + "_remote", fieldValue(field))
        }
    }

    /// getsummary's context-switch block triggers: unanchored "size=<K>" in LMBench's
    /// files; a line starting `"size=<K>k` in ours.
    private func contextTrigger(_ size: String) -> Bool {
        strict ? matches("\"size=\(size)k") : matches("size=\(size)", anchored: false)
    }

    /// getbiggest: the field 1 of the last `^\d+\.` line before a blank or non-digit line.
    private mutating func biggest() -> PerlValue? {
        var saved: [UInt8]? = nil
        while advance() {
            if isBlank || !startsWithDigit { break }
            if startsWithDigitsAndDot { saved = current }
        }
        guard let saved else { return .number(0) }
        current = saved
        return field(1).map(PerlValue.string)
    }

    private mutating func fileSystemBlock() {
        while advance() {
            if matches("Id:", anchored: false) { continue }
            var matched = false
            for size in ["0k", "1k", "4k", "10k"] where matches(size) {
                push("fs_create_\(size)", fieldValue(2))
                push("fs_delete_\(size)", fieldValue(3))
                matched = true
                break
            }
            if !matched { break }
        }
    }

    private mutating func contextBlock(_ prefix: String, endsAt stopper: String?) {
        while advance() {
            if matches("2 ") { push(prefix + "_2", fieldValue(1)) }
            else if matches("8 ") { push(prefix + "_8", fieldValue(1)) }
            else if matches("16 ") { push(prefix + "_16", fieldValue(1)) }
            if isBlank || (stopper.map { matches($0) } ?? false) { break }
        }
    }

    private mutating func strideBlock(random: Bool) {
        var saved: PerlValue? = .number(-1)
        var size = 0.0
        while advance() {
            if isBlank { break }
            size = fieldValue(0)?.numeric ?? 0
            saved = fieldValue(1)
            if !random && memoryLatencyType == 1 {
                if size == 0.00098 { push("lat_l1", fieldValue(1)) }
                else if size == 0.12500 { push("lat_l2", fieldValue(1)) }
            }
        }
        if !random && memoryLatencyType == 1 { push("lat_mem", saved) }
        if random && memoryLatencyType == 2 { push("lat_mem_rand", saved) }
    }
}

extension Summary {
    /// A warning when the files' file-system cells ran on different file systems
    /// (their `[FSDIR_FS: ...]` lines: ext4 on a block device, tmpfs in memory),
    /// which makes those cells incomparable; nil when they agree or do not say.
    public static func fileSystemWarning(_ files: [File]) -> String? {
        var kinds: [(kind: String, paths: [String])] = []
        for file in files {
            guard let kind = ResultsHeader(file.contents)["FSDIR_FS"] else { continue }
            let row = file.path.split(separator: "/").suffix(2).joined(separator: "/")
            if let i = kinds.firstIndex(where: { $0.kind == kind }) { kinds[i].paths.append(row) } else { kinds.append((kind, [row])) }
        }
        guard kinds.count > 1 else { return nil }
        return "the file-system cells (file create/delete, mmap, page faults, file reread) ran on different file systems: "
            + kinds.map { "\($0.kind) (\($0.paths.joined(separator: ", ")))" }.joined(separator: "; ")
    }
}
