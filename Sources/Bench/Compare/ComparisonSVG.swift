import BenchCore
import BenchEngine
import Glibc

/// `compare --svg`: one horizontal bar per compared cell, grouped by table, on a
/// log scale centred on 1 (no change), with the 95% interval as a whisker. Red:
/// significantly slower; blue: significantly faster; grey: no significant
/// difference or no interval. Hand-written SVG, no dependency.
public enum ComparisonSVG {
    static let rowHeight = 22.0, labelWidth = 170.0, plotWidth = 520.0, valueWidth = 170.0, top = 60.0

    /// One bar of a row: a factor, its interval, its colour.
    struct Bar {
        let factor: Double
        let interval: (low: Double, high: Double)?
        let colour: String
        let name: String
        /// Drawn pale: no significant difference.
        var pale = false
    }

    /// A row of the chart: a label and its bars (a geometric mean's row is drawn hatched-free, in bold).
    struct ChartRow {
        let label: String
        let bars: [Bar]
        var mean = false
    }

    public static func render(_ c: Comparison) -> String {
        func bar(_ factor: Double, _ interval: (low: Double, high: Double)?, _ name: String) -> Bar {
            let significant = interval.map { Comparison.isSignificant($0, margin: c.noiseMargin) }
            return Bar(factor: factor, interval: interval,
                       colour: significant == true ? (factor > 1 ? "#c0392b" : "#2e6db4") : "#999", name: name)
        }
        let groups: [(String, [ChartRow])] = Group.allCases.compactMap { table in
            let rows = c.compared.filter { $0.metric.table == table }
            guard !rows.isEmpty else { return nil }
            var chart = rows.map { ChartRow(label: $0.metric.label, bars: [bar($0.slowdown!, $0.interval, $0.metric.label)]) }
            if let summary = c.tables.first(where: { $0.table == table }), let mean = summary.geometricMean {
                chart.append(ChartRow(label: "geometric mean", bars: [bar(mean, summary.interval, "geometric mean")], mean: true))
            }
            return (table.title, chart)
        }
        var all = groups
        if let o = c.overall {
            all.append(("All cells", [ChartRow(label: "geometric mean (\(o.cells))", bars: [bar(o.geometricMean, o.interval, "overall")], mean: true)]))
        }
        let (b, n) = c.sideNames
        return chart(title: "Slowdown, \(n) against \(b)",
                     heading: "Slowdown, \(n) against \(b) (log scale; 1 = no change; whiskers: 95% interval)",
                     legend: "red: slower, blue: faster, grey: no significant difference (interval within 1 ± \(ComparisonRendering.percent(c.noiseMargin)); shaded)",
                     warnings: c.warnings, inputs: c.poolingDescription == nil ? [] : ComparisonRendering.sources(c),
                     groups: all, margin: c.noiseMargin)
    }

    /// The three-way chart: per cell off/baseline, on/baseline and on/off.
    public static func render(_ t: ThreeWayComparison) -> String {
        let colours: [ThreeWayComparison.Ratio: String] = [.offBaseline: "#e67e22", .onBaseline: "#c0392b", .onOff: "#2e6db4"]
        func bar(_ r: ThreeWayComparison.Ratio, _ factor: Double?, _ interval: (low: Double, high: Double)?) -> Bar? {
            guard let factor else { return nil }
            let significant = interval.map { Comparison.isSignificant($0, margin: t.noiseMargin) } ?? false
            return Bar(factor: factor, interval: interval, colour: colours[r]!, name: r.rawValue, pale: !significant)
        }
        var groups: [(String, [ChartRow])] = Group.allCases.compactMap { table in
            let rows = t.rows(table)
            guard !rows.isEmpty else { return nil }
            var chart = rows.map { row in
                ChartRow(label: row.metric.label, bars: ThreeWayComparison.Ratio.allCases.compactMap {
                    bar($0, row.ratio($0).slowdown, row.ratio($0).interval) })
            }
            chart.append(ChartRow(label: "geometric mean", bars: ThreeWayComparison.Ratio.allCases.compactMap {
                bar($0, t.mean($0, table)?.geometricMean, t.mean($0, table)?.interval) }, mean: true))
            return (table.title, chart)
        }
        if !t.rows.isEmpty {
            groups.append(("All cells", [ChartRow(label: "geometric mean (\(t.rows.count))", bars: ThreeWayComparison.Ratio.allCases.compactMap {
                bar($0, t.comparison($0).overall?.geometricMean, t.comparison($0).overall?.interval) }, mean: true)]))
        }
        return chart(title: "Overhead: baseline, off, on",
                     heading: "Overhead per cell (log scale; 1 = no change; whiskers: 95% interval)",
                     legend: "orange: off/baseline, red: on/baseline, blue: on/off; pale: no significant difference (interval within 1 ± \(ComparisonRendering.percent(t.noiseMargin)); shaded)",
                     warnings: t.warnings, inputs: t.abSources.count > 1 ? ThreeWayRendering.sources(t) : [],
                     groups: groups, margin: t.noiseMargin)
    }

    /// The chart: a heading, the warnings in red, the inputs in grey (when
    /// several A/B runs are pooled), then per group its rows of bars on one log
    /// axis with the noise band shaded.
    static func chart(title: String, heading: String, legend: String, warnings: [String], inputs: [String] = [],
                      groups: [(String, [ChartRow])], margin: Double) -> String {
        // The axis spans every factor and interval, and 1, from one round factor
        // (1, 2 or 5 times a power of ten) to another.
        var extremes = [1.0]
        for bar in groups.flatMap({ $0.1.flatMap(\.bars) }) {
            extremes.append(bar.factor)
            if let i = bar.interval { extremes += [i.low, i.high] }
        }
        let positive = extremes.filter { $0 > 0 && $0.isFinite }
        let ticks = roundFactors(from: positive.min() ?? 1, to: positive.max() ?? 1)
        let low = ticks.first!, high = ticks.last!
        let span = max(log10(high) - log10(low), 0.5)
        func x(_ v: Double) -> Double { labelWidth + (log10(min(max(v, low), high)) - log10(low)) / span * plotWidth }

        let heightOf = { (row: ChartRow) in row.bars.count > 1 ? Double(row.bars.count) * 12 + 6 : rowHeight }
        // Warnings and inputs wrapped at about 115 characters a line.
        func wrapped(_ texts: [String], _ prefix: String) -> [String] {
            var lines: [String] = []
            for text in texts {
                var current = prefix
                for word in text.split(separator: " ") {
                    if !current.isEmpty, current.count + 1 + word.count > 115 {
                        lines.append(current)
                        current = "   "
                    }
                    current += current.isEmpty ? String(word) : " " + word
                }
                lines.append(current)
            }
            return lines
        }
        let warningLines = wrapped(warnings, "warning:"), inputLines = wrapped(inputs, "")
        let top = self.top + Double(warningLines.count + inputLines.count) * 16
        let rowsHeight = groups.reduce(0.0) { $0 + rowHeight + $1.1.reduce(0.0) { $0 + heightOf($1) } }
        let height = top + rowsHeight + 40
        let width = labelWidth + plotWidth + valueWidth
        var out = cFormat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height)
        out += "<title>\(escape(title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += text(8, 20, heading, bold: true)
        out += text(8, 38, legend, size: 11, fill: "#555")
        for (k, line) in warningLines.enumerated() {
            out += text(8, 56 + Double(k) * 16, line, size: 11, fill: "#c00000", bold: true)
        }
        for (k, line) in inputLines.enumerated() {
            out += text(8, 56 + Double(warningLines.count + k) * 16, line, size: 11, fill: "#555")
        }
        // The noise band, the axis ticks and the line at 1.
        let bottom = height - 30
        out += cFormat("<rect class=\"noise\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#eee\"/>\n",
                       x(1 / (1 + margin)), top - 6, x(1 + margin) - x(1 / (1 + margin)), bottom - top + 6)
        for v in ticks {
            out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x(v), top - 6, x(v), bottom)
            out += text(x(v), bottom + 14, label(v), size: 10, anchor: "middle", fill: "#555")
        }
        out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(1), top - 6, x(1), bottom)
        var y = top
        for (name, rows) in groups {
            out += text(8, y + 15, name, bold: true)
            y += rowHeight
            for row in rows {
                let h = heightOf(row)
                out += text(16, y + h / 2 + 4, row.label, bold: row.mean)
                let barHeight = row.bars.count > 1 ? 10.0 : rowHeight - 8
                for (k, bar) in row.bars.enumerated() {
                    let by = row.bars.count > 1 ? y + 3 + Double(k) * 12 : y + 4
                    let left = min(x(1), x(bar.factor)), right = max(x(1), x(bar.factor))
                    let kind = row.mean ? "mean" : "bar"
                    let geometry = cFormat("x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ", left, by, max(right - left, 1), barHeight)
                    let stroke = row.mean ? " stroke=\"#000\"" : ""
                    let tip = escape("\(row.label) \(bar.name): \(ComparisonRendering.factor(bar.factor))")
                    out += "<rect class=\"" + kind + "\" " + geometry + "fill=\"" + bar.colour + "\"" + (bar.pale ? " fill-opacity=\"0.3\"" : "") + stroke + "><title>" + tip + "</title></rect>\n"
                    if let i = bar.interval {
                        let mid = by + barHeight / 2
                        out += cFormat("<line class=\"interval\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(i.low), mid, x(i.high), mid)
                        for end in [i.low, i.high] {
                            out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(end), mid - 3, x(end), mid + 3)
                        }
                    }
                    let tag = row.bars.count > 1 ? bar.name + " " : ""
                    out += text(labelWidth + plotWidth + 8, by + barHeight / 2 + 4, tag + ComparisonRendering.factor(bar.factor) + "×",
                                size: row.bars.count > 1 ? 11 : 12)
                }
                y += h
            }
        }
        return out + "</svg>\n"
    }

    static func label(_ v: Double) -> String { cFormat("%g", v) }

    /// The round factors (1, 2, 5 times a power of ten) from the largest not above
    /// `low` to the smallest not below `high`: the axis ticks.
    static func roundFactors(from low: Double, to high: Double) -> [Double] {
        var candidates: [Double] = []
        for exponent in (Int(floor(log10(low))) - 1)...(Int(ceil(log10(high))) + 1) {
            for step in [1.0, 2.0, 5.0] { candidates.append(step * pow(10, Double(exponent))) }
        }
        let first = candidates.last { $0 <= low * (1 + 1e-9) } ?? candidates[0]
        let last = candidates.first { $0 >= high * (1 - 1e-9) } ?? candidates[candidates.count - 1]
        return candidates.filter { $0 >= first && $0 <= last }
    }

    static func text(_ x: Double, _ y: Double, _ s: String, size: Int = 12, anchor: String = "start",
                     fill: String = "#000", bold: Bool = false) -> String {
        cFormat("<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"", x, y, Int32(size)) + anchor
            + "\" fill=\"" + fill + "\"" + (bold ? " font-weight=\"bold\"" : "") + ">" + escape(s) + "</text>\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

