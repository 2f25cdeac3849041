import BenchCore
import BenchEngine

/// The renderings of a three-way comparison (baseline, off, on), one function
/// per format, with the helpers of `ComparisonRendering`.
enum ThreeWayRendering {
    typealias R = ComparisonRendering
    typealias Ratio = ThreeWayComparison.Ratio

    static func sources(_ t: ThreeWayComparison) -> [String] {
        let base = t.offBaseline.baselineSources
        let ab = t.abSources.count == 1 ? "the A/B run \(t.abSources[0])"
            : "\(t.abSources.count) A/B runs (\(t.abSources.joined(separator: ", ")))"
        return (["Baseline: \(base.count) run\(base.count == 1 ? "" : "s") (\(base.joined(separator: ", ")))",
                 "Off, on: " + ab] + (t.onOff.poolingDescription.map { [R.title($0)] } ?? [])).map(printable)
    }

    /// The margin as the outputs record it.
    static func margin(_ t: ThreeWayComparison) -> String {
        "noise margin \(R.percent(t.noiseMargin)): significant when the interval lies wholly outside [\(cFormat("%.3f", 1 / (1 + t.noiseMargin))), \(cFormat("%.3f", 1 + t.noiseMargin))]"
    }

    static func heading(_ table: Group) -> String {
        table.title + (table == .bandwidth ? " - MB/s, ratios of the inverse (larger = slower)" : " - microseconds, ratios larger = slower")
    }

    /// "1.234~" (~: no significant difference).
    static func mark(_ row: Comparison.Row) -> String {
        R.factor(row.slowdown) + (row.significant == false ? "~" : "")
    }
    static func mark(_ s: Comparison.TableSummary?, _ margin: Double) -> String {
        guard let s, let mean = s.geometricMean else { return "" }
        return R.factor(mean) + (s.interval.map { Comparison.isSignificant($0, margin: margin) } == false ? "~" : "")
    }
    static func mark(_ s: Comparison.Overall?, _ margin: Double) -> String {
        guard let s else { return "" }
        return R.factor(s.geometricMean) + (s.interval.map { Comparison.isSignificant($0, margin: margin) } == false ? "~" : "")
    }

    /// The flags of a row's three ratios, each named by its ratio.
    static func note(_ row: ThreeWayComparison.Row) -> String {
        Ratio.allCases.compactMap { r in
            let flags = row.ratio(r).flags.map(\.text)
            return flags.isEmpty ? nil : r.rawValue + ": " + flags.joined(separator: "; ")
        }.joined(separator: "; ")
    }

    static func missing(_ t: ThreeWayComparison) -> String? {
        t.missing.isEmpty ? nil : "Not in all three (not shown): " + t.missing.map { "\($0.table.title): \($0.label)" }.joined(separator: ", ")
    }

    static let legend = "~: no significant difference (the interval reaches into the noise margin)"

    // MARK: text

    static func text(_ t: ThreeWayComparison) -> String {
        var out = sources(t).joined(separator: "\n") + "\n"
        for warning in t.warnings { out += "warning: \(printable(warning))\n" }
        for note in t.notes { out += "note: \(printable(note))\n" }
        out += "note: \(margin(t)); \(legend)\n"
        let pad = R.pad
        func ratioColumns(_ factor: String, _ interval: String) -> String { "  " + pad(factor, 12, false) + " " + pad(interval, 16, true) }
        func line(_ s: String) -> String { String(s.reversed().drop { $0 == " " }.reversed()) + "\n" }
        for table in Group.allCases {
            let rows = t.rows(table)
            guard !rows.isEmpty else { continue }
            out += "\n" + heading(table) + "\n"
            out += line(pad("", 16, true) + pad("baseline", 10, false) + pad("off", 10, false) + pad("on", 10, false)
                        + Ratio.allCases.map { ratioColumns($0.rawValue, "95% interval") }.joined() + "  note")
            for row in rows {
                out += line(pad(row.metric.label, 16, true) + pad(R.value(row.baseline), 10, false) + pad(R.value(row.off), 10, false)
                            + pad(R.value(row.on), 10, false)
                            + Ratio.allCases.map { ratioColumns(mark(row.ratio($0)), R.interval(row.ratio($0).interval)) }.joined()
                            + "  " + note(row))
            }
            out += line(pad("geometric mean", 46, true) + Ratio.allCases.map {
                ratioColumns(mark(t.mean($0, table), t.noiseMargin), R.interval(t.mean($0, table)?.interval)) }.joined())
        }
        if !t.rows.isEmpty {
            out += "\n" + line(pad("overall geometric mean (\(t.rows.count) cells)", 46, true) + Ratio.allCases.map {
                ratioColumns(mark(t.comparison($0).overall, t.noiseMargin), R.interval(t.comparison($0).overall?.interval)) }.joined())
        }
        if let missing = missing(t) { out += "\n" + missing + "\n" }
        return out
    }

    // MARK: Markdown

    static func markdown(_ t: ThreeWayComparison) -> String {
        var out = sources(t).map { "- \($0)" }.joined(separator: "\n") + "\n"
        for warning in t.warnings { out += "- **warning:** \(printable(warning))\n" }
        for note in t.notes { out += "- note: \(printable(note))\n" }
        out += "- note: \(margin(t)); \(legend)\n"
        let header = "| cell | baseline | off | on |" + Ratio.allCases.map { " \($0.rawValue) | 95% interval |" }.joined() + " note |\n"
            + "|---|---:|---:|---:|" + String(repeating: "---:|---|", count: 3) + "---|\n"
        for table in Group.allCases {
            let rows = t.rows(table)
            guard !rows.isEmpty else { continue }
            out += "\n### \(heading(table))\n\n" + header
            for row in rows {
                out += "| \(row.metric.label) | \(R.value(row.baseline)) | \(R.value(row.off)) | \(R.value(row.on)) |"
                    + Ratio.allCases.map { " \(mark(row.ratio($0))) | \(R.interval(row.ratio($0).interval)) |" }.joined()
                    + " \(note(row)) |\n"
            }
            out += "| **geometric mean** | | | |" + Ratio.allCases.map { r in
                " **\(mark(t.mean(r, table), t.noiseMargin))** | \(R.interval(t.mean(r, table)?.interval)) |"
            }.joined() + " |\n"
        }
        if !t.rows.isEmpty {
            out += "\n**Overall geometric mean (\(t.rows.count) cells):** " + Ratio.allCases.map { r in
                let o = t.comparison(r).overall
                return "\(r.rawValue) \(mark(o, t.noiseMargin)) \(R.interval(o?.interval))"
            }.joined(separator: ", ") + "\n"
        }
        if let missing = missing(t) { out += "\n" + missing + "\n" }
        return out
    }

    // MARK: CSV

    static func csv(_ t: ThreeWayComparison) -> String {
        var out = "table,cell,name,unit,baseline,off,on"
        for r in Ratio.allCases {
            let n = r.rawValue.replacing("/", with: "_")
            out += ",\(n),\(n)_ci_low,\(n)_ci_high,\(n)_significant"
        }
        out += ",note\n"
        func ratio(_ factor: Double?, _ interval: (low: Double, high: Double)?) -> [String] {
            [R.factor(factor), interval.map { tableNumber($0.low, decimals: 4) } ?? "", interval.map { tableNumber($0.high, decimals: 4) } ?? "",
             interval.map { Comparison.isSignificant($0, margin: t.noiseMargin) ? "yes" : "no" } ?? ""]
        }
        for row in t.rows {
            var cells = [row.metric.table.rawValue, row.metric.label, row.metric.fullName, row.metric.unit.rawValue,
                         R.value(row.baseline), R.value(row.off), R.value(row.on)]
            for r in Ratio.allCases { cells += ratio(row.ratio(r).slowdown, row.ratio(r).interval) }
            cells.append(note(row))
            out += cells.map(R.csvField).joined(separator: ",") + "\n"
        }
        for table in Group.allCases where !t.rows(table).isEmpty {
            var cells = [table.rawValue, "geometric mean", "geometric mean of \(t.rows(table).count) cells", "", "", "", ""]
            for r in Ratio.allCases { cells += ratio(t.mean(r, table)?.geometricMean, t.mean(r, table)?.interval) }
            out += (cells + [""]).map(R.csvField).joined(separator: ",") + "\n"
        }
        if !t.rows.isEmpty {
            var cells = ["all", "geometric mean", "geometric mean of \(t.rows.count) cells", "", "", "", ""]
            for r in Ratio.allCases { cells += ratio(t.comparison(r).overall?.geometricMean, t.comparison(r).overall?.interval) }
            out += (cells + [""]).map(R.csvField).joined(separator: ",") + "\n"
        }
        out += R.csvNotes(warnings: t.warnings, notes: t.notes + [margin(t)] + sources(t) + (missing(t).map { [$0] } ?? []), columns: 20)
        return out
    }

    // MARK: JSON

    static func json(_ t: ThreeWayComparison) -> JSON {
        func pair(_ i: (low: Double, high: Double)?) -> JSON { i.map { .array([.num($0.low), .num($0.high)]) } ?? .null }
        func ratio(_ factor: Double?, _ interval: (low: Double, high: Double)?, flags: [String] = []) -> JSON {
            .object([("factor", factor.map { .num($0) } ?? .null), ("ci95", pair(interval)),
                     ("significant", interval.map { .bool(Comparison.isSignificant($0, margin: t.noiseMargin)) } ?? .null),
                     ("flags", .array(flags.map(JSON.string)))])
        }
        return .object([
            ("schema", .string("lmbench-swift.compare3/1")),
            ("baseline", .array(t.offBaseline.baselineSources.map(JSON.string))),
            t.abSources.count == 1 ? ("ab_run", .string(t.abSources[0])) : ("ab_runs", .array(t.abSources.map(JSON.string))),
            ("switch", .string(t.switchDescription)),
            ("noise_margin", .num(t.noiseMargin)),
            ("provenance", .array(t.provenance.map(JSON.string))),
            ("warnings", .array(t.warnings.map(JSON.string))),
            ("notes", .array(t.notes.map(JSON.string))),
            ("tables", .array(Group.allCases.compactMap { table in
                let rows = t.rows(table)
                guard !rows.isEmpty else { return nil }
                return .object([
                    ("table", .string(table.rawValue)), ("title", .string(table.title)),
                    ("geometric_means", .object(Ratio.allCases.map { r in
                        (r.rawValue, ratio(t.mean(r, table)?.geometricMean, t.mean(r, table)?.interval)) })),
                    ("cells", .array(rows.map { row in
                        .object([("cell", .string(row.metric.label)), ("name", .string(row.metric.fullName)),
                                 ("unit", .string(row.metric.unit.rawValue)),
                                 ("baseline", .num(row.baseline)), ("off", .num(row.off)), ("on", .num(row.on)),
                                 ("ratios", .object(Ratio.allCases.map { r in
                                     (r.rawValue, ratio(row.ratio(r).slowdown, row.ratio(r).interval, flags: row.ratio(r).flags.map(\.text))) }))])
                    })),
                ])
            })),
            ("overall", t.rows.isEmpty ? .null : .object([("cells", .num(t.rows.count))] + Ratio.allCases.map { r in
                (r.rawValue, ratio(t.comparison(r).overall?.geometricMean, t.comparison(r).overall?.interval)) })),
            ("missing", .array(t.missing.map { .string($0.key) })),
        ])
    }

    // MARK: LaTeX

    static func latex(_ t: ThreeWayComparison, caption: String?, label: String?, plusMinus: Bool = false) -> String {
        let e = R.latexEscaped
        var out = R.latexProvenance(sources(t) + t.provenance + t.notes + [margin(t)])
        let footnotes = R.latexFootnotes(t.warnings)
        out += R.latexOpen(caption: caption, label: label, columns: "lrrrrrr")
        out += "Benchmark & Baseline & Off & On & Off/baseline & On/baseline & On/off \\\\\n\\midrule\n"
        var first = true
        func cell(_ factor: Double?, _ interval: (low: Double, high: Double)?) -> String {
            R.latexFactor(factor, interval, margin: t.noiseMargin, plusMinus: plusMinus)
        }
        for table in Group.allCases {
            let rows = t.rows(table)
            guard !rows.isEmpty else { continue }
            if !first { out += "\\midrule\n" }
            first = false
            out += "\\multicolumn{7}{l}{\\textit{\(e(R.paperTitle(table)))} (\(table == .bandwidth ? "MB/s; ratios inverted" : "$\\mu$s"))} \\\\\n"
            for row in rows {
                let sides = [row.baseline, row.off, row.on].map { R.latexValue($0) }.joined(separator: " & ")
                out += "\(e(row.metric.fullName)) & \(sides) & "
                    + Ratio.allCases.map { cell(row.ratio($0).slowdown, row.ratio($0).interval) }.joined(separator: " & ") + " \\\\\n"
            }
            out += "\\textit{geometric mean} & & & & "
                + Ratio.allCases.map { cell(t.mean($0, table)?.geometricMean, t.mean($0, table)?.interval) }.joined(separator: " & ") + " \\\\\n"
        }
        if !t.rows.isEmpty {
            out += "\\midrule\n\\textbf{overall geometric mean} & & & & "
                + Ratio.allCases.map { cell(t.comparison($0).overall?.geometricMean, t.comparison($0).overall?.interval) }.joined(separator: " & ")
                + " \\\\\n"
        }
        out += "\\bottomrule\n\\end{tabular}\n"
        let paired = t.abSources.count == 1 ? "paired within the A/B run" : "paired within each of \(t.abSources.count) A/B runs (boots) and pooled over them"
        out += R.latexClose(notes: ["Ratios larger than 1 are slower (bandwidths inverted), with 95\\% intervals; on/off is \(paired), the ratios against the baseline are across runs. "
            + "$^{\\dagger}$: no significant difference (the interval reaches into 1 $\\pm$ \(R.percent(t.noiseMargin).replacing("%", with: "\\%"))). Switch: \(e(t.switchDescription))."] + footnotes,
            caption: caption, label: label, inTable: caption != nil || label != nil)
        return out
    }
}
