import Glibc

/// `compare --svg`: one horizontal bar per compared cell, grouped by table, on a
/// log scale centred on 1 (no change), with the 95% interval as a whisker. Red:
/// significantly slower; blue: significantly faster; grey: no significant
/// difference or no interval. Hand-written SVG, no dependency.
public enum ComparisonSVG {
    static let rowHeight = 22.0, labelWidth = 170.0, plotWidth = 520.0, valueWidth = 150.0, top = 60.0

    public static func render(_ c: Comparison) -> String {
        let groups = Group.allCases.map { table in (table, c.compared.filter { $0.metric.table == table }) }
            .filter { !$0.1.isEmpty }
        // The axis spans every factor and interval, and 1, from one round factor
        // (1, 2 or 5 times a power of ten) to another.
        var extremes = [1.0]
        for row in c.compared {
            extremes.append(row.slowdown!)
            if let i = row.interval { extremes += [i.low, i.high] }
        }
        let positive = extremes.filter { $0 > 0 && $0.isFinite }
        let ticks = roundFactors(from: positive.min() ?? 1, to: positive.max() ?? 1)
        let low = ticks.first!, high = ticks.last!
        let span = max(log10(high) - log10(low), 0.5)
        func x(_ v: Double) -> Double { labelWidth + (log10(max(v, low)) - log10(low)) / span * plotWidth }

        let rows = groups.reduce(0) { $0 + $1.1.count + 1 }
        let height = top + Double(rows) * rowHeight + 40
        let width = labelWidth + plotWidth + valueWidth
        var out = cFormat("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height)
        let (b, n) = c.sideNames
        out += "<title>Slowdown: \(escape(n)) against \(escape(b))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += text(8, 20, "Slowdown, \(n) against \(b) (log scale; 1 = no change; whiskers: 95% interval)", bold: true)
        out += text(8, 38, "red: slower, blue: faster, grey: no significant difference (interval within 1 ± "
                    + "\(Int(Comparison.noiseMargin * 100))%)", size: 11, fill: "#555")
        // Axis ticks and the line at 1.
        let bottom = height - 30
        for v in ticks {
            out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x(v), top - 6, x(v), bottom)
            out += text(x(v), bottom + 14, label(v), size: 10, anchor: "middle", fill: "#555")
        }
        out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(1), top - 6, x(1), bottom)
        var y = top
        for (table, members) in groups {
            out += text(8, y + 15, table.title, bold: true)
            y += rowHeight
            for row in members {
                let factor = row.slowdown!
                let colour = row.significant == true ? (factor > 1 ? "#c0392b" : "#2e6db4") : "#999"
                let left = min(x(1), x(factor)), right = max(x(1), x(factor))
                out += text(16, y + 15, row.metric.label)
                out += cFormat("<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ",
                               left, y + 4, max(right - left, 1), rowHeight - 8)
                    + "fill=\"\(colour)\"><title>" + escape("\(row.metric.label): \(ComparisonRendering.factor(factor))")
                    + "</title></rect>\n"
                if let i = row.interval {
                    let mid = y + rowHeight / 2
                    out += cFormat("<line class=\"interval\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(i.low), mid, x(i.high), mid)
                    for end in [i.low, i.high] {
                        out += cFormat("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\"/>\n", x(end), mid - 4, x(end), mid + 4)
                    }
                }
                out += text(labelWidth + plotWidth + 8, y + 15, ComparisonRendering.factor(factor) + "×")
                y += rowHeight
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

