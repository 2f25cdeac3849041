import BenchCore

/// The printing half of getsummary: banner, then each table that has data, one
/// row per results file, in getsummary's order and layout.
extension SummaryData {
    func render() -> String {
        var out = "\n                 L M B E N C H  3 . 0   S U M M A R Y\n"
        out += "                 ------------------------------------\n"
        out += "\t\t (Alpha software, do not distribute)\n\n"
        basic(&out)
        process(&out)
        operations(&out)
        contextSwitch(&out)
        localLatencies(&out)
        remoteLatencies(&out)
        fileAndVM(&out)
        localBandwidths(&out)
        memoryLatencies(&out)
        return out
    }

    private var rows: Range<Int> { 0..<unames.count }

    /// A table header: each line ends in a newline (some keep trailing blanks).
    private func headerLines(_ lines: String...) -> String { lines.map { $0 + "\n" }.joined() }

    /// getsummary's resultsq: does any listed array have a value > 0 in these rows?
    private func anyResult(_ names: [String], in range: Range<Int>) -> Bool {
        range.contains { i in names.contains { (value($0, i)?.numeric ?? 0) > 0 } }
    }

    /// Host and OS columns (from the file's name and its kernel release: escaped, see `printable`).
    private func rowStart(_ i: Int) -> String {
        s(printable(hosts.indices.contains(i) ? hosts[i] ?? "" : ""), 9, left: true) + " " + s(printable(os(unames[i])), 13) + " "
    }

    /// "$info[3] $info[5]" of the [lmbench line split on whitespace runs.
    private func os(_ uname: String) -> String {
        var fields = uname.split(separator: " ", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            .map(String.init)
        // Perl's split(/\s+/): runs collapse, a leading separator gives one empty field.
        var collapsed: [String] = []
        for (index, field) in fields.enumerated() where !field.isEmpty || (index == 0 && uname.first?.isWhitespace == true) {
            collapsed.append(field)
        }
        fields = collapsed
        func at(_ i: Int) -> String { i < fields.count ? fields[i] : "" }
        return at(3) + " " + at(5)
    }

    private func s(_ text: String, _ width: Int, left: Bool = false) -> String {
        SummaryNumbers.perlString(text, width: width, precision: width, left: left)
    }

    private func num(_ name: String, _ i: Int, _ width: Int) -> String { SummaryNumbers.num(value(name, i), width) }
    private func inum(_ name: String, _ i: Int, _ width: Int) -> String { SummaryNumbers.inum(value(name, i), width) }
    private func scaled(_ v: PerlValue?, _ i: Int, _ width: Int) -> String {
        SummaryNumbers.scaleNum(v, width, load: value("load", i))
    }

    /// A table: its header when any row has data, then each row that has data.
    private func table(_ out: inout String, gate: [String], header: String, row: (Int) -> String) {
        guard anyResult(gate, in: rows) else { return }
        out += header
        for i in rows where anyResult(gate, in: i..<(i + 1)) { out += rowStart(i) + row(i) + "\n" }
    }

    private func basic(_ out: inout String) {
        table(&out, gate: ["tlb", "line_size", "mem_load_par"], header: headerLines("Basic system parameters", "------------------------------------------------------------------------------", "Host                 OS Description              Mhz  tlb  cache  mem   scal", "                                                     pages line   par   load", "                                                           bytes  ", "--------- ------------- ----------------------- ---- ----- ----- ------ ----")) { i in
            s(printable(descriptions.indices.contains(i) ? descriptions[i] ?? "" : ""), 23) + " "
                + [s(inum("misc_mhz", i, 4), 4), s(inum("tlb", i, 5), 5), s(inum("line_size", i, 5), 5),
                   s(num("mem_load_par", i, 6), 6), s(inum("load", i, 4), 4)].joined(separator: " ")
        }
    }

    private static let processGate = ["lat_syscall", "lat_read", "lat_write", "lat_stat", "lat_openclose",
                                      "lat_tcp_select", "lat_siginstall", "lat_sigcatch", "lat_nullproc",
                                      "lat_simpleproc", "lat_shproc"]

    private func process(_ out: inout String) {
        table(&out, gate: SummaryData.processGate, header: headerLines("", "Processor, Processes - times in microseconds - smaller is better", "------------------------------------------------------------------------------", "Host                 OS  Mhz null null      open slct sig  sig  fork exec sh  ", "                             call  I/O stat clos TCP  inst hndl proc proc proc", "--------- ------------- ---- ---- ---- ---- ---- ---- ---- ---- ---- ---- ----")) { i in
            // No /dev/zero: write alone; else the mean of read and write.
            let read = value("lat_read", i)
            let io: PerlValue? = (read?.numeric ?? 0) == -1
                ? value("lat_write", i)
                : .number(((read?.numeric ?? 0) + (value("lat_write", i)?.numeric ?? 0)) / 2)
            let mhz = SummaryNumbers.perlFloat("%4.0f", width: 4, value("misc_mhz", i)?.numeric ?? 0)
            let columns = [num("lat_syscall", i, 4), SummaryNumbers.num(io, 4), num("lat_stat", i, 4),
                           num("lat_openclose", i, 4), num("lat_tcp_select", i, 4), num("lat_siginstall", i, 4),
                           num("lat_sigcatch", i, 4), num("lat_nullproc", i, 4), num("lat_simpleproc", i, 4),
                           num("lat_shproc", i, 4)]
            return ([mhz] + columns.map { s($0, 4) }).joined(separator: " ")
        }
    }

    private func operations(_ out: inout String) {
        let kinds: [(prefix: String, names: [String], header: String, first: String)] = [
            ("integer", ["bit", "add", "mul", "div", "mod"], headerLines("", "Basic integer operations - times in nanoseconds - smaller is better", "-------------------------------------------------------------------", "Host                 OS  intgr intgr  intgr  intgr  intgr  ", "                          bit   add    mul    div    mod   ", "--------- ------------- ------ ------ ------ ------ ------ "), ""),
            ("int64", ["bit", "add", "mul", "div", "mod"], headerLines("", "Basic uint64 operations - times in nanoseconds - smaller is better", "------------------------------------------------------------------", "Host                 OS int64  int64  int64  int64  int64  ", "                         bit    add    mul    div    mod   ", "--------- ------------- ------ ------ ------ ------ ------ "), " "),
            ("float", ["add", "mul", "div", "bogomflops"], headerLines("", "Basic float operations - times in nanoseconds - smaller is better", "-----------------------------------------------------------------", "Host                 OS  float  float  float  float", "                         add    mul    div    bogo", "--------- ------------- ------ ------ ------ ------ "), ""),
            ("double", ["add", "mul", "div", "bogomflops"], headerLines("", "Basic double operations - times in nanoseconds - smaller is better", "------------------------------------------------------------------", "Host                 OS  double double double double", "                         add    mul    div    bogo", "--------- ------------- ------  ------ ------ ------ "), ""),
        ]
        for kind in kinds {
            let arrays = kind.names.map { "\(kind.prefix)_\($0)" }
            table(&out, gate: arrays, header: kind.header) { i in
                // The uint64 table prints its first column one character narrower.
                let cells = arrays.enumerated().map { index, name in
                    let text = scaled(value(name, i), i, 6)
                    return index == 0 && !kind.first.isEmpty ? s(text, 5) : s(text, 6)
                }
                return kind.first + cells.joined(separator: " ")
            }
        }
    }

    private func contextSwitch(_ out: inout String) {
        let arrays = ["lat_ctx0_2", "lat_ctx16_2", "lat_ctx64_2", "lat_ctx16_8", "lat_ctx64_8", "lat_ctx16_16", "lat_ctx64_16"]
        table(&out, gate: arrays, header: headerLines("", "Context switching - times in microseconds - smaller is better", "-------------------------------------------------------------------------", "Host                 OS  2p/0K 2p/16K 2p/64K 8p/16K 8p/64K 16p/16K 16p/64K", "                         ctxsw  ctxsw  ctxsw ctxsw  ctxsw   ctxsw   ctxsw", "--------- ------------- ------ ------ ------ ------ ------ ------- -------")) { i in
            arrays.enumerated().map { index, name in
                let width = index < 5 ? 6 : 7
                return s(num(name, i, width), width)
            }.joined(separator: " ")
        }
    }

    private func localLatencies(_ out: inout String) {
        table(&out, gate: ["lat_ctx0_2", "lat_pipe", "lat_unix", "lat_udp_local", "lat_rpc_udp_local",
                           "lat_tcp_local", "lat_rpc_tcp_local", "lat_tcp_connect_local"], header: headerLines("", "*Local* Communication latencies in microseconds - smaller is better", "---------------------------------------------------------------------", "Host                 OS 2p/0K  Pipe AF     UDP  RPC/   TCP  RPC/ TCP", "                        ctxsw       UNIX         UDP         TCP conn", "--------- ------------- ----- ----- ---- ----- ----- ----- ----- ----")) { i in
            [s(num("lat_ctx0_2", i, 5), 5), s(num("lat_pipe", i, 5), 5), s(num("lat_unix", i, 4), 4),
             s(num("lat_udp_local", i, 5), 5), s(num("lat_rpc_udp_local", i, 5), 5),
             s(num("lat_tcp_local", i, 5), 5), s(num("lat_rpc_tcp_local", i, 5), 5),
             s(scaled(value("lat_tcp_connect_local", i), i, 5), 4)].joined(separator: " ")
        }
    }

    private func remoteLatencies(_ out: inout String) {
        table(&out, gate: ["lat_udp_remote", "lat_rpc_udp_remote", "lat_tcp_remote", "lat_rpc_tcp_remote",
                           "lat_tcp_connect_remote"], header: headerLines("", "*Remote* Communication latencies in microseconds - smaller is better", "---------------------------------------------------------------------", "Host                 OS   UDP  RPC/  TCP   RPC/ TCP", "                               UDP         TCP  conn", "--------- ------------- ----- ----- ----- ----- ----")) { i in
            [s(num("lat_udp_remote", i, 5), 5), s(num("lat_rpc_udp_remote", i, 5), 5),
             s(num("lat_tcp_remote", i, 5), 5), s(num("lat_rpc_tcp_remote", i, 5), 5),
             s(scaled(value("lat_tcp_connect_remote", i), i, 4), 4)].joined(separator: " ")
        }
    }

    private func fileAndVM(_ out: inout String) {
        table(&out, gate: ["fs_create_0k", "fs_create_10k", "fs_delete_0k", "fs_delete_10k", "lat_mappings",
                           "lat_protfault", "lat_pagefault"], header: headerLines("", "File & VM system latencies in microseconds - smaller is better", "-------------------------------------------------------------------------------", "Host                 OS   0K File      10K File     Mmap    Prot   Page   100fd", "                        Create Delete Create Delete Latency Fault  Fault  selct", "--------- ------------- ------ ------ ------ ------ ------- ----- ------- -----")) { i in
            // Rates (per second) become microseconds per operation.
            func perOperation(_ name: String) -> PerlValue {
                let rate = value(name, i)?.numeric ?? 0
                return .number(rate <= 0 ? -1 : 1_000_000.0 / rate)
            }
            return [s(scaled(perOperation("fs_create_0k"), i, 6), 6), s(scaled(perOperation("fs_delete_0k"), i, 6), 6),
                    s(scaled(perOperation("fs_create_10k"), i, 6), 6), s(scaled(perOperation("fs_delete_10k"), i, 6), 6),
                    s(num("lat_mappings", i, 7), 7), s(num("lat_protfault", i, 5), 5),
                    s(num("lat_pagefault", i, 7), 7), s(num("lat_fd_select", i, 5), 5)].joined(separator: " ")
        }
    }

    private func localBandwidths(_ out: inout String) {
        table(&out, gate: ["bw_pipe", "bw_unix", "bw_tcp_local", "bw_reread", "bw_bcopy_libc", "bw_bcopy_unrolled",
                           "bw_mem_rdsum", "bw_mem_wr"], header: headerLines("", "*Local* Communication bandwidths in MB/s - bigger is better", "-----------------------------------------------------------------------------", "Host                OS  Pipe AF    TCP  File   Mmap  Bcopy  Bcopy  Mem   Mem", "                             UNIX      reread reread (libc) (hand) read write", "--------- ------------- ---- ---- ---- ------ ------ ------ ------ ---- -----")) { i in
            [s(num("bw_pipe", i, 4), 4), s(num("bw_unix", i, 4), 4), s(num("bw_tcp_local", i, 4), 4),
             s(num("bw_reread", i, 6), 6), s(num("bw_mmap", i, 6), 6), s(num("bw_bcopy_libc", i, 6), 6),
             s(num("bw_bcopy_unrolled", i, 6), 6), s(num("bw_mem_rdsum", i, 4), 4),
             s(num("bw_mem_wr", i, 5), 5)].joined(separator: " ")
        }
    }

    private func memoryLatencies(_ out: inout String) {
        let gate = ["lat_l1", "lat_l2", "lat_mem"]
        guard anyResult(gate, in: rows) else { return }
        out += headerLines("", "Memory latencies in nanoseconds - smaller is better", "    (WARNING - may not be correct, check graphs)", "------------------------------------------------------------------------------", "Host                 OS   Mhz   L1 $   L2 $    Main mem    Rand mem    Guesses", "--------- -------------   ---   ----   ----    --------    --------    -------")
        for i in rows where anyResult(gate, in: i..<(i + 1)) {
            out += s(hosts.indices.contains(i) ? hosts[i] ?? "" : "", 9, left: true) + " " + s(os(unames[i]), 13)
            out += cFormat("  %4lld", value("misc_mhz", i)?.integer ?? 0)
            let l1 = value("lat_l1", i)?.numeric ?? 0
            let l2 = value("lat_l2", i)?.numeric ?? 0
            let mem = value("lat_mem", i)?.numeric ?? 0
            // check_caches: Perl dies on 0/0 here, which ends the report.
            func same(_ a: Double, _ b: Double) -> Bool? {
                let denominator = a > b ? a : b
                if denominator == 0 { return nil }
                return abs(a - b) / denominator * 100 <= 20
            }
            guard let l1l2 = same(l1, l2) else { return }
            var message = ""
            if !l1l2 {
                guard let l2mem = same(l2, mem) else { return }
                if l2mem { message = "    No L2 cache?" }
            } else {
                message = "    No L1 cache?"
            }
            if l1 < 0 {
                out += SummaryNumbers.perlString("-", width: 6) + " " + SummaryNumbers.perlString("-", width: 6)
                    + " " + SummaryNumbers.perlString("-", width: 11) + "    Bad mhz?"
            } else {
                out += " " + [s(num("lat_l1", i, 6), 6), s(num("lat_l2", i, 6), 6), s(num("lat_mem", i, 6), 6),
                              s(num("lat_mem_rand", i, 6), 11)].joined(separator: " ")
                if message.contains("L") { out += message }
            }
            out += "\n"
        }
    }
}
