/// A baseline kernel's runs against an A/B run on the instrumented kernel: per
/// summary cell the baseline, off and on values and three ratios, off/baseline
/// (the cost of compiling the instrumentation in), on/baseline, and on/off (the
/// cost of running it), each with its 95% interval; per table and overall their
/// geometric means. Made of three `Comparison`s over the cells all three share:
/// on/off is the A/B run's own paired one; the two against the baseline are
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
    /// The A/B run's file.
    public let abSource: String
    /// What the A/B run switched.
    public let switchDescription: String

    /// Each run's kernel, date and settings: the baseline's, then the A/B run's.
    public var provenance: [String] { offBaseline.provenance }

    public var comparisons: [Comparison] { [offBaseline, onBaseline, onOff] }
    public func comparison(_ r: Ratio) -> Comparison { comparisons[Ratio.allCases.firstIndex(of: r)!] }

    public init(baseline: [MeasuredRun], ab: ABRunResult, source: String, resamples: Int = Comparison.resamples,
                noiseMargin: Double = Comparison.defaultNoiseMargin) {
        let (off, on) = MeasuredRun.sides(ab, source: source)
        let shared = Set(SummaryMetric.all.map(\.key).filter { key in
            off.values[key] != nil && on.values[key] != nil && baseline.contains { $0.values[key] != nil }
        })
        missing = SummaryMetric.all.filter { metric in
            !shared.contains(metric.key) && ([off, on] + baseline).contains { $0.values[metric.key] != nil }
        }
        offBaseline = Comparison(baseline: baseline, candidate: [off], resamples: resamples, noiseMargin: noiseMargin, only: shared)
        onBaseline = Comparison(baseline: baseline, candidate: [on], resamples: resamples, noiseMargin: noiseMargin, only: shared)
        onOff = Comparison(ab: ab, source: source, resamples: resamples, noiseMargin: noiseMargin, only: shared)
        switchDescription = ab.record.spec.description
        abSource = source
        var rows: [Row] = []
        for a in offBaseline.compared {
            guard let b = onBaseline.compared.first(where: { $0.metric.key == a.metric.key }),
                  let c = onOff.compared.first(where: { $0.metric.key == a.metric.key }) else { continue }
            rows.append(Row(metric: a.metric, baseline: a.baseline!.value, off: c.baseline!.value, on: c.candidate!.value,
                            ratios: [a, b, c]))
        }
        self.rows = rows
        // The switch's own warnings first, then how the baseline differs from the A/B run.
        var warnings: [String] = []
        for warning in onOff.warnings + offBaseline.warnings where !warnings.contains(warning) {
            warnings.append(warning.replacing("(candidate)", with: "(A/B run)"))
        }
        self.warnings = warnings
        var notes = ["off/baseline and on/baseline are unpaired, across runs: their intervals come from a bootstrap of the baseline's runs and the A/B run's intervals (the spread from boot to boot as far as the baseline's runs show it); on/off is paired within the A/B run"]
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
