/// One cell of LMBench's summary tables, as `compare` puts it side by side: where
/// getsummary reads it in a results file, and which of our cells it comes from
/// in a run JSON (so that its interval samples can be used).
public struct SummaryMetric: Sendable {
    /// Where one input of a metric comes from in a run JSON.
    public enum CellReference: Sendable, Equatable {
        case exact(String)
        /// The cell of the largest size with this prefix ("file-reread/"), as getsummary
        /// takes the last (largest) line of a block.
        case largest(String)
    }

    public let table: Group
    /// The column as the summary names it ("null call", "0K File Create").
    public let label: String
    public let unit: Unit
    /// getsummary arrays the value is computed from.
    let summaryInputs: [String]
    /// Our cells the value is computed from, in the same order.
    let cellInputs: [CellReference]
    /// How the inputs make the value (the same for both sources).
    let combine: @Sendable ([Double]) -> Double

    public var key: String { "\(table.rawValue)/\(label)" }
    public var largerIsBetter: Bool { !unit.prefersSmaller }

    init(_ table: Group, _ label: String, _ unit: Unit = .microseconds, summary: [String], cells: [CellReference],
         combine: @escaping @Sendable ([Double]) -> Double = { $0[0] }) {
        self.table = table
        self.label = label
        self.unit = unit
        summaryInputs = summary
        cellInputs = cells
        self.combine = combine
    }

    static func simple(_ table: Group, _ label: String, _ array: String, _ cell: String) -> SummaryMetric {
        SummaryMetric(table, label, summary: [array], cells: [.exact(cell)])
    }

    static func bandwidth(_ label: String, _ array: String, _ cell: CellReference) -> SummaryMetric {
        SummaryMetric(.bandwidth, label, .megabytesPerSecond, summary: [array], cells: [cell])
    }

    /// A file create/delete rate (per second) as getsummary shows it: microseconds.
    static func perFile(_ label: String, _ array: String, _ cell: String) -> SummaryMetric {
        SummaryMetric(.filevm, label, summary: [array], cells: [.exact(cell)], combine: { 1e6 / $0[0] })
    }

    /// Every performance cell of the OS summary tables, in their order (Mhz and
    /// the basic parameters are not performance figures).
    public static let all: [SummaryMetric] = [
        .simple(.processor, "null call", "lat_syscall", "null-call"),
        SummaryMetric(.processor, "null I/O", summary: ["lat_read", "lat_write"], cells: [.exact("null-read"), .exact("null-write")],
                      combine: { ($0[0] + $0[1]) / 2 }),
        .simple(.processor, "stat", "lat_stat", "stat"),
        .simple(.processor, "open clos", "lat_openclose", "open-close"),
        .simple(.processor, "slct TCP", "lat_tcp_select", "select-tcp/100"),
        .simple(.processor, "sig inst", "lat_siginstall", "sig-install"),
        .simple(.processor, "sig hndl", "lat_sigcatch", "sig-catch"),
        .simple(.processor, "fork proc", "lat_nullproc", "fork"),
        .simple(.processor, "exec proc", "lat_simpleproc", "exec"),
        .simple(.processor, "sh proc", "lat_shproc", "shell"),
        .simple(.ctx, "2p/0K", "lat_ctx0_2", "ctx-0k/2"),
        .simple(.ctx, "2p/16K", "lat_ctx16_2", "ctx-16k/2"),
        .simple(.ctx, "2p/64K", "lat_ctx64_2", "ctx-64k/2"),
        .simple(.ctx, "8p/16K", "lat_ctx16_8", "ctx-16k/8"),
        .simple(.ctx, "8p/64K", "lat_ctx64_8", "ctx-64k/8"),
        .simple(.ctx, "16p/16K", "lat_ctx16_16", "ctx-16k/16"),
        .simple(.ctx, "16p/64K", "lat_ctx64_16", "ctx-64k/16"),
        .simple(.latency, "2p/0K ctxsw", "lat_ctx0_2", "ctx-0k/2"),
        .simple(.latency, "Pipe", "lat_pipe", "pipe-latency"),
        .simple(.latency, "AF UNIX", "lat_unix", "unix-latency"),
        .simple(.latency, "UDP", "lat_udp_local", "udp-latency"),
        .simple(.latency, "RPC/UDP", "lat_rpc_udp_local", "rpc-udp-latency"),
        .simple(.latency, "TCP", "lat_tcp_local", "tcp-latency"),
        .simple(.latency, "RPC/TCP", "lat_rpc_tcp_local", "rpc-tcp-latency"),
        .simple(.latency, "TCP conn", "lat_tcp_connect_local", "tcp-connect"),
        .perFile("0K File Create", "fs_create_0k", "fs-create/0k"),
        .perFile("0K File Delete", "fs_delete_0k", "fs-delete/0k"),
        .perFile("10K File Create", "fs_create_10k", "fs-create/10k"),
        .perFile("10K File Delete", "fs_delete_10k", "fs-delete/10k"),
        SummaryMetric(.filevm, "Mmap Latency", summary: ["lat_mappings"], cells: [.largest("mmap-latency/")]),
        .simple(.filevm, "Prot Fault", "lat_protfault", "prot-fault"),
        .simple(.filevm, "Page Fault", "lat_pagefault", "page-fault"),
        .simple(.filevm, "100fd selct", "lat_fd_select", "select-file/100"),
        .bandwidth("Pipe", "bw_pipe", .exact("pipe-bw")),
        .bandwidth("AF UNIX", "bw_unix", .exact("unix-bw")),
        .bandwidth("TCP", "bw_tcp_local", .exact("tcp-bw/10m")),
        .bandwidth("File reread", "bw_reread", .largest("file-reread/")),
        .bandwidth("Mmap reread", "bw_mmap", .largest("mmap-reread/")),
        .bandwidth("Bcopy (libc)", "bw_bcopy_libc", .largest("bcopy-libc/")),
        .bandwidth("Bcopy (hand)", "bw_bcopy_unrolled", .largest("bcopy-unrolled/")),
        .bandwidth("Mem read", "bw_mem_rdsum", .largest("mem-read/")),
        .bandwidth("Mem write", "bw_mem_wr", .largest("mem-write/")),
    ]

    /// Cells that run in user space only: a kernel change should leave them alone,
    /// so a change there says the two sides' machines or conditions differ.
    public var isUserSpaceControl: Bool {
        table == .bandwidth && ["Mmap reread", "Bcopy (libc)", "Bcopy (hand)", "Mem read", "Mem write"].contains(label)
    }

    /// Cells computed as a difference (LMBench subtracts an overhead), where a
    /// slowed kernel can make the difference shrink: a "faster" candidate there is
    /// more likely an artefact of the subtraction.
    public var isDifference: Bool {
        table == .ctx || label == "2p/0K ctxsw" || label == "sig hndl" || label == "Prot Fault" || label == "Page Fault"
    }
}
