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

    /// The cell as one round measured it: its samples of that round only.
    package func inRoundOnly(_ round: Int) -> Cell {
        var cell = self
        for i in cell.series.indices { cell.series[i].samples.removeAll { $0.round != round } }
        return cell
    }

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
    /// for deciding where more intervals go and the progress lines, not for reporting).
    public var roughPrecision: Double? {
        guard let interval = valueInterval(resamples: Bootstrap.quickResamples) else { return nil }
        let v = value
        return v == 0 || !v.isFinite ? nil : (interval.high - interval.low) / 2 / abs(v)
    }

    /// The 95% bootstrap interval of the value, resampling blocks (`blocks`); nil
    /// with fewer than three blocks.
    package func valueInterval(resamples: Int = Bootstrap.defaultResamples) -> (low: Double, high: Double)? {
        let blocks = self.blocks
        guard blocks.count >= 3, termGroups.allSatisfy({ !$0.isEmpty }) else { return nil }
        let resampling = Resampling(blocks, terms: estimate.terms.count)
        return Bootstrap.interval(resamples: resamples, seed: SplitMix64.seed(id)) { generator in
            estimate.evaluate(resampling.draw(&generator))
        }
    }

    /// One interval of each term that were taken together: in the same round and,
    /// within it, the same slot (the n-th interval a series recorded in that round,
    /// counted modulo what the first term recorded). The terms of a difference
    /// are sampled in turn (kill with and without a handler, a ring and its
    /// overhead), so a bootstrap that resamples blocks keeps them paired, and one
    /// that resamples rounds keeps the two sides of an A/B run paired.
    public struct Block: Sendable {
        public let round: Int
        /// Its place in the round (the n-th interval of the first term): with the
        /// round, what pairs it with the same block of the other side of an A/B run.
        public let slot: Int
        /// Per term of the estimate, its per-operation times in this block.
        public let values: [[Double]]
    }

    public var blocks: [Block] {
        let termSeries = estimate.terms.map { series(named: $0.series) }
        func byRound(_ s: Series?) -> [Int: [Double]] {
            guard let s else { return [:] }
            var rounds: [Int: [Double]] = [:]
            for sample in s.samples { rounds[sample.round, default: []].append(s.perOperationNs(sample)) }
            return rounds
        }
        let rounds = termSeries.map(byRound)
        var blocks: [Block] = []
        for round in Set(rounds.flatMap(\.keys)).sorted() {
            let slots = max(1, rounds.first?[round]?.count ?? 1)
            var values = Array(repeating: Array(repeating: [Double](), count: rounds.count), count: slots)
            for (term, perRound) in rounds.enumerated() {
                for (index, value) in (perRound[round] ?? []).enumerated() { values[index % slots][term].append(value) }
            }
            blocks += values.enumerated().map { Block(round: round, slot: $0.offset, values: $0.element) }
        }
        return blocks
    }

    /// The blocks laid out for resampling: per term, every block's values in one
    /// array and where each block's begin. A bootstrap draws a cell's blocks
    /// thousands of times; copying a block (its arrays retained and released)
    /// per draw made a 10^5-interval compare take a minute.
    package struct Resampling: Sendable {
        let blockCount: Int
        /// Per term: the values of block 0, then block 1, ...
        let values: [[Double]]
        /// Per term: block i's values are values[term][starts[term][i] ..< starts[term][i + 1]].
        let starts: [[Int]]
        /// Per term: whether every block holds exactly one of its values.
        let oneEach: [Bool]

        package init(_ blocks: [Block], terms: Int) {
            blockCount = blocks.count
            var values = Array(repeating: [Double](), count: terms)
            var starts = Array(repeating: [0], count: terms)
            var oneEach = Array(repeating: true, count: terms)
            for block in blocks {
                for term in 0..<terms {
                    let blockValues = term < block.values.count ? block.values[term] : []
                    values[term] += blockValues
                    starts[term].append(values[term].count)
                    if blockValues.count != 1 { oneEach[term] = false }
                }
            }
            self.values = values
            self.starts = starts
            self.oneEach = oneEach
        }

        /// Per-term groups from as many blocks as there are, drawn with replacement.
        package func draw(_ generator: inout SplitMix64) -> [[Double]] {
            let picks = (0..<blockCount).map { _ in Int(generator.next() % UInt64(blockCount)) }
            return values.indices.map { term in
                let values = self.values[term], starts = self.starts[term]
                // One value per block (most cells): a gather, with no per-block range.
                if oneEach[term] { return picks.map { values[$0] } }
                var group: [Double] = []
                group.reserveCapacity(values.count)
                values.withUnsafeBufferPointer { values in
                    starts.withUnsafeBufferPointer { starts in
                        for block in picks { group.append(contentsOf: values[starts[block]..<starts[block + 1]]) }
                    }
                }
                return group
            }
        }
    }
}

/// The value of a cell with its 95% bootstrap interval, and per-series summaries.
public struct CellStatistics: Sendable {
    public let value: Double
    public let interval: (low: Double, high: Double)?
    public let series: [(name: String, statistics: Statistics, medianInterval: (low: Double, high: Double)?)]

    public init(_ cell: Cell) {
        value = cell.value
        interval = cell.valueInterval()
        series = cell.series.map { s in
            let values = s.perOperationNs
            let ci = values.count >= 3
                ? Bootstrap.interval(groups: [values], seed: SplitMix64.seed(cell.id + "/" + s.name)) {
                    Statistics.median(of: $0[0])
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
