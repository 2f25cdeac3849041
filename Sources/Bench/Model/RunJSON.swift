/// The run JSON file (`--json`): every benchmark with its cells, all samples,
/// statistics, subtracted overheads, failures and the environment. Schema
/// "lmbench-swift.run/1", described in docs/formats.md. Reading ignores derived fields
/// (value, statistics) and recomputes them from the samples.
public enum RunJSON {
    public static let schema = "lmbench-swift.run/1"

    // MARK: writing

    public static func encode(_ run: RunResult) -> JSON {
        .object([
            ("schema", .string(schema)),
            ("tool", .object([("name", .string(ToolInfo.name)), ("version", .string(run.toolVersion))])),
            ("partial", .bool(run.partial)),
            ("started", .string(run.startedAt)),
            ("finished", .string(run.finishedAt)),
            ("settings", encode(run.settings, resultsDirectory: run.resultsDirectory)),
            ("environment", encode(run.environment)),
            ("calibration", encode(run.calibration)),
            ("benchmarks", .array(run.outcomes.map { encode($0, target: run.switchSide == nil ? run.settings.precisionTarget(abRun: false) : nil) })),
        ])
    }

    static func encode(_ s: RunSettings, resultsDirectory: String) -> JSON {
        .object([
            ("enough_us", .num(s.enoughMicroseconds)),
            ("repetitions", .num(s.repetitions)),
            ("rounds", .num(s.rounds)),
            ("requested_mb", .num(s.requestedMB)),
            ("mb", .num(s.mb)),
            ("fsdir", .string(s.fsdir)),
            ("results_dir", .string(resultsDirectory)),
            ("pin_ctx", .bool(s.pinContextSwitch)),
            ("budget_s", s.budgetSeconds.map { .num($0) } ?? .null),
            ("target_precision_percent", s.targetPrecisionPercent.map { .num($0) } ?? .null),
            ("benchmarks", .array(s.benchmarkIDs.map(JSON.string))),
        ])
    }

    static func encode(_ e: Environment) -> JSON {
        .object(environmentFields(e) + (e.fsdirFileSystem.map { [("fsdir_file_system", JSON.string($0))] } ?? []))
    }

    static func environmentFields(_ e: Environment) -> [(String, JSON)] {
        [
            ("uname", .string(e.unameAll)),
            ("sysname", .string(e.sysname)),
            ("nodename", .string(e.nodename)),
            ("kernel_release", .string(e.release)),
            ("kernel_version", .string(e.version)),
            ("machine", .string(e.machine)),
            ("os", .string(e.osTriplet)),
            ("kernel_cmdline", .str(e.kernelCommandLine)),
            ("cpu_count", .num(e.cpuCount)),
            ("cpu_model", .str(e.cpuModel)),
            ("clocksource", .str(e.clocksource)),
            ("frequency_scaling", .str(e.frequencyScaling)),
            ("smt", .str(e.smt)),
            ("cache_line_size", e.cacheLineSize.map { .num($0) } ?? .null),
            ("load_average", .str(e.loadAverage)),
            ("user", .string(e.user)),
            ("start_date", .string(e.startDate)),
            ("end_date", .string(e.endDate)),
            ("uptime", .string(e.uptime)),
        ]
    }

    static func encode(_ c: Calibration) -> JSON {
        .object([
            ("clock_read_ns", .num(c.clockReadNs)),
            ("loop_overhead_ns", .num(c.loopOverheadNs)),
            ("null_call_ns", .num(c.nullCallNs)),
            ("null_call_end_ns", .num(c.nullCallEndNs)),
            ("fork_ns", .num(c.forkNs)),
            ("slowdown", .num(c.slowdown)),
        ])
    }

    public static func encode(_ o: BenchmarkOutcome, target: Double? = nil) -> JSON {
        var pairs: [(String, JSON)] = [("id", .string(o.id))]
        switch o.status {
        case .ok: pairs.append(("status", .string("ok")))
        case .failed(let reason): pairs += [("status", .string("failed")), ("reason", .string(reason))]
        case .interrupted: pairs.append(("status", .string("interrupted")))
        }
        pairs += [
            ("elapsed_s", .num(o.elapsedSeconds)),
            ("warnings", .array(o.warnings.map { .string($0.text) })),
            ("notes", .object(o.notes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        if !o.cellFailures.isEmpty {
            pairs.append(("cell_failures", .object(o.cellFailures.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        pairs += [
            ("cells", .array(o.cells.map { encode($0, target: target) })),
        ]
        return .object(pairs)
    }

    public static func encode(_ cell: Cell, withStatistics: Bool = true, target: Double? = nil) -> JSON {
        var pairs: [(String, JSON)] = [("id", .string(cell.id)), ("unit", .string(cell.unit.rawValue))]
        if withStatistics {
            let stats = cell.statistics
            pairs += [
                ("value", .num(stats.value)),
                ("ci95", stats.interval.map { .array([.num($0.low), .num($0.high)]) } ?? .null),
                ("precision", stats.relativeHalfWidth.map { .num($0) } ?? .null),
                ("term_values_ns", .array(cell.termValues.map { .num($0) })),
            ]
            if let target {
                pairs.append(("target_reached", stats.relativeHalfWidth.map { .bool($0 <= target) } ?? .null))
            }
        }
        pairs += [
            ("estimate", encode(cell.estimate)),
            ("detail", .object(cell.detail.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
        ]
        let seriesStats = withStatistics ? cell.statistics.series : []
        pairs.append(("series", .array(cell.series.enumerated().map { index, s in
            var fields: [(String, JSON)] = [
                ("name", .string(s.name)),
                ("clock_overhead_ns", .num(s.clockOverheadNs)),
                ("loop_overhead_ns", .num(s.loopOverheadNs)),
                ("operations_per_iteration", .num(s.operationsPerIteration)),
                ("samples", .array(s.samples.map {
                    .array([.num(Double($0.elapsedNs)), .num(Double($0.iterations)), .num($0.round)]) })),
            ]
            if index < seriesStats.count {
                let st = seriesStats[index].statistics
                fields.append(("stats", .object([
                    ("count", .num(st.count)),
                    ("median_ns", .num(st.median)),
                    ("min_ns", .num(st.minimum)),
                    ("max_ns", .num(st.maximum)),
                    ("p5_ns", .num(st.percentile(5))),
                    ("p95_ns", .num(st.percentile(95))),
                    ("cv", .num(st.coefficientOfVariation)),
                    ("median_ci95_ns", seriesStats[index].medianInterval.map {
                        .array([.num($0.low), .num($0.high)]) } ?? .null),
                ])))
            }
            return .object(fields)
        })))
        return .object(pairs)
    }

    static func encode(_ e: Estimate) -> JSON {
        let form: [(String, JSON)]
        switch e.form {
        case .linear(let scale): form = [("form", .string("linear")), ("scale", .num(scale))]
        case .reciprocal(let numerator): form = [("form", .string("reciprocal")), ("numerator", .num(numerator))]
        }
        return .object(form + [("terms", .array(e.terms.map {
            .object([("series", .string($0.series)), ("coefficient", .num($0.coefficient)),
                     ("statistic", .string($0.statistic.rawValue))])
        }))])
    }

    // MARK: reading

    /// A malformed run JSON: what is wrong and where.
    public struct FormatError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    static func fail(_ message: String) -> FormatError { FormatError(message: message) }

    public static func decode(_ json: JSON) throws -> RunResult {
        guard json["schema"]?.stringValue == schema else {
            throw fail("not an \(ToolInfo.name) run file (schema is not \"\(schema)\")")
        }
        guard let benchmarks = json["benchmarks"]?.arrayValue else { throw fail("missing \"benchmarks\"") }
        var run = RunResult(settings: decodeSettings(json["settings"]),
                            environment: decodeEnvironment(json["environment"]),
                            calibration: decodeCalibration(json["calibration"]))
        run.toolVersion = json["tool"]?["version"]?.stringValue ?? ""
        run.partial = json["partial"]?.boolValue ?? false
        run.startedAt = json["started"]?.stringValue ?? ""
        run.finishedAt = json["finished"]?.stringValue ?? ""
        run.resultsDirectory = json["settings"]?["results_dir"]?.stringValue ?? run.resultsDirectory
        run.outcomes = try benchmarks.enumerated().map { index, item in
            do { return try decodeOutcome(item) } catch let error as FormatError {
                throw fail("benchmark \(index + 1): \(error.message)")
            }
        }
        return run
    }

    /// The settings as the file has them, not coerced: `RunSettings.invalidReason`
    /// says what a run could not have (a non-integer becomes 0, which no range holds).
    static func decodeSettings(_ json: JSON?) -> RunSettings {
        var s = RunSettings()
        guard let json else { return s }
        func integer(_ key: String, _ fallback: Int) -> Int {
            guard let value = json[key] else { return fallback }
            return value.intValue ?? 0
        }
        s.enoughMicroseconds = integer("enough_us", s.enoughMicroseconds)
        s.repetitions = integer("repetitions", s.repetitions)
        s.rounds = integer("rounds", s.rounds)
        s.requestedMB = integer("requested_mb", s.requestedMB)
        s.mb = integer("mb", s.mb)
        s.fsdir = json["fsdir"]?.stringValue ?? ""
        s.pinContextSwitch = json["pin_ctx"]?.boolValue ?? false
        s.budgetSeconds = json["budget_s"]?.doubleValue
        s.targetPrecisionPercent = json["target_precision_percent"]?.doubleValue
        s.benchmarkIDs = json["benchmarks"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return s
    }

    static func decodeEnvironment(_ json: JSON?) -> Environment {
        var e = Environment()
        guard let json else { return e }
        e.sysname = json["sysname"]?.stringValue ?? ""
        e.nodename = json["nodename"]?.stringValue ?? ""
        e.release = json["kernel_release"]?.stringValue ?? ""
        e.version = json["kernel_version"]?.stringValue ?? ""
        e.machine = json["machine"]?.stringValue ?? ""
        e.osTriplet = json["os"]?.stringValue ?? ""
        e.kernelCommandLine = json["kernel_cmdline"]?.stringValue
        e.cpuCount = json["cpu_count"]?.intValue ?? 0
        e.cpuModel = json["cpu_model"]?.stringValue
        e.clocksource = json["clocksource"]?.stringValue
        e.frequencyScaling = json["frequency_scaling"]?.stringValue
        e.smt = json["smt"]?.stringValue
        e.cacheLineSize = json["cache_line_size"]?.intValue
        e.loadAverage = json["load_average"]?.stringValue
        e.user = json["user"]?.stringValue ?? ""
        e.startDate = json["start_date"]?.stringValue ?? ""
        e.endDate = json["end_date"]?.stringValue ?? ""
        e.uptime = json["uptime"]?.stringValue ?? ""
        e.fsdirFileSystem = json["fsdir_file_system"]?.stringValue
        return e
    }

    static func decodeCalibration(_ json: JSON?) -> Calibration {
        var c = Calibration()
        guard let json else { return c }
        c.clockReadNs = json["clock_read_ns"]?.doubleValue ?? 0
        c.loopOverheadNs = json["loop_overhead_ns"]?.doubleValue ?? 0
        c.nullCallNs = json["null_call_ns"]?.doubleValue ?? 0
        c.nullCallEndNs = json["null_call_end_ns"]?.doubleValue ?? 0
        c.forkNs = json["fork_ns"]?.doubleValue ?? 0
        c.slowdown = json["slowdown"]?.doubleValue ?? 1
        return c
    }

    public static func decodeOutcome(_ json: JSON) throws -> BenchmarkOutcome {
        guard let id = json["id"]?.stringValue else { throw fail("missing \"id\"") }
        var outcome = BenchmarkOutcome(id: id)
        switch json["status"]?.stringValue {
        case "ok": outcome.status = .ok
        case "failed": outcome.status = .failed(json["reason"]?.stringValue ?? "unknown")
        case "interrupted": outcome.status = .interrupted
        default: throw fail("\(id): missing or unknown \"status\"")
        }
        outcome.elapsedSeconds = json["elapsed_s"]?.doubleValue ?? 0
        outcome.warnings = json["warnings"]?.arrayValue?.compactMap(\.stringValue).map(BenchmarkWarning.reported) ?? []
        for (key, value) in json["notes"]?.objectValue ?? [] {
            if let text = value.stringValue { outcome.notes[key] = text }
        }
        for (key, value) in json["cell_failures"]?.objectValue ?? [] {
            if let text = value.stringValue { outcome.cellFailures[key] = text }
        }
        outcome.cells = try (json["cells"]?.arrayValue ?? []).map(decodeCell)
        return outcome
    }

    public static func decodeCell(_ json: JSON) throws -> Cell {
        guard let id = json["id"]?.stringValue else { throw fail("a cell without \"id\"") }
        guard let unit = json["unit"]?.stringValue.flatMap(Unit.init(rawValue:)) else {
            throw fail("cell \(id): missing or unknown \"unit\"")
        }
        guard let estimateJSON = json["estimate"] else { throw fail("cell \(id): missing \"estimate\"") }
        let estimate = try decodeEstimate(estimateJSON, cell: id)
        var series: [Series] = []
        for item in json["series"]?.arrayValue ?? [] {
            guard let name = item["name"]?.stringValue else { throw fail("cell \(id): a series without \"name\"") }
            var s = Series(name: name,
                           clockOverheadNs: item["clock_overhead_ns"]?.doubleValue ?? 0,
                           loopOverheadNs: item["loop_overhead_ns"]?.doubleValue ?? 0,
                           operationsPerIteration: item["operations_per_iteration"]?.doubleValue ?? 1)
            guard s.operationsPerIteration > 0 else { throw fail("cell \(id): operations_per_iteration must be positive") }
            // [elapsed_ns, iterations] or, since rounds are kept, [elapsed_ns, iterations, round].
            let notASample = "cell \(id), series \(name): a sample is not [elapsed_ns, iterations, round]"
            guard let (columns, values) = item["samples"].map({ $0.numberRowsValue }) ?? (2, []) else { throw fail(notASample) }
            guard values.isEmpty || columns == 2 || columns == 3 else { throw fail(notASample) }
            s.samples.reserveCapacity(values.count / max(columns, 1))
            for start in stride(from: 0, to: values.count, by: max(columns, 1)) {
                let ns = values[start], n = values[start + 1]
                guard ns.isFinite, n >= 1, n <= 9.0e15, abs(ns) < 9.0e18 else { throw fail(notASample) }
                var round = 0
                if columns == 3 {
                    let r = values[start + 2]
                    guard r.rounded() == r, r >= 0, r < Double(1 << 20) else {
                        throw fail("cell \(id), series \(name): a sample's round is not a whole number from 0")
                    }
                    round = Int(r)
                }
                s.samples.append(Sample(elapsedNs: Int64(ns), iterations: UInt64(n), round: round))
            }
            series.append(s)
        }
        for term in estimate.terms where !series.contains(where: { $0.name == term.series }) {
            throw fail("cell \(id): the estimate uses series \"\(term.series)\", which is missing")
        }
        var detail: [String: String] = [:]
        for (key, value) in json["detail"]?.objectValue ?? [] {
            if let text = value.stringValue { detail[key] = text }
        }
        return Cell(id: id, unit: unit, estimate: estimate, series: series, detail: detail)
    }

    static func decodeEstimate(_ json: JSON, cell: String) throws -> Estimate {
        let form: Estimate.Form
        switch json["form"]?.stringValue {
        case "linear":
            guard let scale = json["scale"]?.doubleValue else { throw fail("cell \(cell): estimate without \"scale\"") }
            form = .linear(scale: scale)
        case "reciprocal":
            guard let numerator = json["numerator"]?.doubleValue else {
                throw fail("cell \(cell): estimate without \"numerator\"")
            }
            form = .reciprocal(numerator: numerator)
        default:
            throw fail("cell \(cell): unknown estimate form")
        }
        let terms = try (json["terms"]?.arrayValue ?? []).map { term -> Estimate.Term in
            guard let series = term["series"]?.stringValue, let coefficient = term["coefficient"]?.doubleValue,
                  let statistic = term["statistic"]?.stringValue.flatMap(Estimate.Statistic.init(rawValue:)) else {
                throw fail("cell \(cell): malformed estimate term")
            }
            return Estimate.Term(series, coefficient, statistic)
        }
        guard !terms.isEmpty else { throw fail("cell \(cell): estimate without terms") }
        return Estimate(terms: terms, form: form)
    }
}
