/// What a value is measured in; decides which direction is better.
public enum Unit: String, Sendable, CaseIterable {
    case microseconds = "us"
    case megabytesPerSecond = "MB/s"
    case kilobytesPerSecond = "KB/s"
    case perSecond = "1/s"
    case megahertz = "MHz"

    public var prefersSmaller: Bool { self == .microseconds }
}

/// One measured figure (a results-file value or a row of a results block), with
/// every sample it came from.
public struct Cell: Equatable, Sendable {
    /// Stable id: the benchmark id, then "/" and a parameter where there is one ("select-file/100").
    public var id: String
    public var unit: Unit
    public var estimate: Estimate
    public var series: [Series]
    /// Parameters of the cell that are not part of its id (file size, process count, ...).
    public var detail: [String: String]

    public init(id: String, unit: Unit, estimate: Estimate, series: [Series], detail: [String: String] = [:]) {
        self.id = id
        self.unit = unit
        self.estimate = estimate
        self.series = series
        self.detail = detail
    }

    public func series(named name: String) -> Series? { series.first { $0.name == name } }

    /// Per-operation times of each term's series, in term order.
    var termGroups: [[Double]] {
        estimate.terms.map { series(named: $0.series)?.perOperationNs ?? [] }
    }

    /// Each term's statistic of its series' per-operation time, ns (a ctx cell's raw
    /// per-switch time and the overhead it subtracts).
    public var termValues: [Double] { estimate.termValues(termGroups) }

    /// The value as LMBench computes it (median of each series, combined).
    public var value: Double {
        let groups = termGroups
        return groups.contains(where: \.isEmpty) ? .nan : estimate.evaluate(groups)
    }

    public var statistics: CellStatistics { CellStatistics(self) }

    /// A quick relative half-width of the value's 95% interval (fewer resamples:
    /// for deciding where more intervals go, not for reporting).
    public var roughPrecision: Double? {
        let groups = termGroups
        guard groups.allSatisfy({ $0.count >= 3 }),
              let interval = Bootstrap.interval(groups: groups, resamples: 300, seed: SplitMix64.seed(id), statistic: {
                  estimate.evaluate($0)
              }) else { return nil }
        let v = value
        return v == 0 || !v.isFinite ? nil : (interval.high - interval.low) / 2 / abs(v)
    }
}

/// The value of a cell with its 95% bootstrap interval, and per-series summaries.
public struct CellStatistics: Sendable {
    public let value: Double
    public let interval: (low: Double, high: Double)?
    public let series: [(name: String, statistics: Statistics, medianInterval: (low: Double, high: Double)?)]

    public init(_ cell: Cell) {
        value = cell.value
        let groups = cell.termGroups
        let enoughSamples = groups.allSatisfy { $0.count >= 3 }
        interval = enoughSamples
            ? Bootstrap.interval(groups: groups, seed: SplitMix64.seed(cell.id)) { cell.estimate.evaluate($0) }
            : nil
        series = cell.series.map { s in
            let values = s.perOperationNs
            let ci = values.count >= 3
                ? Bootstrap.interval(groups: [values], seed: SplitMix64.seed(cell.id + "/" + s.name)) {
                    Statistics($0[0]).median
                } : nil
            return (s.name, Statistics(values), ci)
        }
    }

    /// Half the interval's width relative to the value (0.01 = ±1%); nil without an interval.
    public var relativeHalfWidth: Double? {
        guard let interval, value != 0, value.isFinite else { return nil }
        return (interval.high - interval.low) / 2 / abs(value)
    }
}
