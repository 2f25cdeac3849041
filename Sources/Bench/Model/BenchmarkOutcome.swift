/// How one benchmark's run ended.
public enum BenchmarkStatus: Equatable, Sendable {
    case ok
    /// Crashed, hung, or reported an error: the reason says which.
    case failed(String)
    /// Stopped by SIGINT/SIGTERM before it finished.
    case interrupted
}

/// Something about a benchmark's run a reader must know.
public enum BenchmarkWarning: Equatable, Sendable {
    /// A cell the results file cannot carry: zero or negative after a subtraction,
    /// or not a number (LMBench drops such a line silently; the JSON keeps the cell).
    case unrepresentable(cell: String, value: Double, terms: [String])
    /// What a benchmark reported while it ran (datagrams lost and sent again, ...).
    case reported(String)

    /// As the JSON and standard error show it.
    public var text: String {
        switch self {
        case let .unrepresentable(cell, value, terms):
            return "cell \(cell) is " + cFormat("%.4f", value) + " after the subtraction (\(terms.joined(separator: ", "))): "
                + "left out of the results file, kept in the JSON"
        case .reported(let text): return text
        }
    }
}

/// Everything one benchmark produced: its cells, and why any are missing.
public struct BenchmarkOutcome: Equatable, Sendable {
    public var id: String
    public var status: BenchmarkStatus
    public var cells: [Cell]
    /// Problems worth a reader's attention (a cell the results file cannot carry, ...).
    public var warnings: [BenchmarkWarning]
    /// Facts about how it ran (which hello program, the file size, ...).
    public var notes: [String: String]
    /// Cells that could not be measured, with the reason, while the others were
    /// (a ring of 32 processes under a process limit).
    public var cellFailures: [String: String] = [:]
    public var elapsedSeconds: Double
    /// Failed during this run (not in an earlier run being resumed): not retried.
    public var failedThisRun = false

    public init(id: String, status: BenchmarkStatus = .ok, cells: [Cell] = [], warnings: [BenchmarkWarning] = [],
                notes: [String: String] = [:], elapsedSeconds: Double = 0) {
        self.id = id
        self.status = status
        self.cells = cells
        self.warnings = warnings
        self.notes = notes
        self.elapsedSeconds = elapsedSeconds
    }
}

extension BenchmarkOutcome {
    /// The benchmark failed, or some of its cells did.
    public var hasFailure: Bool {
        if case .failed = status { return true }
        return !cellFailures.isEmpty
    }

    /// This outcome with every sample marked as recorded in `round`.
    public func inRound(_ round: Int) -> BenchmarkOutcome {
        var tagged = self
        for c in tagged.cells.indices {
            for s in tagged.cells[c].series.indices {
                for i in tagged.cells[c].series[s].samples.indices { tagged.cells[c].series[s].samples[i].round = round }
            }
        }
        return tagged
    }

    /// This outcome with a later pass's added: samples appended to their series,
    /// new cells and notes taken, the first failure kept.
    public func merging(_ later: BenchmarkOutcome) -> BenchmarkOutcome {
        var merged = self
        for cell in later.cells {
            guard let index = merged.cells.firstIndex(where: { $0.id == cell.id }) else {
                merged.cells.append(cell)
                continue
            }
            for series in cell.series {
                if let s = merged.cells[index].series.firstIndex(where: { $0.name == series.name }) {
                    merged.cells[index].series[s].samples += series.samples
                } else {
                    merged.cells[index].series.append(series)
                }
            }
        }
        merged.notes.merge(later.notes) { _, new in new }
        merged.cellFailures.merge(later.cellFailures) { first, _ in first }
        merged.warnings += later.warnings.filter { warning in !merged.warnings.contains { $0.text == warning.text } }
        merged.elapsedSeconds += later.elapsedSeconds
        switch (status, later.status) {
        case (.failed, _): break
        case (_, .failed), (_, .interrupted):
            merged.status = later.status
            merged.failedThisRun = later.failedThisRun
        default:
            merged.status = later.status
        }
        return merged
    }
}
