import BenchCore
import BenchEngine

/// A baseline kernel's runs against A/B runs on the instrumented kernel (one,
/// or several boots pooled): per summary cell the baseline, off and on values
/// and three ratios, off/baseline (the cost of compiling the instrumentation
/// in), on/baseline, and on/off (the cost of running it), each with its 95%
/// interval; per table and overall their geometric means. Made of three `Comparison`s over the cells all three share:
/// on/off is the A/B runs' own paired one; the two against the baseline are
/// unpaired, across runs (boots), bootstrapped as for separate runs per side.
public struct ThreeWayComparison: Sendable {
    /// The three ratios, in the order the tables show them.
    public enum Ratio: String, CaseIterable, Sendable {
        case offBaseline = "off/baseline", onBaseline = "on/baseline", onOff = "on/off"
    }

    public struct Row: Sendable {
        public let metric: SummaryMetric
        public let baseline: Double
        public let off: Double
        public let on: Double
        /// Each ratio's row of its comparison (its factor, interval, significance and flags).
        public let ratios: [Comparison.Row]

        public func ratio(_ r: Ratio) -> Comparison.Row { ratios[Ratio.allCases.firstIndex(of: r)!] }
    }

    public let offBaseline: Comparison
    public let onBaseline: Comparison
    public let onOff: Comparison
    public let rows: [Row]
    public let warnings: [String]
    public let notes: [String]
    public var noiseMargin: Double { onOff.noiseMargin }
    /// Cells some input has that are not in all three.
    public let missing: [SummaryMetric]
    /// The A/B runs' files (one boot each; several are pooled).
    public let abSources: [String]
    /// What the A/B runs switched (each different switch once, " / " between).
    public let switchDescription: String

    /// Each run's kernel, date and settings: the baseline's, then each A/B run's (its off side).
    public var provenance: [String] { offBaseline.provenance }

    public var comparisons: [Comparison] { [offBaseline, onBaseline, onOff] }
    public func comparison(_ r: Ratio) -> Comparison { comparisons[Ratio.allCases.firstIndex(of: r)!] }

    public init(baseline: [MeasuredRun], ab: ABRunResult, source: String, resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin) {
        self.init(baseline: baseline, abRuns: [(ab, source)], resamples: resamples, noiseMargin: noiseMargin)
    }

    /// Against several A/B runs (boots) of the instrumented kernel: on/off pooled
    /// over them (`Comparison(abRuns:)`), and their off and on sides pooled as
    /// a candidate's runs are against the baseline (each replicate draws the
    /// boots with replacement, then each drawn run's intervals).
    public init(baseline: [MeasuredRun], abRuns: [(run: ABRunResult, source: String)], resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin) {
        let (abRuns, repeated) = Comparison.distinctBoots(abRuns)
        let sides = abRuns.map { MeasuredRun.sides($0.run, source: $0.source) }
        let offs = sides.map(\.off), ons = sides.map(\.on)
        // A cell is shown when the baseline and every boot's two sides have it.
        let shared = Set(SummaryMetric.all.map(\.key).filter { key in
            (offs + ons).allSatisfy { $0.values[key] != nil } && baseline.contains { $0.values[key] != nil }
        })
        missing = SummaryMetric.all.filter { metric in
            !shared.contains(metric.key) && (offs + ons + baseline).contains { $0.values[metric.key] != nil }
        }
        offBaseline = Comparison(baseline: baseline, candidate: offs, resamples: resamples, noiseMargin: noiseMargin, only: shared)
        onBaseline = Comparison(baseline: baseline, candidate: ons, resamples: resamples, noiseMargin: noiseMargin, only: shared)
        onOff = Comparison(abRuns: abRuns, resamples: resamples, noiseMargin: noiseMargin, only: shared)
        var switches: [String] = []
        for ab in abRuns where !switches.contains(ab.run.record.spec.description) { switches.append(ab.run.record.spec.description) }
        switchDescription = switches.joined(separator: " / ")
        abSources = abRuns.map(\.source)
        var rows: [Row] = []
        for a in offBaseline.compared {
            guard let b = onBaseline.compared.first(where: { $0.metric.key == a.metric.key }),
                  let c = onOff.compared.first(where: { $0.metric.key == a.metric.key }) else { continue }
            rows.append(Row(metric: a.metric, baseline: a.baseline!.value, off: c.baseline!.value, on: c.candidate!.value,
                            ratios: [a, b, c]))
        }
        self.rows = rows
        // The switch's own warnings first, then how the baseline differs from the A/B runs.
        let name = abRuns.count == 1 ? "A/B run" : "A/B runs"
        var warnings: [String] = []
        for warning in onOff.warnings + repeated + offBaseline.warnings {
            let named = warning.replacing("(candidate)", with: "(\(name))").replacing("the candidate runs", with: "the A/B runs")
            if !warnings.contains(named) { warnings.append(named) }
        }
        self.warnings = warnings
        var notes = [abRuns.count == 1
            ? "off/baseline and on/baseline are unpaired, across runs: their intervals come from a bootstrap of the baseline's runs and the A/B run's intervals (the spread from boot to boot as far as the baseline's runs show it); on/off is paired within the A/B run"
            : "off/baseline and on/baseline are unpaired, across runs: their intervals come from a bootstrap of the baseline's runs and of the \(abRuns.count) A/B boots' sides (each drawn with replacement, then its intervals): the spread from boot to boot on both sides; on/off is paired within each A/B boot and pooled over them"]
        notes += onOff.notes
        if baseline.count == 1 {
            notes.append("one baseline run: the intervals against it show the variation within that run only, not from boot to boot (pool several: compare-kernels --boots N)")
        }
        self.notes = notes
    }

    /// Cells of one table, in its order.
    public func rows(_ table: Group) -> [Row] { rows.filter { $0.metric.table == table } }

    /// The geometric mean of one ratio over a table's shared cells.
    public func mean(_ r: Ratio, _ table: Group) -> Comparison.TableSummary? {
        comparison(r).tables.first { $0.table == table }
    }

}
