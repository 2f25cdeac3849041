/// `crosscheck`'s agreement table: text, Markdown, or JSON (schema
/// "lmbench-swift.crosscheck/1", described in README.md).
public enum CrosscheckFormat: String, CaseIterable, Sendable {
    case text, markdown, json

    public func render(_ result: Crosscheck.Result) -> String {
        switch self {
        case .text, .markdown: return table(result, markdown: self == .markdown)
        case .json: return json(result).prettyText
        }
    }

    func table(_ r: Crosscheck.Result, markdown: Bool) -> String {
        func value(_ v: Double?) -> String { v.map(ComparisonText.value) ?? "-" }
        var out = "Crosscheck against LMBench in \(r.directory): \(r.rounds) round\(r.rounds == 1 ? "" : "s") "
            + "(ours, then LMBench's), tolerance " + cFormat("%.0f%%", r.tolerance * 100)
            + (r.interrupted ? " (interrupted: partial)" : "") + "\n"
        let header = ["cell", "ours", "LMBench", "ratio", "95% interval", "verdict"]
        if markdown {
            out += "\n| " + header.joined(separator: " | ") + " |\n|---|---:|---:|---:|---|---|\n"
        } else {
            out += "\n" + ComparisonText.pad("cell", 30, left: true) + ComparisonText.pad("ours", 11)
                + ComparisonText.pad("LMBench", 11) + ComparisonText.pad("ratio", 8) + "  "
                + ComparisonText.pad("95% interval", 18, left: true) + "  verdict\n"
        }
        for row in r.rows {
            var verdict = row.verdict(tolerance: r.tolerance)
            if let note = row.note { verdict += " (\(note))" }
            let cells = [row.cell, value(row.oursValue), value(row.lmbenchValue), ComparisonText.factor(row.ratio),
                         ComparisonText.interval(row.interval), verdict]
            if markdown {
                out += "| " + cells.joined(separator: " | ") + " |\n"
            } else {
                out += ComparisonText.pad(cells[0], 30, left: true) + ComparisonText.pad(cells[1], 11)
                    + ComparisonText.pad(cells[2], 11) + ComparisonText.pad(cells[3], 8) + "  "
                    + ComparisonText.pad(cells[4], 18, left: true) + "  " + cells[5] + "\n"
            }
        }
        let judged = r.rows.filter { $0.ratio != nil }
        let agree = judged.filter { $0.verdict(tolerance: r.tolerance) == "agrees" }.count
        out += "\n\(agree) of \(judged.count) cells agree within " + cFormat("%.0f%%", r.tolerance * 100) + "\n"
        return out
    }

    func json(_ r: Crosscheck.Result) -> JSON {
        .object([
            ("schema", .string("lmbench-swift.crosscheck/1")),
            ("lmbench_bin", .string(r.directory)), ("rounds", .num(r.rounds)), ("tolerance", .num(r.tolerance)),
            ("interrupted", .bool(r.interrupted)),
            ("cells", .array(r.rows.map { row in
                .object([("cell", .string(row.cell)), ("benchmark", .string(row.benchmark)),
                         ("ours", row.oursValue.map { .num($0) } ?? .null),
                         ("lmbench", row.lmbenchValue.map { .num($0) } ?? .null),
                         ("ratio", row.ratio.map { .num($0) } ?? .null),
                         ("ci95", row.interval.map { .array([.num($0.low), .num($0.high)]) } ?? .null),
                         ("verdict", .string(row.verdict(tolerance: r.tolerance))), ("note", .str(row.note)),
                         ("ours_rounds", .array(row.ours.map { .num($0) })),
                         ("lmbench_rounds", .array(row.lmbench.map { .num($0) }))])
            })),
        ])
    }
}
