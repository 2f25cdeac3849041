/// With --budget or --target-ci: the precision each summary cell reached (half
/// the width of its 95% interval, relative to its value), printed after the
/// summary tables; cells that did not reach the target are marked with "*".
public enum PrecisionReport {
    public static func render(_ run: RunResult) -> String {
        guard let target = run.settings.precisionTarget else { return "" }
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
