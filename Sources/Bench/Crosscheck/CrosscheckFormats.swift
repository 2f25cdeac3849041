import BenchCore
import BenchReports

extension CrosscheckFormat {
    public func render(_ result: Crosscheck.Result) -> String {
        switch self {
        case .text, .markdown:
            return result.switchRecord == nil ? table(result, markdown: self == .markdown)
                : switchedTable(result, markdown: self == .markdown)
        case .json: return json(result).prettyText
        }
    }

    /// Under a switch: each tool's values off and on, its slowdown, and the
    /// ratio of our slowdown to LMBench's with its interval and verdict.
    func switchedTable(_ r: Crosscheck.Result, markdown: Bool) -> String {
        let record = r.switchRecord!
        func value(_ v: Double?) -> String { v.map(ComparisonRendering.value) ?? "-" }
        func slowdown(_ row: Crosscheck.Row, _ tool: Crosscheck.Tool) -> String {
            guard let s = row.slowdown(tool) else { return "-" }
            return tableNumber(s, decimals: 2) + (row.slowdownInterval(tool).map { " " + ComparisonRendering.interval($0, decimals: 2) } ?? "")
        }
        var out = "Crosscheck against LMBench in \(printable(r.directory)) under \(record.spec.description): \(r.rounds) round"
            + (r.rounds == 1 ? "" : "s") + (record.interleaved
                ? " (each cell with ours, then LMBench's, each tool's off and on in pairs one run apart), tolerance "
                : " (each cell with ours, then LMBench's, off and on around blocks of benchmarks), tolerance ")
            + cFormat("%.0f%%", r.tolerance * 100) + " on the ratio of the slowdowns" + (r.interrupted ? " (interrupted: partial)" : "") + "\n"
        out += "switch: \(record.flips.count) flips" + (record.flipSeconds.map { cFormat(", %.2g s each", $0) } ?? "")
            + (record.interleavedFlips == 0 ? "" : ", \(record.interleavedFlips) between measurements (pairs one run apart)")
            + (record.probeRatio.map { cFormat(", null-call probe on/off %.2fx", $0) } ?? "") + "\n"
        for warning in record.warnings { out += "warning: \(printable(warning.text))\n" }
        let header = ["cell", "ours off", "ours on", "ours slowdown", "LMBench off", "LMBench on", "LMBench slowdown",
                      "ratio", "95% interval", "verdict"]
        let widths = [24, 10, 10, 22, 11, 11, 22, 7, 18]
        func line(_ cells: [String]) -> String {
            if markdown { return "| " + cells.joined(separator: " | ") + " |\n" }
            var text = ""
            for (i, cell) in cells.enumerated() {
                if i == cells.count - 1 { text += "  " + cell; break }
                text += i == 0 || i == 3 || i == 6 || i == 8 ? ComparisonRendering.pad(cell, widths[i], left: true) + (i == 0 ? "" : "  ")
                    : ComparisonRendering.pad(cell, widths[i]) + (i == 2 || i == 5 || i == 7 ? "  " : "")
            }
            return text + "\n"
        }
        out += "\n" + line(header)
        if markdown { out += "|---|---:|---:|---|---:|---:|---|---:|---|---|\n" }
        for row in r.rows {
            let verdict = verdictText(row, row.verdict(tolerance: r.tolerance, switched: true))
            out += line([row.cell, value(row.values(.ours, .off).isEmpty ? nil : Statistics(row.values(.ours, .off)).median),
                         value(row.values(.ours, .on).isEmpty ? nil : Statistics(row.values(.ours, .on)).median), slowdown(row, .ours),
                         value(row.lmbenchValue), value(row.values(.lmbench, .on).isEmpty ? nil : Statistics(row.values(.lmbench, .on)).median),
                         slowdown(row, .lmbench), ComparisonRendering.factor(row.slowdownRatio),
                         ComparisonRendering.interval(row.slowdownInterval()), verdict])
        }
        let judged = r.rows.filter { $0.slowdownRatio != nil }
        let agree = judged.filter { $0.verdict(tolerance: r.tolerance, switched: true) == .agrees }.count
        out += "\n\(agree) of \(judged.count) slowdowns agree within " + cFormat("%.0f%%", r.tolerance * 100) + "\n"
        return out
    }

    /// A row's verdict with its note, and the known cause of a difference
    /// beside a verdict that is not agrees.
    func verdictText(_ row: Crosscheck.Row, _ verdict: Crosscheck.Verdict) -> String {
        var text = verdict.rawValue
        if let note = row.note { text += " (\(printable(note)))" }
        if verdict == .differs || verdict == .inconclusive, let cause = row.knownCause { text += " (known: \(cause))" }
        return text
    }

    func table(_ r: Crosscheck.Result, markdown: Bool) -> String {
        func value(_ v: Double?) -> String { v.map(ComparisonRendering.value) ?? "-" }
        var out = "Crosscheck against LMBench in \(printable(r.directory)): \(r.rounds) round\(r.rounds == 1 ? "" : "s") "
            + "(ours, then LMBench's), tolerance " + cFormat("%.0f%%", r.tolerance * 100)
            + (r.interrupted ? " (interrupted: partial)" : "") + "\n"
        let header = ["cell", "ours", "LMBench", "ratio", "95% interval", "verdict"]
        if markdown {
            out += "\n| " + header.joined(separator: " | ") + " |\n|---|---:|---:|---:|---|---|\n"
        } else {
            out += "\n" + ComparisonRendering.pad("cell", 30, left: true) + ComparisonRendering.pad("ours", 11)
                + ComparisonRendering.pad("LMBench", 11) + ComparisonRendering.pad("ratio", 8) + "  "
                + ComparisonRendering.pad("95% interval", 18, left: true) + "  verdict\n"
        }
        for row in r.rows {
            let verdict = verdictText(row, row.verdict(tolerance: r.tolerance))
            let cells = [row.cell, value(row.oursValue), value(row.lmbenchValue), ComparisonRendering.factor(row.ratio),
                         ComparisonRendering.interval(row.interval), verdict]
            if markdown {
                out += "| " + cells.joined(separator: " | ") + " |\n"
            } else {
                out += ComparisonRendering.pad(cells[0], 30, left: true) + ComparisonRendering.pad(cells[1], 11)
                    + ComparisonRendering.pad(cells[2], 11) + ComparisonRendering.pad(cells[3], 8) + "  "
                    + ComparisonRendering.pad(cells[4], 18, left: true) + "  " + cells[5] + "\n"
            }
        }
        let judged = r.rows.filter { $0.ratio != nil }
        let agree = judged.filter { $0.verdict(tolerance: r.tolerance) == .agrees }.count
        out += "\n\(agree) of \(judged.count) cells agree within " + cFormat("%.0f%%", r.tolerance * 100) + "\n"
        return out
    }

    func json(_ r: Crosscheck.Result) -> JSON {
        let switched = r.switchRecord != nil
        func pair(_ i: (low: Double, high: Double)?) -> JSON { i.map { .array([.num($0.low), .num($0.high)]) } ?? .null }
        func median(_ values: [Double]) -> JSON { values.isEmpty ? .null : .num(Statistics(values).median) }
        var top: [(String, JSON)] = [
            ("schema", .string("lmbench-swift.crosscheck/1")),
            ("lmbench_bin", .string(r.directory)), ("rounds", .num(r.rounds)), ("tolerance", .num(r.tolerance)),
            ("interrupted", .bool(r.interrupted)),
        ]
        if let record = r.switchRecord { top.append(("switch", ABRunJSON.encode(record))) }
        top.append(("cells", .array(r.rows.map { row in
            var fields: [(String, JSON)] = [
                ("cell", .string(row.cell)), ("benchmark", .string(row.benchmark)),
                ("ours", row.oursValue.map { .num($0) } ?? .null),
                ("lmbench", row.lmbenchValue.map { .num($0) } ?? .null),
                ("ratio", row.ratio.map { .num($0) } ?? .null),
                ("ci95", pair(row.interval)),
                ("verdict", .string(row.verdict(tolerance: r.tolerance, switched: switched).rawValue)), ("note", .str(row.note)),
                ("known_cause", .str(row.knownCause)),
                ("ours_rounds", .array(row.ours.map { .num($0) })),
                ("lmbench_rounds", .array(row.lmbench.map { .num($0) })),
            ]
            if switched {
                fields += [
                    ("ours_on", median(row.values(.ours, .on))), ("lmbench_on", median(row.values(.lmbench, .on))),
                    ("ours_slowdown", row.slowdown(.ours).map { .num($0) } ?? .null),
                    ("ours_slowdown_ci95", pair(row.slowdownInterval(.ours))),
                    ("lmbench_slowdown", row.slowdown(.lmbench).map { .num($0) } ?? .null),
                    ("lmbench_slowdown_ci95", pair(row.slowdownInterval(.lmbench))),
                    ("slowdown_ratio", row.slowdownRatio.map { .num($0) } ?? .null),
                    ("slowdown_ratio_ci95", pair(row.slowdownInterval())),
                    ("ours_pairs", .num(row.pairs[.ours]?.pairs ?? 0)), ("lmbench_pairs", .num(row.pairs[.lmbench]?.pairs ?? 0)),
                    ("by_round", .array(row.rounds.map { round in
                        .object([("round", .num(round))] + Crosscheck.Tool.allCases.flatMap { tool in
                            SwitchState.allCases.map { state in
                                ("\(tool.rawValue)_\(state.rawValue)", row.values[tool]?[state]?[round].map { .num($0) } ?? .null)
                            }
                        })
                    })),
                ]
            }
            return .object(fields)
        })))
        return .object(top)
    }
}
