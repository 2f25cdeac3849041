import BenchCore
import BenchEngine

/// A baseline against a candidate: for every summary cell, both values, the
/// slowdown factor (candidate/baseline for times, baseline/candidate for
/// bandwidths: larger always means slower) with a 95% bootstrap interval, and
/// per table the geometric mean slowdown.
///
/// Each side's value is the median of its runs' values. With separate runs per
/// side, the interval resamples each side's runs with replacement and, for a run
/// from our JSON, the blocks of intervals within the run (`Cell.blocks`); so it
/// reflects both the spread within a run and from run to run (boot to boot).
/// LMBench files carry no intervals: with several of them only the spread across
/// runs counts, and with one there is no interval. An A/B run (a switch flipped
/// between the sides of every round) resamples whole rounds instead.
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
        public var flags: [Flag]
        /// The noise margin its significance is judged by.
        public var noiseMargin = Comparison.defaultNoiseMargin

        /// The interval lies outside the noise band around 1 (`noiseMargin`).
        public var significant: Bool? { interval.map { Comparison.isSignificant($0, margin: noiseMargin) } }
    }

    /// Why a row deserves a second look; `text` is what the formats print.
    public enum Flag: String, Sendable, CaseIterable {
        case baselineOnly, candidateOnly, controlMoved, fasterDifference, fasterKernelPath, wideInterval, noInterval, nearZero, sidesRatio

        public var text: String {
            switch self {
            case .baselineOnly: return "baseline only"
            case .candidateOnly: return "candidate only"
            case .controlMoved: return "a user-space control moved: the two sides' machines or conditions differ"
            case .fasterDifference:
                return "candidate faster on a kernel path measured as a difference: likely an artefact of subtracting an overhead that grew too"
            case .fasterKernelPath: return "candidate faster on a kernel path: check the runs"
            case .wideInterval: return "wide interval: the runs disagree"
            case .noInterval: return "no interval"
            case .nearZero: return "no interval: a side's value is within its noise of zero (a difference of two times)"
            case .sidesRatio:
                return "the ratio of the sides' values, not of pairs: the difference is within its noise of zero in over a tenth of its pairs"
            }
        }
    }

    public struct TableSummary: Sendable {
        public let table: Group
        public let geometricMean: Double?
        public let interval: (low: Double, high: Double)?
        public let cells: Int
    }

    /// The geometric mean of every compared cell (replicate i of each for its interval).
    public struct Overall: Sendable {
        public let geometricMean: Double
        public let interval: (low: Double, high: Double)?
        public let cells: Int
    }

    public let baselineSources: [String]
    public let candidateSources: [String]
    /// Each run's kernel, date and settings, baseline first.
    public let provenance: [String]
    public let rows: [Row]
    public let tables: [TableSummary]
    public let overall: Overall?
    /// Significant: an interval wholly outside [1 / (1 + margin), 1 + margin].
    public let noiseMargin: Double
    public private(set) var warnings: [String]
    /// How to read the intervals.
    public private(set) var notes: [String]
    /// What the two sides are called: baseline and candidate, or off and on.
    public private(set) var sideNames = (baseline: "baseline", candidate: "candidate")

    /// Rows with both sides.
    public var compared: [Row] { rows.filter { $0.slowdown != nil } }

    public static let resamples = 2000

    /// How the two sides relate, which decides what a bootstrap resamples.
    public enum Pairing: Sendable, Equatable {
        /// Separate runs (boots) per side: each side's runs are resampled on their own.
        case runs
        /// One A/B run: both sides measured in the same run, a switch flipped
        /// between them; each cell's pairs are resampled together (the fewest pairs of a cell).
        case pairs(Int)
    }
    public let pairing: Pairing
    /// The A/B runs (one boot each) the two sides come from; empty for separate runs per side.
    public let abSources: [String]

    /// "on/off pooled over N A/B boots (...)" when several A/B runs are pooled.
    public var poolingDescription: String? {
        abSources.count > 1 ? Comparison.pooling(abSources.count) : nil
    }
    static func pooling(_ boots: Int) -> String {
        "on/off pooled over \(boots) A/B boots (pairs within each boot; the interval resamples boots, then within each)"
    }

    /// A cell is significant only when its interval lies wholly outside
    /// [1 / (1 + margin), 1 + margin]. The margin comes from the A/A tests: the
    /// recorded runs of one kernel on one machine (Tests/BenchTests/Fixtures/runs/aa)
    /// compared with each other, and a no-op switch (`--switch command:true:true`)
    /// in a TCG guest, put intervals that exclude 1 by up to 8% on a handful of
    /// cells: the host's drift and a run's own state (which vCPU, what the page
    /// cache holds) move a cell by that much between runs. 10% flags none of them,
    /// and is far below the 2-30x an instrumented kernel costs.
    /// `--noise-margin` changes it.
    public static let defaultNoiseMargin = 0.10

    /// Separate runs per side: baseline runs against candidate runs (only the
    /// summary cells in `only`, if given).
    public init(baseline: [MeasuredRun], candidate: [MeasuredRun], resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin, only: Set<String>? = nil) {
        let metrics = Comparison.metrics(baseline + candidate, only: only)
        self.init(baseline: baseline, candidate: candidate, metrics: metrics, pairing: .runs,
                  replicates: Comparison.runReplicates(baseline, candidate, metrics, resamples: resamples),
                  noiseMargin: noiseMargin)
    }

    /// One A/B run: the switch off (baseline) against on (candidate). Each
    /// cell's slowdown and its interval come from its pairs (`CellPair`): the
    /// median of the per-pair ratios, with a moving-block bootstrap over the
    /// pairs; a summary cell made of several cells (null I/O: read and write)
    /// weighs each cell's ratio by its off value, as the combination does.
    public init(ab: ABRunResult, source: String, resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin, only: Set<String>? = nil) {
        self.init(abRuns: [(ab, source)], resamples: resamples, noiseMargin: noiseMargin, only: only)
    }

    /// Several A/B runs of one kernel and switch (one boot each), pooled: a
    /// cell's slowdown is the median of all the boots' per-pair ratios; its
    /// interval a two-stage bootstrap, each replicate drawing the boots with
    /// replacement (one draw per replicate for every cell, for the geometric
    /// means), then each drawn boot's rounds or pairs in moving blocks (the
    /// interval spans both draws, as `CellPair.interval` does), so that it carries
    /// the variation from boot to boot as well as within each. Each side's value
    /// is the median of the boots' values, as several runs of a side are.
    /// With one A/B run this is `init(ab:source:)` exactly (no boot is drawn).
    public init(abRuns: [(run: ABRunResult, source: String)], resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin, only: Set<String>? = nil) {
        precondition(!abRuns.isEmpty, "no A/B run")
        let (abRuns, repeated) = Comparison.distinctBoots(abRuns)
        let sides = abRuns.map { MeasuredRun.sides($0.run, source: $0.source) }
        let offs = sides.map(\.off), ons = sides.map(\.on)
        let metrics = Comparison.metrics(offs + ons, only: only)
        // Each side's own interval matters less here than the slowdown's: fewer replicates.
        let sideResamples = max(100, resamples / 4)
        let bootDraws = Comparison.bootDraws(abRuns.count, max(resamples, sideResamples))
        var replicates: [String: MetricReplicates] = [:]
        var fewestPairs = Int.max
        for metric in metrics {
            // The boots that have the cell on both sides (by index into abRuns), and their pairs per cell.
            var having: [Int: PooledBoot] = [:]
            for (k, (off, on)) in zip(offs, ons).enumerated() {
                guard let b = off.values[metric.key], let c = on.values[metric.key], b.hasSamples, c.hasSamples,
                      b.cells.count == c.cells.count else { continue }
                having[k] = PooledBoot(off: b, on: c, pairs: zip(b.cells, c.cells).map { CellPair(off: $0, on: $1) })
            }
            let boots = having.keys.sorted()
            guard let first = boots.first.flatMap({ having[$0] }) else { continue }
            fewestPairs = min(fewestPairs, having.values.flatMap { $0.pairs.map(\.pairs) }.min() ?? 0)
            // Seeded by the cells, so that a cell shown in two tables gets one interval.
            let cellIDs = first.off.cells.map(\.id).joined(separator: "+")
            var generator = SplitMix64(seed: SplitMix64.seed(cellIDs + "/sides"))
            // Replicate i's boots that have the cell (if it drew none of them, a fresh draw of those).
            func drawn(_ i: Int) -> [Int] {
                let kept = bootDraws[i].filter { having[$0] != nil }
                return kept.isEmpty ? boots.map { _ in boots[Int(generator.next() % UInt64(boots.count))] } : kept
            }
            func sideReplicate(_ i: Int, _ side: KeyPath<PooledBoot, MetricValue>) -> Double {
                Statistics(drawn(i).map { having[$0]![keyPath: side].replicate(&generator) }).median
            }
            var entry = MetricReplicates(baseline: (0..<sideResamples).map { sideReplicate($0, \.off) },
                                         candidate: (0..<sideResamples).map { sideReplicate($0, \.on) })
            let combine = first.off.combine
            // on/off of the metric when each cell's on value is its off value times its paired ratio.
            func factor(_ offValues: [Double], _ ratios: [Double]) -> Double {
                let base = combine(offValues), candidate = combine(zip(offValues, ratios).map(*))
                return metric.largerIsBetter ? base / candidate : candidate / base
            }
            let cells = first.pairs.indices
            let perCell = cells.map { c in boots.map { having[$0]!.pairs[c] } }
            entry.factor = factor(perCell.map { Statistics(($0.map(\.off.value))).median },
                                  perCell.map { CellPair.ratio(pooling: $0) })
            entry.sidesRatio = !having.values.allSatisfy({ $0.pairs.allSatisfy(\.isPaired) })
            if having.values.allSatisfy({ $0.pairs.allSatisfy { $0.pairs >= CellPair.minimumPairs } }) {
                var ratios: [Int: [[Double]]] = [:]
                for (k, boot) in having { ratios[k] = boot.pairs.map(\.pairRatios) }
                // Replicates of each draw (rounds, pairs) the cells' intervals span.
                let kinds: [CellPair.Draw] = having.values.contains { $0.pairs.contains { $0.draws.contains(.rounds) } } ? [.rounds, .pairs] : [.pairs]
                let sets = kinds.map { draw in
                    generator = SplitMix64(seed: SplitMix64.seed(cellIDs + draw.seed))
                    return (0..<resamples).map { i in
                        let picked = drawn(i)
                        let draws = cells.map { c in
                            CellPair.replicate(picked.map { (having[$0]!.pairs[c], ratios[$0]![c]) }, &generator,
                                               withOffValue: cells.count > 1, draw: draw)
                        }
                        return factor(draws.map(\.off), draws.map(\.ratio))
                    }
                }
                // A drawn side's difference at or below zero: no ratio, so no interval.
                if sets.allSatisfy({ $0.allSatisfy { $0.isFinite && $0 > 0 } }) { entry.factors = sets } else { entry.nearZero = true }
            } else {
                entry.fewPairs = true
            }
            replicates[metric.key] = entry
        }
        self.init(baseline: offs, candidate: ons, metrics: metrics, pairing: .pairs(fewestPairs == .max ? 0 : fewestPairs),
                  replicates: replicates, noiseMargin: noiseMargin, abSources: abRuns.map(\.source))
        sideNames = ("off", "on")
        let pooled = abRuns.count > 1
        var lines = abRuns.map { ab, source in
            (pooled ? "\(source): " : "") + "switch: \(ab.record.spec.description); \(ab.record.pairDistance); "
                + "\(ab.record.flips.count + ab.record.interleavedFlips) flips"
                + (ab.record.flipSeconds.map { cFormat(", %.6f s each", $0) } ?? "")
                + (ab.record.probeEffect.map { effect in
                    cFormat(", null-call probe on/off %.2fx", effect.ratio)
                        + (effect.interval.map { cFormat(" [%.2f, %.2f]", $0.low, $0.high) } ?? "") } ?? "")
        }
        lines += notes
        notes = lines
        // Each boot's switch warnings, named by its file when there are several.
        let own = abRuns.flatMap { ab, source in ab.record.warnings.map { (pooled ? "\(source): " : "") + $0.text } }
        guard pooled else {
            warnings = own + repeated + warnings
            return
        }
        var mixed: [String] = []
        let switches = abRuns.map(\.run.record.spec.description)
        if Set(switches).count > 1 {
            mixed.append("the A/B runs switch different things, pooled regardless: "
                + zip(abRuns, switches).map { "\($0.source): \($1)" }.joined(separator: "; "))
        }
        warnings = own + repeated + mixed + Comparison.environmentWarnings(baseline: offs, candidate: [], sides: ("A/B", ""))
    }

    /// One A/B run's summary cell: each side's value and the pairs of its cells.
    struct PooledBoot {
        let off: MetricValue
        let on: MetricValue
        let pairs: [CellPair]
    }

    /// The A/B runs with each boot once (by host and start time, as `MeasuredRun.load`
    /// counts a run once): a boot given twice would count its pairs twice and
    /// hide the spread between boots. The warnings name what was left out.
    static func distinctBoots(_ abRuns: [(run: ABRunResult, source: String)])
        -> (kept: [(run: ABRunResult, source: String)], warnings: [String]) {
        var seen: [String: String] = [:]
        var kept: [(run: ABRunResult, source: String)] = []
        var warnings: [String] = []
        for ab in abRuns {
            let env = ab.run.off.environment
            let identity = env.nodename + "|" + env.startDate
            if let earlier = seen[identity] {
                warnings.append("'\(ab.source)' is the same A/B run as '\(earlier)' (host and start time): counted once")
            } else {
                seen[identity] = ab.source
                kept.append(ab)
            }
        }
        return (kept, warnings)
    }

    /// The boots each replicate draws, with replacement: one draw per replicate,
    /// shared by every cell. One boot is not drawn (its replicates are those of one A/B run).
    static func bootDraws(_ boots: Int, _ count: Int) -> [[Int]] {
        guard boots > 1 else { return Array(repeating: Array(repeating: 0, count: boots), count: count) }
        var generator = SplitMix64(seed: SplitMix64.seed("boots"))
        return (0..<count).map { _ in (0..<boots).map { _ in Int(generator.next() % UInt64(boots)) } }
    }

    /// What the rows are built from, per metric: replicates of each side's
    /// value (their intervals), and the slowdown's own estimate and replicates
    /// where it is not the quotient of the sides' (paired runs), or why there
    /// are none.
    struct MetricReplicates {
        var baseline: [Double]?
        var candidate: [Double]?
        var factor: Double?
        /// The slowdown's replicates, one set per bootstrap whose intervals its interval spans.
        var factors: [[Double]]?
        var nearZero = false
        /// Paired, but its slowdown the quotient of the sides' values (a difference within its noise of zero in some pairs).
        var sidesRatio = false
        /// Paired, but too few pairs for an interval (and the sides' own would not be paired).
        var fewPairs = false
    }

    /// The summary cells any of the runs has, in the tables' order.
    static func metrics(_ runs: [MeasuredRun], only: Set<String>? = nil) -> [SummaryMetric] {
        SummaryMetric.all.filter { metric in
            (only?.contains(metric.key) ?? true) && runs.contains { $0.values[metric.key] != nil }
        }
    }

    /// Replicates of each side's value per metric for separate runs per side:
    /// each replicate draws each side's runs once, for every metric, so that the
    /// geometric mean's interval resamples whole runs (boots), not each cell on its own.
    static func runReplicates(_ baseline: [MeasuredRun], _ candidate: [MeasuredRun], _ metrics: [SummaryMetric],
                              resamples: Int) -> [String: MetricReplicates] {
        func bootstrapped(_ runs: [MeasuredRun], _ metric: SummaryMetric) -> Bool {
            let values = runs.compactMap { $0.values[metric.key] }
            return values.count > 1 || values.contains(where: \.hasSamples)
        }
        var bReplicates: [String: [Double]] = [:], cReplicates: [String: [Double]] = [:]
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<(metrics.isEmpty ? 0 : resamples) {
            let drawnB = baseline.indices.map { _ in Int(generator.next() % UInt64(baseline.count)) }
            let drawnC = candidate.indices.map { _ in Int(generator.next() % UInt64(candidate.count)) }
            for metric in metrics {
                if bootstrapped(baseline, metric) {
                    bReplicates[metric.key, default: []].append(Comparison.replicate(baseline, drawnB, metric, &generator))
                }
                if bootstrapped(candidate, metric) {
                    cReplicates[metric.key, default: []].append(Comparison.replicate(candidate, drawnC, metric, &generator))
                }
            }
        }
        var replicates: [String: MetricReplicates] = [:]
        for metric in metrics {
            replicates[metric.key] = MetricReplicates(baseline: bReplicates[metric.key], candidate: cReplicates[metric.key])
        }
        return replicates
    }

    /// The rows and table summaries from each metric's replicates of the two
    /// sides' values (replicate i of every metric drawn together where the
    /// pairing allows: the geometric mean's interval takes replicate i of each).
    private init(baseline: [MeasuredRun], candidate: [MeasuredRun], metrics: [SummaryMetric], pairing: Pairing,
                 replicates: [String: MetricReplicates], noiseMargin: Double, abSources: [String] = []) {
        self.pairing = pairing
        self.abSources = abSources
        self.noiseMargin = noiseMargin
        baselineSources = baseline.map(\.source)
        candidateSources = candidate.map(\.source)
        provenance = (baseline + candidate).map(\.provenance)
        var factorReplicates: [String: [[Double]]] = [:]
        var rows: [Row] = []
        for metric in metrics {
            let b = baseline.compactMap { $0.values[metric.key] }
            let c = candidate.compactMap { $0.values[metric.key] }
            let bSide = Comparison.side(b, replicates: replicates[metric.key]?.baseline)
            let cSide = Comparison.side(c, replicates: replicates[metric.key]?.candidate)
            guard let bs = bSide, let cs = cSide else {
                rows.append(Row(metric: metric, baseline: bSide, candidate: cSide, slowdown: nil, interval: nil,
                                flags: [bSide == nil ? .candidateOnly : .baselineOnly], noiseMargin: noiseMargin))
                continue
            }
            let factor = { (base: Double, cand: Double) in metric.largerIsBetter ? base / cand : cand / base }
            var interval: (low: Double, high: Double)?
            let entry = replicates[metric.key]
            var nearZero = entry?.nearZero ?? false
            if let factors = entry?.factors {
                factorReplicates[metric.key] = factors
                interval = Bootstrap.percentileSpan(factors)
            } else if !nearZero, entry?.fewPairs != true, let br = entry?.baseline, let cr = entry?.candidate {
                // A ratio is meaningful only while both values stay positive: a cell
                // computed as a difference can reach zero within its own noise.
                if br.allSatisfy({ $0 > 0 }) && cr.allSatisfy({ $0 > 0 }) {
                    let factors = zip(br, cr).map(factor)
                    factorReplicates[metric.key] = [factors]
                    interval = Bootstrap.percentileInterval(factors)
                } else {
                    nearZero = true
                }
            }
            var row = Row(metric: metric, baseline: bs, candidate: cs, slowdown: entry?.factor ?? factor(bs.value, cs.value),
                          interval: interval, flags: [], noiseMargin: noiseMargin)
            row.flags = Comparison.flags(row, nearZero: nearZero)
            if entry?.sidesRatio == true && !nearZero { row.flags.append(.sidesRatio) }
            rows.append(row)
        }
        self.rows = rows
        tables = Group.allCases.compactMap { table in
            let members = rows.filter { $0.metric.table == table && $0.slowdown != nil }
            guard !members.isEmpty else { return nil }
            let overall = Comparison.geometricMean(members, factorReplicates)
            return TableSummary(table: table, geometricMean: overall?.geometricMean, interval: overall?.interval, cells: members.count)
        }
        overall = Comparison.geometricMean(rows.filter { $0.slowdown != nil }, factorReplicates)
        warnings = Comparison.environmentWarnings(baseline: baseline, candidate: candidate)
        switch pairing {
        case .runs:
            notes = baseline.count == 1 || candidate.count == 1
                ? ["with one run on a side, its interval shows the variation within that run only, not from run to run or boot to boot: pool several runs per side (compare-kernels --boots N) for that"]
                : []
        case .pairs(let count) where abSources.count > 1:
            var lines = ["paired, \(Comparison.pooling(abSources.count)): a slowdown is the median of all the boots' per-pair on/off ratios of its cell, its interval a two-stage bootstrap (the boots drawn with replacement, then a moving-block draw of each drawn boot's rounds or pairs: the span of both); each side's value is the median of the boots'; "
                + (count >= CellPair.minimumPairs ? "at least \(count) pairs a cell in each boot" : "too few pairs for an interval")]
            if abSources.count < 5 {
                lines.append("\(abSources.count) A/B boots: the spread from boot to boot rests on \(abSources.count) draws, a rough bound; more boots (compare-kernels --switch --boots N) pin it down")
            }
            notes = lines
        case .pairs(let count):
            notes = count >= CellPair.minimumPairs
                ? ["paired: a slowdown is the median of its cell's per-pair on/off ratios (each side's own value beside it can differ by the drift the pairs remove), its interval the span of two moving-block bootstraps, over the rounds (each with its pairs) and over the pairs (the pairs' alone for a cell of fewer than \(CellPair.minimumRounds) rounds); at least \(count) pairs a cell"]
                : ["too few pairs for an interval"]
        }
    }

    /// The geometric mean of the rows' slowdowns, its interval from replicate i
    /// of every row (none unless every row has as many replicates).
    static func geometricMean(_ rows: [Row], _ replicates: [String: [[Double]]]) -> Overall? {
        guard !rows.isEmpty else { return nil }
        let mean = Statistics.geometricMean(rows.map { $0.slowdown! })
        // Set k of every row (a row with fewer sets lends its last): the span of each set's interval.
        let series = rows.compactMap { replicates[$0.metric.key] }
        var interval: (low: Double, high: Double)?
        if series.count == rows.count, let count = series.first?.first?.count,
           series.allSatisfy({ $0.allSatisfy { $0.count == count } }) {
            let kinds = series.map(\.count).max() ?? 0
            interval = Bootstrap.percentileSpan((0..<kinds).map { k in
                (0..<count).map { i in Statistics.geometricMean(series.map { $0[min(k, $0.count - 1)][i] }) }
            })
        }
        return Overall(geometricMean: mean, interval: interval, cells: rows.count)
    }

    /// A side's value: the median of its runs' values.
    static func side(_ values: [MetricValue], replicates: [Double]?) -> Side? {
        guard !values.isEmpty else { return nil }
        return Side(value: Statistics(values.map(\.value)).median, runs: values.count,
                    interval: replicates.flatMap { Bootstrap.percentileInterval($0) })
    }

    /// One replicate of a side's value: the median over the drawn runs that have
    /// the metric (if none has, over a fresh draw of those that do) of each one
    /// recomputed from resampled intervals.
    static func replicate(_ runs: [MeasuredRun], _ drawn: [Int], _ metric: SummaryMetric,
                          _ generator: inout SplitMix64) -> Double {
        var values = drawn.compactMap { runs[$0].values[metric.key] }
        if values.isEmpty {
            let having = runs.compactMap { $0.values[metric.key] }
            values = having.indices.map { _ in having[Int(generator.next() % UInt64(having.count))] }
        }
        return Statistics(values.map { $0.replicate(&generator) }).median
    }

    /// The interval lies wholly outside the noise band around 1.
    public static func isSignificant(_ interval: (low: Double, high: Double), margin: Double = defaultNoiseMargin) -> Bool {
        interval.low > 1 + margin || interval.high < 1 / (1 + margin)
    }

    /// Why a row deserves a second look.
    static func flags(_ row: Row, nearZero: Bool = false) -> [Flag] {
        var flags: [Flag] = []
        guard let slowdown = row.slowdown else { return flags }
        let fasterForSure = row.interval.map { $0.high < 1 / (1 + row.noiseMargin) } ?? (slowdown < 0.9)
        if row.metric.isUserSpaceControl {
            let moved = row.interval.map { $0.low > 1.1 || $0.high < 1 / 1.1 } ?? (slowdown > 1.25 || slowdown < 0.8)
            if moved { flags.append(.controlMoved) }
        } else if fasterForSure {
            flags.append(row.metric.isDifference ? .fasterDifference : .fasterKernelPath)
        }
        if let interval = row.interval, interval.high / interval.low > 2 { flags.append(.wideInterval) }
        if nearZero {
            flags.append(.nearZero)
        } else if row.interval == nil {
            flags.append(.noInterval)
        }
        return flags
    }

    /// What differs between (or within) the sides among the fields that decide
    /// whether runs are comparable.
    static func environmentWarnings(baseline: [MeasuredRun], candidate: [MeasuredRun],
                                    sides: (baseline: String, candidate: String) = ("baseline", "candidate")) -> [String] {
        let unknown: Set<String> = ["unknown", "not visible", ""]
        func values(_ runs: [MeasuredRun], _ name: String) -> Set<String> {
            Set(runs.compactMap { $0.environment.first { $0.name == name }?.value }).subtracting(unknown)
        }
        var warnings: [String] = []
        let names = (baseline + candidate).first?.environment.map(\.name) ?? []
        for name in names {
            let b = values(baseline, name), c = values(candidate, name)
            if b.count > 1 { warnings.append("the \(sides.baseline) runs differ in \(name): \(b.sorted().joined(separator: " / "))") }
            if c.count > 1 { warnings.append("the \(sides.candidate) runs differ in \(name): \(c.sorted().joined(separator: " / "))") }
            if b.count == 1, c.count == 1, b != c {
                let why = name == "tool" ? " (the two tools measure some cells differently, such as fork and file create: see crosscheck)" : ""
                warnings.append("the sides differ in \(name): \(b.first!) (\(sides.baseline)) vs \(c.first!) (\(sides.candidate))" + why)
            }
        }
        return warnings
    }
}
