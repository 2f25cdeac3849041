import BenchCore

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

    /// What kind of cell it is, for compare's flags.
    public enum Kind: Sendable {
        case plain
        /// Computed as a difference (LMBench subtracts an overhead): a slowed kernel
        /// can make it shrink, so a "faster" candidate is more likely an artefact.
        case difference
        /// Runs in user space only: a kernel change should leave it alone, so a
        /// change there says the two sides' machines or conditions differ.
        case userSpaceControl
    }

    public let table: Group
    /// Its column in the table (from 0), which orders compare's rows.
    public let column: Int
    /// The column as the summary names it ("null call", "0K File Create").
    public let label: String
    public let unit: Unit
    public let kind: Kind
    /// getsummary arrays the value is computed from.
    package let summaryInputs: [String]
    /// Our cells the value is computed from, in the same order.
    package let cellInputs: [CellReference]
    /// How the inputs make the value (the same for both sources).
    package let combine: @Sendable ([Double]) -> Double

    public var key: String { "\(table.rawValue)/\(label)" }
    public var largerIsBetter: Bool { !unit.prefersSmaller }

    package init(_ table: Group, _ column: Int, _ label: String, _ unit: Unit = .microseconds, kind: Kind = .plain,
         summary: [String], cells: [CellReference], combine: @escaping @Sendable ([Double]) -> Double = { $0[0] }) {
        self.table = table
        self.column = column
        self.label = label
        self.unit = unit
        self.kind = kind
        summaryInputs = summary
        cellInputs = cells
        self.combine = combine
    }

    /// One getsummary array, one of our cells.
    package static func simple(_ table: Group, _ column: Int, _ label: String, _ array: String, _ cell: String,
                       kind: Kind = .plain) -> SummaryMetric {
        SummaryMetric(table, column, label, kind: kind, summary: [array], cells: [.exact(cell)])
    }

    package static func bandwidth(_ column: Int, _ label: String, _ array: String, _ cell: CellReference,
                          kind: Kind = .plain) -> SummaryMetric {
        SummaryMetric(.bandwidth, column, label, .megabytesPerSecond, kind: kind, summary: [array], cells: [cell])
    }

    /// A file create/delete rate (per second) as getsummary shows it: microseconds.
    package static func perFile(_ column: Int, _ label: String, _ array: String, _ cell: String) -> SummaryMetric {
        SummaryMetric(.filevm, column, label, summary: [array], cells: [.exact(cell)], combine: { 1e6 / $0[0] })
    }

    /// The cell a metric's input refers to, among `cells` (by id).
    package static func resolve(_ reference: SummaryMetric.CellReference, in cells: [String: Cell]) -> Cell? {
        switch reference {
        case .exact(let id): return cells[id]
        case .largest(let prefix):
            return cells.values.filter { $0.id.hasPrefix(prefix) && !$0.id.dropFirst(prefix.count).contains("/") }
                .max { ResultsFile.bytes(String($0.id.dropFirst(prefix.count))) < ResultsFile.bytes(String($1.id.dropFirst(prefix.count))) }
        }
    }

    /// The ids of those of `cells` that feed one of `metrics`.
    static func cellIDs(_ cells: [Cell], feeding metrics: [SummaryMetric]) -> Set<String> {
        let byID = Dictionary(cells.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return Set(metrics.flatMap { $0.cellInputs.compactMap { resolve($0, in: byID)?.id } })
    }

    /// The cell as a paper names it: LMBench's abbreviations spelt out.
    public var fullName: String {
        let names = [
            "null call": "null system call", "null I/O": "null I/O (read, write)", "open clos": "open/close",
            "slct TCP": "select, 100 TCP sockets", "sig inst": "signal handler install", "sig hndl": "signal handler catch",
            "fork proc": "fork + exit", "exec proc": "fork + exec", "sh proc": "fork + /bin/sh -c",
            "2p/0K ctxsw": "context switch, 2 processes, 0 KB", "100fd selct": "select, 100 file descriptors",
            "TCP conn": "TCP connect", "Mmap Latency": "mmap latency", "Prot Fault": "protection fault", "Page Fault": "page fault",
            "0K File Create": "0 KB file create", "0K File Delete": "0 KB file delete",
            "10K File Create": "10 KB file create", "10K File Delete": "10 KB file delete",
            "File reread": "file reread", "Mmap reread": "mmap reread", "Pipe": "pipe",
        ]
        if let name = names[label] { return name }
        if table == .ctx, let slash = label.firstIndex(of: "/"), label.hasSuffix("K") {
            return "context switch, \(label[..<slash].dropLast()) processes, \(label[label.index(after: slash)...].dropLast()) KB"
        }
        return label
    }

    public var isUserSpaceControl: Bool { kind == .userSpaceControl }
    public var isDifference: Bool { kind == .difference }
}
