/// `compare`'s outputs: text grouped like LMBench's summary, Markdown, CSV,
/// LaTeX and JSON (schema "lmbench-swift.compare/1", described in docs/formats.md).
public enum ComparisonFormat: String, CaseIterable, Sendable {
    case text, markdown, csv, json, latex

    public func render(_ comparison: Comparison) -> String {
        switch self {
        case .text: return ComparisonRendering.render(comparison)
        case .markdown: return ComparisonRendering.markdown(comparison)
        case .csv: return ComparisonRendering.csv(comparison)
        case .latex: return ComparisonRendering.latex(comparison)
        case .json: return ComparisonRendering.json(comparison).prettyText
        }
    }
}

/// The renderings of a comparison: text, Markdown, CSV, LaTeX and JSON.
enum ComparisonRendering {
    static func value(_ v: Double) -> String {
        v >= 1000 ? cFormat("%.0f", v) : v >= 100 ? cFormat("%.1f", v) : cFormat("%.4g", v)
    }
    static func factor(_ v: Double?) -> String { v.map { cFormat("%.3f", $0) } ?? "" }
    static func interval(_ i: (low: Double, high: Double)?) -> String {
        i.map { cFormat("[%.3f, %.3f]", $0.low, $0.high) } ?? ""
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
        return [title(c.sideNames.baseline) + ": " + describe(c.baselineSources),
                title(c.sideNames.candidate) + ": " + describe(c.candidateSources)]
    }

    /// "off" as "Off".
    static func title(_ name: String) -> String { name.prefix(1).uppercased() + name.dropFirst() }

    static func pad(_ s: String, _ width: Int, left: Bool = false) -> String {
        SummaryNumbers.perlString(s, width: width, left: left)
    }

    static func render(_ c: Comparison) -> String {
        var out = sources(c).joined(separator: "\n") + "\n"
        for warning in c.warnings { out += "warning: \(warning)\n" }
        for note in c.notes { out += "note: \(note)\n" }
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
                out += pad("geometric mean", 38, left: true) + pad(factor(summary.geometricMean), 10) + "  "
                    + interval(summary.interval) + "\n"
            }
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
        for warning in c.warnings { out += "- **warning:** \(warning)\n" }
        for note in c.notes { out += "- note: \(note)\n" }
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
                out += "| **geometric mean** | | | **\(factor(summary.geometricMean))** | \(interval(summary.interval)) | |\n"
            }
        }
        if let only = oneSided(c) { out += "\n" + only + "\n" }
        return out
    }

    static func csv(_ c: Comparison) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
        }
        var out = "table,cell,unit,baseline,baseline_runs,candidate,candidate_runs,slowdown,ci_low,ci_high,significant,note\n"
        for row in c.rows {
            let cells: [String] = [
                row.metric.table.rawValue, row.metric.label, row.metric.unit.rawValue,
                row.baseline.map { value($0.value) } ?? "", row.baseline.map { String($0.runs) } ?? "",
                row.candidate.map { value($0.value) } ?? "", row.candidate.map { String($0.runs) } ?? "",
                factor(row.slowdown), row.interval.map { cFormat("%.4f", $0.low) } ?? "",
                row.interval.map { cFormat("%.4f", $0.high) } ?? "", row.significant.map { $0 ? "yes" : "no" } ?? "",
                note(row),
            ]
            out += cells.map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    static func latex(_ c: Comparison) -> String {
        func escaped(_ s: String) -> String {
            var out = ""
            for ch in s {
                switch ch {
                case "%", "&", "#", "_", "$", "{", "}": out += "\\" + String(ch)
                case "\\": out += "\\textbackslash{}"
                case "~": out += "\\textasciitilde{}"
                case "^": out += "\\textasciicircum{}"
                default: out.append(ch)
                }
            }
            return out
        }
        let (b, n) = c.sideNames
        var out = "% lmbench-swift compare: slowdown = \(n)/\(b) for times, \(b)/\(n) for bandwidths\n"
        out += "\\begin{tabular}{lrrrl}\n\\hline\n"
        out += "Benchmark & \(escaped(title(b))) & \(escaped(title(n))) & Slowdown & 95\\% interval \\\\\n"
        for table in Group.allCases {
            let rows = c.compared.filter { $0.metric.table == table }
            guard !rows.isEmpty else { continue }
            out += "\\hline\n\\multicolumn{5}{l}{\\textit{\(escaped(heading(table, c)))}} \\\\\n"
            for row in rows {
                let mark = row.significant == false ? "$^{\\dagger}$" : ""
                out += "\(escaped(row.metric.label)) & \(value(row.baseline!.value)) & \(value(row.candidate!.value)) & "
                    + "\(factor(row.slowdown))\(mark) & \(interval(row.interval)) \\\\\n"
            }
            if let summary = c.tables.first(where: { $0.table == table }) {
                out += "\\textit{geometric mean} & & & \(factor(summary.geometricMean)) & \(interval(summary.interval)) \\\\\n"
            }
        }
        out += "\\hline\n\\end{tabular}\n% $^{\\dagger}$: the interval reaches into 1 \\pm{} \(Int(Comparison.noiseMargin * 100))\\% (no significant difference)\n"
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
            ("noise_margin", .num(Comparison.noiseMargin)),
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

