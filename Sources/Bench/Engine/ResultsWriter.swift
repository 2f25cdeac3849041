import BenchCore

/// The LMBench results file: header lines, then each benchmark's lines in the order
/// and format LMBench's OS run writes them, each summarized line exactly once, so
/// that LMBench's getsummary (and `make see`) reads it like one of its own.
public enum ResultsFile {
    /// The size lists LMBench derives from MB: ALL ends at the largest power of two
    /// not above MB MiB, HALF at half of that.
    public static func sizeLists(mb: Int) -> (all: [String], half: [String]) {
        var all = ["512", "1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k", "512k", "1m"]
        var half = all
        all.append("2m")
        var i = 4
        while i <= mb {
            all.append("\(i)m")
            half.append("\(i / 2)m")
            i *= 2
        }
        return (all, half)
    }

    /// Bytes of a size-list entry ("512", "64k", "32m").
    public static func bytes(_ size: String) -> Int {
        if size.hasSuffix("k") { return (Int(size.dropLast()) ?? 0) << 10 }
        if size.hasSuffix("m") { return (Int(size.dropLast()) ?? 0) << 20 }
        return Int(size) ?? 0
    }

    /// The header line that says who wrote the file (it must not start with "[lmbench").
    public static let toolHeaderKey = "TOOL"

    // MARK: lines getsummary must not misread

    /// Unanchored patterns getsummary tests against every line: a header value
    /// containing one would be read as a result (or start a context-switch block).
    static let summaryTriggers = ["size=0", "size=16", "size=64", "MHZ", "Mhz", "LINE_SIZE", "SYNC_MAX",
                                  "AF_UNIX sock stream latency:", "latency using", "connection cost to"]

    /// A free-form header line, or a placeholder if its value could be misread.
    package static func headerLine(_ key: String, _ value: String) -> String {
        let line = "[\(key): \(value.replacingNewlines)]"
        if summaryTriggers.contains(where: { line.contains($0) }) {
            return "[\(key): (withheld: the text would confuse LMBench's summary; see the JSON file)]"
        }
        return line
    }
}

private extension String {
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}

/// Builds the text of one results file: the header (written above the catalog,
/// in Formats/ResultsFile.swift, as it names benchmarks), then each benchmark's
/// lines (`Benchmark.results`), written with the helpers below in LMBench's formats.
public struct ResultsWriter {
    package let run: RunResult
    package var text = ""
    package let cells: [String: Cell]
    package let lists: (all: [String], half: [String])
    /// A run of blocks that LMBench's script opens (and closes) with a blank line.
    package enum Section { case memory, contextSwitch }
    var section: Section?

    package init(run: RunResult) {
        self.run = run
        var cells: [String: Cell] = [:]
        for cell in run.allCells { cells[cell.id] = cell }
        self.cells = cells
        lists = ResultsFile.sizeLists(mb: run.settings.mb)
    }

    package mutating func line(_ s: String) { text += s + "\n" }

    /// Starts writing in `next` (nil: outside any section): closes the current
    /// section and opens the next one with their blank lines.
    package mutating func enter(_ next: Section?) {
        guard next != section else { return }
        if section == .contextSwitch { line("") }
        if next != nil { line("") }
        section = next
    }

    /// The last lines: a blank line and the date.
    package mutating func end() {
        enter(nil)
        line("")
        line("[\(run.environment.endDate.isEmpty ? run.environment.startDate : run.environment.endDate)]")
    }

    /// The value of a cell if the results file can carry it (finite and positive).
    package func value(_ id: String) -> Double? {
        guard let v = cells[id]?.value, v.isFinite, v > 0 else { return nil }
        return v
    }

    /// The test file as the run recorded it (the file-write cell's, else the page-fault cell's "file").
    package var testFile: String {
        let path = run.allCells.lazy.compactMap { $0.detail["file"] }.first ?? run.settings.fsdir + "/XXX"
        return path.contains(where: { $0 == " " || $0 == "\t" }) ? "XXX" : path
    }

    /// LMBench's bandwidth(): size in MB and MB/s, "%.6f" below 1, "%.2f" above.
    func sizeAndRate(_ bytes: Int, _ rate: Double) -> String {
        let mb = Double(bytes) / 1e6
        return cFormat(mb < 1 ? "%.6f " : "%.2f ", mb) + cFormat(rate < 1 ? "%.6f" : "%.2f", rate)
    }

    /// A title line and one line per size with a value ("<MB> <rate>"), then a
    /// blank line; nothing when no size has a value.
    @discardableResult
    package mutating func sizeBlock(_ title: String, prefix: String, sizes: [String], leadingBlank: Bool = false,
                            in section: Section? = nil) -> Bool {
        let rows = sizes.compactMap { size in value("\(prefix)/\(size)").map { (size, $0) } }
        guard !rows.isEmpty else { return false }
        enter(section)
        if leadingBlank { line("") }
        line(title)
        for (size, rate) in rows { line(sizeAndRate(ResultsFile.bytes(size), rate)) }
        line("")
        return true
    }

    /// Iterations of the interval whose per-operation time is the median (lat_fs's n).
    package func medianIterations(_ cell: Cell) -> Int {
        guard let series = cell.series.first, !series.samples.isEmpty else { return 0 }
        let sorted = series.samples.sorted { series.perOperationNs($0) < series.perOperationNs($1) }
        return Int(sorted[sorted.count / 2].iterations)
    }
}
