import BenchCore
import BenchEngine

/// With --budget or --target-ci: the precision each summary cell reached (half
/// the width of its 95% interval, relative to its value), printed after the
/// summary tables; cells that did not reach the target are marked with "*".
public enum PrecisionReport {
    public static func render(_ run: RunResult) -> String {
        guard let target = run.settings.precisionTarget(abRun: false) else { return "" }
        let measured = MeasuredRun.fromJSON(run, source: "")
        var out = "Precision reached (half-width of the 95% interval; target ±" + cFormat("%.1f%%", target * 100)
            + "; * not reached)\n"
        var missed = 0, total = 0
        for table in Group.allCases {
            let entries = SummaryMetric.all.filter { $0.table == table }.compactMap { metric -> String? in
                guard let value = measured.values[metric.key] else { return nil }
                let precision = value.cells.compactMap { $0.statistics.relativeHalfWidth }.max()
                total += 1
                guard let precision else { missed += 1; return "\(metric.label) n/a*" }
                if precision > target { missed += 1 }
                return "\(metric.label) " + cFormat("%.1f%%", precision * 100) + (precision > target ? "*" : "")
            }
            guard !entries.isEmpty else { continue }
            out += "  \(table.title):\n"
            var line = "   "
            for entry in entries {
                if line.count + entry.count > 76 { out += line + "\n"; line = "   " }
                line += " " + entry + ","
            }
            out += String(line.dropLast()) + "\n"
        }
        out += "\(total - missed) of \(total) cells reached the target\n"
        return out
    }
}

extension PrecisionReport {
    /// An A/B run with --budget or --target-ci: how many summary cells' slowdown
    /// intervals reached the target (half-width, relative), and each that did not.
    public static func render(_ comparison: Comparison, target: Double) -> String {
        let rows = comparison.compared
        let missed = rows.compactMap { row -> String? in
            guard let slowdown = row.slowdown, let interval = row.interval else { return "\(row.metric.label) (no interval)" }
            let half = (interval.high - interval.low) / 2 / slowdown
            return half > target ? "\(row.metric.label) " + cFormat("±%.1f%%", half * 100) : nil
        }
        let halves = rows.compactMap { row in row.interval.flatMap { i in row.slowdown.map { (i.high - i.low) / 2 / $0 } } }
        var out = "Precision of the slowdowns (half-width of the 95% interval; target " + cFormat("±%.1f%%", target * 100) + "): "
            + "\(rows.count - missed.count) of \(rows.count) cells reached it"
        if !halves.isEmpty { out += cFormat(", median ±%.1f%%", Statistics.median(of: halves) * 100) }
        out += missed.isEmpty ? "\n" : "; not: " + missed.joined(separator: ", ") + "\n"
        return out
    }
}
