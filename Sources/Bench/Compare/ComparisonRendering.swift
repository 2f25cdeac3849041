import BenchCore
import BenchEngine
import Glibc

extension ComparisonFormat {
    public func render(_ comparison: Comparison, caption: String? = nil, label: String? = nil, plusMinus: Bool = false) -> String {
        switch self {
        case .text: return ComparisonRendering.render(comparison)
        case .markdown: return ComparisonRendering.markdown(comparison)
        case .csv: return ComparisonRendering.csv(comparison)
        case .latex: return ComparisonRendering.latex(comparison, caption: caption, label: label, plusMinus: plusMinus)
        case .json: return ComparisonRendering.json(comparison).prettyText
        }
    }

    /// The three-way table: a baseline's runs against an A/B run.
    public func render(_ comparison: ThreeWayComparison, caption: String? = nil, label: String? = nil, plusMinus: Bool = false) -> String {
        switch self {
        case .text: return ThreeWayRendering.text(comparison)
        case .markdown: return ThreeWayRendering.markdown(comparison)
        case .csv: return ThreeWayRendering.csv(comparison)
        case .latex: return ThreeWayRendering.latex(comparison, caption: caption, label: label, plusMinus: plusMinus)
        case .json: return ThreeWayRendering.json(comparison).prettyText
        }
    }
}

/// The renderings of a comparison: text, Markdown, CSV, LaTeX and JSON.
package enum ComparisonRendering {
    package static func value(_ v: Double) -> String {
        v >= 1000 ? tableNumber(v, decimals: 0) : v >= 100 ? cFormat("%.1f", v) : cFormat("%.4g", v)
    }
    package static func factor(_ v: Double?) -> String { v.map { tableNumber($0, decimals: 3) } ?? "" }
    package static func interval(_ i: (low: Double, high: Double)?, decimals: Int = 3) -> String {
        i.map { "[" + tableNumber($0.low, decimals: decimals) + ", " + tableNumber($0.high, decimals: decimals) + "]" } ?? ""
    }

    /// "10%", "7.5%".
    static func percent(_ margin: Double) -> String { cFormat("%g%%", margin * 100) }

    /// The margin as every output records it.
    static func margin(_ c: Comparison) -> String {
        "noise margin \(percent(c.noiseMargin)): significant when the interval lies wholly outside [\(cFormat("%.3f", 1 / (1 + c.noiseMargin))), \(cFormat("%.3f", 1 + c.noiseMargin))]"
    }

    static func csvField(_ s: String) -> String {
        let s = printable(s)
        return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
    }

    /// Warnings and notes after a CSV table: one row each, "warning" or "note" in the first column.
    static func csvNotes(warnings: [String], notes: [String], columns: Int) -> String {
        let empty = Array(repeating: "", count: max(0, columns - 2))
        return (warnings.map { ["warning", $0] } + notes.map { ["note", $0] })
            .map { ($0 + empty).map(csvField).joined(separator: ",") + "\n" }.joined()
    }

    static func latexEscaped(_ s: String) -> String {
        var out = ""
        for ch in printable(s) {
            switch ch {
            case "%", "&", "#", "_", "$", "{", "}": out += "\\" + String(ch)
            case "\\": out += "\\textbackslash{}"
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "±": out += "$\\pm$"
            case "×": out += "$\\times$"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A table's title as a paper prints it: "Local communication latencies".
    static func paperTitle(_ table: Group) -> String {
        let plain = table.title.replacing("*Local* Communication", with: "Local communication")
        return plain.replacing("Processor, Processes", with: "Processor, processes")
    }

    /// Provenance as LaTeX comments, one a line.
    static func latexProvenance(_ lines: [String]) -> String {
        "% lmbench-swift compare\n" + lines.map { "% " + printable($0.replacing("\n", with: " ")) + "\n" }.joined()
    }

    /// The warnings as visible text under the table.
    static func latexFootnotes(_ warnings: [String]) -> [String] {
        warnings.map { "\\textbf{Warning:} " + latexEscaped($0) }
    }

    /// A table environment when there is a caption or label; booktabs' top rule.
    static func latexOpen(caption: String?, label: String?, columns: String) -> String {
        var out = "% needs \\usepackage{booktabs}\n"
        if caption != nil || label != nil {
            out += "\\begin{table}\n\\centering\n"
            if let caption { out += "\\caption{\(latexEscaped(caption))}\n" }
            if let label { out += "\\label{\(label)}\n" }
        }
        return out + "\\begin{tabular}{\(columns)}\n\\toprule\n"
    }

    /// The notes and warnings under the table (visible), and the table environment's end.
    static func latexClose(notes: [String], caption: String?, label: String? = nil, inTable: Bool? = nil) -> String {
        var out = "\\par\\smallskip\n{\\footnotesize\n" + notes.map { $0 + "\\par\n" }.joined() + "}\n"
        if inTable ?? (caption != nil) { out += "\\end{table}\n" }
        return out
    }

    /// Decimals an interval supports: its half-width's first significant digit
    /// (two digits when that one is 1 or 2: 0.19 keeps 0.19, 3.2 gives 3).
    static func decimals(_ interval: (low: Double, high: Double)?) -> Int {
        guard let i = interval, i.high > i.low else { return 2 }
        let half = (i.high - i.low) / 2
        var d = Int(-floor(log10(half)))
        if half * pow(10, Double(d)) < 3 { d += 1 }
        return min(3, max(0, d))
    }

    /// "$1.03\times^{\dagger}$ {\scriptsize [0.97, 1.09]}", rounded to what the interval supports;
    /// with `plusMinus`, "$1.03 \pm 0.06\times^{\dagger}$" (half the interval's width).
    static func latexFactor(_ factor: Double?, _ interval: (low: Double, high: Double)?, margin: Double,
                            plusMinus: Bool = false) -> String {
        guard let factor else { return "" }
        let d = decimals(interval)
        let dagger = interval.map { Comparison.isSignificant($0, margin: margin) } == false ? "^{\\dagger}" : ""
        if plusMinus, let i = interval {
            return "$" + tableNumber(factor, decimals: d) + " \\pm " + tableNumber((i.high - i.low) / 2, decimals: d) + "\\times" + dagger + "$"
        }
        var out = "$" + tableNumber(factor, decimals: d) + "\\times" + dagger + "$"
        if let i = interval { out += " {\\scriptsize " + Self.interval(i, decimals: d) + "}" }
        return out
    }

    /// A side's value in a paper: three significant digits, whole numbers from 100.
    static func latexValue(_ v: Double) -> String { v >= 100 ? tableNumber(v, decimals: 0) : cFormat("%.3g", v) }

    static func rstrip(_ s: String) -> String { String(s.reversed().drop { $0 == " " }.reversed()) }

    /// "  no significant difference" for a geometric mean whose interval earns it, else "".
    static func meanNote(_ interval: (low: Double, high: Double)?, _ c: Comparison) -> String {
        interval.map { Comparison.isSignificant($0, margin: c.noiseMargin) } == false ? "  no significant difference" : ""
    }

    /// The note of a row: flags, or "no significant difference".
    static func note(_ row: Comparison.Row) -> String {
        var notes = row.significant == false ? ["no significant difference"] : []
        notes += row.flags.map(\.text)
        return notes.joined(separator: "; ")
    }

    static func heading(_ table: Group, _ c: Comparison) -> String {
        let (b, n) = c.sideNames
        let polarity = table == .bandwidth ? "MB/s, slowdown = \(b) / \(n)" : "microseconds, slowdown = \(n) / \(b)"
        return "\(table.title) - \(polarity)"
    }

    static func sources(_ c: Comparison) -> [String] {
        func describe(_ sources: [String]) -> String {
            "\(sources.count) run\(sources.count == 1 ? "" : "s")" + (sources.isEmpty ? "" : " (\(sources.joined(separator: ", ")))")
        }
        return ([title(c.sideNames.baseline) + ": " + describe(c.baselineSources),
                 title(c.sideNames.candidate) + ": " + describe(c.candidateSources)]
                + (c.poolingDescription.map { [title($0)] } ?? [])).map(printable)
    }

    /// "off" as "Off".
    static func title(_ name: String) -> String { name.prefix(1).uppercased() + name.dropFirst() }

    package static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        SummaryNumbers.perlString(s, width: width, left: left)
    }

    static func render(_ c: Comparison) -> String {
        var out = sources(c).joined(separator: "\n") + "\n"
        for warning in c.warnings { out += "warning: \(printable(warning))\n" }
        for note in c.notes { out += "note: \(printable(note))\n" }
        out += "note: \(margin(c))\n"
        for table in Group.allCases {
            let rows = c.compared.filter { $0.metric.table == table }
            guard !rows.isEmpty else { continue }
            out += "\n" + heading(table, c) + "\n"
            out += pad("", 16, left: true) + pad(c.sideNames.baseline, 11) + pad(c.sideNames.candidate, 11) + pad("slowdown", 10)
                + "  " + pad("95% interval", 18, left: true) + "  note\n"
            for row in rows {
                out += pad(row.metric.label, 16, left: true) + pad(value(row.baseline!.value), 11)
                    + pad(value(row.candidate!.value), 11) + pad(factor(row.slowdown), 10) + "  "
                    + pad(interval(row.interval), 18, left: true) + "  " + note(row) + "\n"
            }
            if let summary = c.tables.first(where: { $0.table == table }) {
                out += pad("geometric mean", 38, left: true) + pad(factor(summary.geometricMean), 10)
                    + rstrip("  " + pad(interval(summary.interval), 18, left: true) + meanNote(summary.interval, c)) + "\n"
            }
        }
        if let o = c.overall {
            out += "\n" + pad("overall geometric mean (\(o.cells) cells)", 38, left: true) + pad(factor(o.geometricMean), 10)
                + rstrip("  " + pad(interval(o.interval), 18, left: true) + meanNote(o.interval, c)) + "\n"
        }
        out += oneSided(c).map { "\n" + $0 + "\n" } ?? ""
        return out
    }

    /// Cells present on one side only.
    static func oneSided(_ c: Comparison) -> String? {
        let only = c.rows.filter { $0.slowdown == nil }
        guard !only.isEmpty else { return nil }
        func names(_ rows: [Comparison.Row]) -> String {
            rows.map { "\($0.metric.table.title): \($0.metric.label)" }.joined(separator: ", ")
        }
        var lines: [String] = []
        let baseline = only.filter { $0.baseline != nil }, candidate = only.filter { $0.candidate != nil }
        if !baseline.isEmpty { lines.append("Only in the baseline: " + names(baseline)) }
        if !candidate.isEmpty { lines.append("Only in the candidate: " + names(candidate)) }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ c: Comparison) -> String {
        var out = sources(c).map { "- \($0)" }.joined(separator: "\n") + "\n"
        for warning in c.warnings { out += "- **warning:** \(printable(warning))\n" }
        for note in c.notes { out += "- note: \(printable(note))\n" }
        out += "- note: \(margin(c))\n"
        for table in Group.allCases {
            let rows = c.compared.filter { $0.metric.table == table }
            guard !rows.isEmpty else { continue }
            out += "\n### \(heading(table, c))\n\n"
            out += "| cell | \(c.sideNames.baseline) | \(c.sideNames.candidate) | slowdown | 95% interval | note |\n|---|---:|---:|---:|---|---|\n"
            for row in rows {
                out += "| \(row.metric.label) | \(value(row.baseline!.value)) | \(value(row.candidate!.value)) | "
                    + "\(factor(row.slowdown)) | \(interval(row.interval)) | \(note(row)) |\n"
            }
            if let summary = c.tables.first(where: { $0.table == table }) {
                out += "| **geometric mean** | | | **\(factor(summary.geometricMean))** | \(interval(summary.interval)) |\(meanNote(summary.interval, c)) |\n"
            }
        }
        if let o = c.overall {
            out += "\n**Overall geometric mean (\(o.cells) cells):** \(factor(o.geometricMean)) \(interval(o.interval))"
                + (meanNote(o.interval, c).isEmpty ? "" : ";" + meanNote(o.interval, c)) + "\n"
        }
        if let only = oneSided(c) { out += "\n" + only + "\n" }
        return out
    }

    static func csv(_ c: Comparison) -> String {
        var out = "table,cell,name,unit,baseline,baseline_runs,candidate,candidate_runs,slowdown,ci_low,ci_high,significant,note\n"
        func ratio(_ f: Double?, _ i: (low: Double, high: Double)?) -> [String] {
            [factor(f), i.map { tableNumber($0.low, decimals: 4) } ?? "", i.map { tableNumber($0.high, decimals: 4) } ?? "",
             i.map { Comparison.isSignificant($0, margin: c.noiseMargin) ? "yes" : "no" } ?? ""]
        }
        for row in c.rows {
            let cells: [String] = [
                row.metric.table.rawValue, row.metric.label, row.metric.fullName, row.metric.unit.rawValue,
                row.baseline.map { value($0.value) } ?? "", row.baseline.map { String($0.runs) } ?? "",
                row.candidate.map { value($0.value) } ?? "", row.candidate.map { String($0.runs) } ?? "",
            ] + ratio(row.slowdown, row.interval) + [note(row)]
            out += cells.map(csvField).joined(separator: ",") + "\n"
        }
        for summary in c.tables {
            let cells = [summary.table.rawValue, "geometric mean", "geometric mean of \(summary.cells) cells", "", "", "", "", ""]
                + ratio(summary.geometricMean, summary.interval) + [""]
            out += cells.map(csvField).joined(separator: ",") + "\n"
        }
        if let o = c.overall {
            let cells = ["all", "geometric mean", "geometric mean of \(o.cells) cells", "", "", "", "", ""] + ratio(o.geometricMean, o.interval) + [""]
            out += cells.map(csvField).joined(separator: ",") + "\n"
        }
        out += csvNotes(warnings: c.warnings, notes: c.notes + [margin(c)] + sources(c), columns: 13)
        return out
    }

    static func latex(_ c: Comparison, caption: String? = nil, label: String? = nil, plusMinus: Bool = false) -> String {
        let (b, n) = c.sideNames
        var out = latexProvenance(sources(c) + c.provenance + c.notes + [margin(c)])
        out += latexOpen(caption: caption, label: label, columns: "lrrr")
        out += "Benchmark & \(latexEscaped(title(b))) & \(latexEscaped(title(n))) & Slowdown \\\\\n\\midrule\n"
        var first = true
        for table in Group.allCases {
            let rows = c.compared.filter { $0.metric.table == table }
            guard !rows.isEmpty else { continue }
            if !first { out += "\\midrule\n" }
            first = false
            out += "\\multicolumn{4}{l}{\\textit{\(latexEscaped(paperTitle(table)))} (\(table == .bandwidth ? "MB/s; slowdown \(latexEscaped(b))/\(latexEscaped(n))" : "$\\mu$s"))} \\\\\n"
            for row in rows {
                out += "\(latexEscaped(row.metric.fullName)) & \(latexValue(row.baseline!.value)) & \(latexValue(row.candidate!.value)) & "
                    + latexFactor(row.slowdown, row.interval, margin: c.noiseMargin, plusMinus: plusMinus) + " \\\\\n"
            }
            if let summary = c.tables.first(where: { $0.table == table }) {
                out += "\\textit{geometric mean} & & & \(latexFactor(summary.geometricMean, summary.interval, margin: c.noiseMargin, plusMinus: plusMinus)) \\\\\n"
            }
        }
        if let o = c.overall {
            out += "\\midrule\n\\textbf{overall geometric mean} & & & \(latexFactor(o.geometricMean, o.interval, margin: c.noiseMargin, plusMinus: plusMinus)) \\\\\n"
        }
        out += "\\bottomrule\n\\end{tabular}\n"
        out += latexClose(notes: ["Slowdown: \(latexEscaped(n))/\(latexEscaped(b)) for times, \(latexEscaped(b))/\(latexEscaped(n)) for bandwidths (larger is slower), with its 95\\% interval. "
            + "$^{\\dagger}$: no significant difference (the interval reaches into 1 $\\pm$ \(percent(c.noiseMargin).replacing("%", with: "\\%")))."] + latexFootnotes(c.warnings),
            caption: caption, label: label, inTable: caption != nil || label != nil)
        return out
    }

    static func json(_ c: Comparison) -> JSON {
        func side(_ s: Comparison.Side?) -> JSON {
            guard let s else { return .null }
            return .object([("value", .num(s.value)), ("runs", .num(s.runs)),
                            ("ci95", s.interval.map { .array([.num($0.low), .num($0.high)]) } ?? .null)])
        }
        func pair(_ i: (low: Double, high: Double)?) -> JSON { i.map { .array([.num($0.low), .num($0.high)]) } ?? .null }
        return .object([
            ("schema", .string("lmbench-swift.compare/1")),
            ("baseline", .array(c.baselineSources.map(JSON.string))),
            ("candidate", .array(c.candidateSources.map(JSON.string))),
            ("side_names", .array([.string(c.sideNames.baseline), .string(c.sideNames.candidate)])),
            ("pairing", .string(c.pairing == .runs ? "runs" : "pairs")),
            ("fewest_pairs", { if case .pairs(let n) = c.pairing { return .num(n) }; return .null }()),
        ] + (c.abSources.count > 1 ? [("ab_runs", .array(c.abSources.map(JSON.string)))] : []) + [
            ("noise_margin", .num(c.noiseMargin)),
            ("provenance", .array(c.provenance.map(JSON.string))),
            ("overall", c.overall.map { o in .object([("geometric_mean", .num(o.geometricMean)), ("ci95", pair(o.interval)),
                                                      ("cells", .num(o.cells))]) } ?? .null),
            ("warnings", .array(c.warnings.map(JSON.string))),
            ("notes", .array(c.notes.map(JSON.string))),
            ("tables", .array(Group.allCases.compactMap { table in
                let rows = c.rows.filter { $0.metric.table == table }
                guard !rows.isEmpty else { return nil }
                let summary = c.tables.first { $0.table == table }
                return .object([
                    ("table", .string(table.rawValue)), ("title", .string(table.title)),
                    ("geometric_mean", summary?.geometricMean.map { .num($0) } ?? .null),
                    ("geometric_mean_ci95", pair(summary?.interval)),
                    ("cells", .array(rows.map { row in
                        .object([("cell", .string(row.metric.label)), ("unit", .string(row.metric.unit.rawValue)),
                                 ("baseline", side(row.baseline)), ("candidate", side(row.candidate)),
                                 ("slowdown", row.slowdown.map { .num($0) } ?? .null), ("ci95", pair(row.interval)),
                                 ("significant", row.significant.map { .bool($0) } ?? .null),
                                 ("flags", .array(row.flags.map { .string($0.text) }))])
                    })),
                ])
            })),
        ])
    }
}

