/// A baseline against a candidate: for every summary cell, both values, the
/// slowdown factor (candidate/baseline for times, baseline/candidate for
/// bandwidths: larger always means slower) with a 95% bootstrap interval, and
/// per table the geometric mean slowdown.
///
/// Each side's value is the median of its runs' values. The interval resamples
/// each side on its own: its runs with replacement and, for a run from our JSON,
/// the intervals of each series within the run; so it reflects both the spread
/// within a run and from run to run (boot to boot). LMBench files carry no
/// intervals: with several of them only the spread across runs counts, and with
/// one there is no interval.
public struct Comparison: Sendable {
    public struct Side: Sendable {
        public let value: Double
        public let runs: Int
        public let interval: (low: Double, high: Double)?
    }

    public struct Row: Sendable {
        public let metric: SummaryMetric
        public let baseline: Side?
        public let candidate: Side?
        public let slowdown: Double?
        public let interval: (low: Double, high: Double)?
        public var flags: [String]

        /// The interval excludes 1.
        public var significant: Bool? { interval.map { $0.low > 1 || $0.high < 1 } }
    }

    public struct TableSummary: Sendable {
        public let table: Group
        public let geometricMean: Double?
        public let interval: (low: Double, high: Double)?
        public let cells: Int
    }

    public let baselineSources: [String]
    public let candidateSources: [String]
    public let rows: [Row]
    public let tables: [TableSummary]
    public let warnings: [String]
    /// How to read the intervals.
    public let notes: [String]

    /// Rows with both sides.
    public var compared: [Row] { rows.filter { $0.slowdown != nil } }

    public static let resamples = 2000

    public init(baseline: [MeasuredRun], candidate: [MeasuredRun], resamples: Int = Comparison.resamples) {
        baselineSources = baseline.map(\.source)
        candidateSources = candidate.map(\.source)
        var generator = SplitMix64(seed: 0x5EED)
        var replicates: [String: [Double]] = [:]
        var rows: [Row] = []
        for metric in SummaryMetric.all {
            let b = baseline.compactMap { $0.values[metric.key] }
            let c = candidate.compactMap { $0.values[metric.key] }
            if b.isEmpty && c.isEmpty { continue }
            let bSide = Comparison.side(b, resamples: resamples, generator: &generator)
            let cSide = Comparison.side(c, resamples: resamples, generator: &generator)
            guard let bs = bSide.side, let cs = cSide.side else {
                rows.append(Row(metric: metric, baseline: bSide.side, candidate: cSide.side, slowdown: nil, interval: nil,
                                flags: [bSide.side == nil ? "candidate only" : "baseline only"]))
                continue
            }
            let factor = { (base: Double, cand: Double) in metric.largerIsBetter ? base / cand : cand / base }
            var interval: (low: Double, high: Double)?
            var nearZero = false
            if let br = bSide.replicates, let cr = cSide.replicates {
                // A ratio is meaningful only while both values stay positive: a cell
                // computed as a difference can reach zero within its own noise.
                if br.allSatisfy({ $0 > 0 }) && cr.allSatisfy({ $0 > 0 }) {
                    let factors = zip(br, cr).map(factor)
                    replicates[metric.key] = factors
                    interval = Comparison.percentiles(factors)
                } else {
                    nearZero = true
                }
            }
            var row = Row(metric: metric, baseline: bs, candidate: cs, slowdown: factor(bs.value, cs.value),
                          interval: interval, flags: [])
            row.flags = Comparison.flags(row)
            if nearZero {
                row.flags = row.flags.filter { $0 != "no interval" }
                    + ["no interval: a side's value is within its noise of zero (a difference of two times)"]
            }
            rows.append(row)
        }
        self.rows = rows
        tables = Group.allCases.compactMap { table in
            let members = rows.filter { $0.metric.table == table && $0.slowdown != nil }
            guard !members.isEmpty else { return nil }
            let mean = Statistics.geometricMean(members.map { $0.slowdown! })
            let series = members.map { replicates[$0.metric.key] }
            var interval: (low: Double, high: Double)?
            if series.allSatisfy({ $0 != nil }) {
                let perReplicate = (0..<resamples).map { i in Statistics.geometricMean(series.map { $0![i] }) }
                interval = Comparison.percentiles(perReplicate)
            }
            return TableSummary(table: table, geometricMean: mean, interval: interval, cells: members.count)
        }
        warnings = Comparison.environmentWarnings(baseline: baseline, candidate: candidate)
        notes = baseline.count == 1 || candidate.count == 1
            ? ["with one run on a side, its interval shows the variation within that run only, not from run to run or boot to boot: pool several runs per side (compare-kernels --boots N) for that"]
            : []
    }

    /// A side's value (median of its runs) and, when it has any spread to draw
    /// on, its bootstrap replicates.
    static func side(_ values: [MetricValue], resamples: Int, generator: inout SplitMix64)
        -> (side: Side?, replicates: [Double]?) {
        guard !values.isEmpty else { return (nil, nil) }
        let value = Statistics(values.map(\.value)).median
        guard values.count > 1 || values.contains(where: \.hasSamples) else {
            return (Side(value: value, runs: values.count, interval: nil), nil)
        }
        let replicates = (0..<resamples).map { _ -> Double in
            let drawn = values.indices.map { _ in values[Int(generator.next() % UInt64(values.count))] }
            return Statistics(drawn.map { $0.replicate(&generator) }).median
        }
        return (Side(value: value, runs: values.count, interval: percentiles(replicates)), replicates)
    }

    static func percentiles(_ values: [Double]) -> (low: Double, high: Double)? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        return (Statistics.percentile(ofSorted: sorted, 2.5), Statistics.percentile(ofSorted: sorted, 97.5))
    }

    /// Why a row deserves a second look.
    static func flags(_ row: Row) -> [String] {
        var flags: [String] = []
        guard let slowdown = row.slowdown else { return flags }
        let fasterForSure = row.interval.map { $0.high < 1 } ?? (slowdown < 0.9)
        if row.metric.isUserSpaceControl {
            let moved = row.interval.map { $0.low > 1.1 || $0.high < 1 / 1.1 } ?? (slowdown > 1.25 || slowdown < 0.8)
            if moved { flags.append("a user-space control moved: the two sides' machines or conditions differ") }
        } else if fasterForSure {
            flags.append(row.metric.isDifference
                         ? "candidate faster on a kernel path measured as a difference: likely an artefact of subtracting an overhead that grew too"
                         : "candidate faster on a kernel path: check the runs")
        }
        if let interval = row.interval, interval.high / interval.low > 2 {
            flags.append("wide interval: the runs disagree")
        }
        if row.interval == nil { flags.append("no interval") }
        return flags
    }

    /// What differs between (or within) the sides among the fields that decide
    /// whether runs are comparable.
    static func environmentWarnings(baseline: [MeasuredRun], candidate: [MeasuredRun]) -> [String] {
        let unknown: Set<String> = ["unknown", "not visible", ""]
        func values(_ runs: [MeasuredRun], _ name: String) -> Set<String> {
            Set(runs.compactMap { $0.environment.first { $0.name == name }?.value }).subtracting(unknown)
        }
        var warnings: [String] = []
        let names = (baseline + candidate).first?.environment.map(\.name) ?? []
        for name in names {
            let b = values(baseline, name), c = values(candidate, name)
            if b.count > 1 { warnings.append("the baseline runs differ in \(name): \(b.sorted().joined(separator: " / "))") }
            if c.count > 1 { warnings.append("the candidate runs differ in \(name): \(c.sorted().joined(separator: " / "))") }
            if b.count == 1, c.count == 1, b != c {
                warnings.append("the sides differ in \(name): \(b.first!) (baseline) vs \(c.first!) (candidate)")
            }
        }
        return warnings
    }
}
