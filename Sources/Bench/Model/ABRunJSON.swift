/// The JSON file of an A/B run (`run --switch ... --json`): both sides as
/// complete run objects (schema "lmbench-swift.run/1", each sample carrying its
/// round, which pairs the sides), and the switch record: its initial state, every
/// flip with its cost and null-call probe, and whether it was put back. Schema
/// "lmbench-swift.ab/1", described in docs/formats.md.
public enum ABRunJSON {
    public static let schema = "lmbench-swift.ab/1"

    public static func encode(_ ab: ABRunResult) -> JSON {
        .object([
            ("schema", .string(schema)),
            ("tool", .object([("name", .string(ToolInfo.name)), ("version", .string(ab.off.toolVersion))])),
            ("partial", .bool(ab.partial)),
            ("switch", encode(ab.record)),
            ("off", RunJSON.encode(ab.off)),
            ("on", RunJSON.encode(ab.on)),
        ])
    }

    package static func encode(_ r: SwitchRecord) -> JSON {
        .object([
            ("spec", .string(r.spec.text)),
            ("description", .string(r.spec.description)),
            ("initial_state", .string(r.initialState.rawValue)),
            ("initial_detail", .string(r.initialDetail)),
            ("initial_probe_ns", .num(r.initialProbeNs)),
            ("interleaved", .bool(r.interleaved)),
            ("interleaved_flips", .num(r.interleavedFlips)),
            ("interleaved_flip_s", .num(r.interleavedFlipSeconds)),
            ("benchmarks_per_flip", .num(r.benchmarksPerFlip)),
            ("benchmarks_per_round", .num(r.benchmarksPerRound)),
            ("granularity_reason", .string(r.granularityReason)),
            ("flip_s", r.flipSeconds.map { .num($0) } ?? .null),
            ("probe_ratio", r.probeRatio.map { .num($0) } ?? .null),
            ("probe_ratio_ci95", r.probeEffect?.interval.map { .array([.num($0.low), .num($0.high)]) } ?? .null),
            ("restored", r.restored.map { .bool($0) } ?? .null),
            ("restore_error", .str(r.restoreError)),
            ("left_processes", .array(r.leftProcesses.map { .string($0) })),
            ("failure", .str(r.failure)),
            ("warnings", .array(r.warnings.map { .string($0.text) })),
            ("flips", .array(r.flips.map { flip in
                .object([
                    ("round", .num(flip.round)),
                    ("benchmark", .str(flip.benchmark)),
                    ("to", .string(flip.to.rawValue)),
                    ("seconds", .num(flip.seconds)),
                    ("probe_s", .num(flip.probeSeconds)),
                    ("probe_ns", .num(flip.probeNs)),
                    ("probe_before_ns", .num(flip.probeBeforeNs)),
                    ("ratio", flip.ratio.map { .num($0) } ?? .null),
                ])
            })),
        ])
    }

    public static func decode(_ json: JSON) throws -> ABRunResult {
        guard json["schema"]?.stringValue == schema else {
            throw RunJSON.fail("not an \(ToolInfo.name) A/B run file (schema is not \"\(schema)\")")
        }
        guard let off = json["off"], let on = json["on"] else { throw RunJSON.fail("missing \"off\" or \"on\"") }
        let record = try decodeRecord(json["switch"])
        func side(_ state: SwitchState, _ body: JSON) throws -> RunResult {
            do {
                var run = try RunJSON.decode(body)
                run.switchSide = SwitchSide(state: state, record: record)
                return run
            } catch let error as RunJSON.FormatError {
                throw RunJSON.fail("\"\(state.rawValue)\": \(error.message)")
            }
        }
        return ABRunResult(off: try side(.off, off), on: try side(.on, on), record: record)
    }

    static func decodeRecord(_ json: JSON?) throws -> SwitchRecord {
        guard let json, let text = json["spec"]?.stringValue, let spec = SwitchSpec.parse(text) else {
            throw RunJSON.fail("missing or unknown \"switch\".\"spec\"")
        }
        var r = SwitchRecord(spec: spec)
        r.initialState = json["initial_state"]?.stringValue.flatMap(SwitchState.init(rawValue:)) ?? .off
        r.initialDetail = json["initial_detail"]?.stringValue ?? ""
        r.initialProbeNs = json["initial_probe_ns"]?.doubleValue ?? 0
        r.interleaved = json["interleaved"]?.boolValue ?? false
        r.interleavedFlips = json["interleaved_flips"]?.intValue ?? 0
        r.interleavedFlipSeconds = json["interleaved_flip_s"]?.doubleValue ?? 0
        r.benchmarksPerFlip = json["benchmarks_per_flip"]?.intValue ?? 0
        r.benchmarksPerRound = json["benchmarks_per_round"]?.intValue ?? 0
        r.granularityReason = json["granularity_reason"]?.stringValue ?? ""
        r.restored = json["restored"]?.boolValue
        r.restoreError = json["restore_error"]?.stringValue
        r.leftProcesses = (json["left_processes"]?.arrayValue ?? []).compactMap(\.stringValue)
        r.failure = json["failure"]?.stringValue
        r.flips = try (json["flips"]?.arrayValue ?? []).map { flip in
            guard let to = flip["to"]?.stringValue.flatMap(SwitchState.init(rawValue:)),
                  let seconds = flip["seconds"]?.doubleValue, let probe = flip["probe_ns"]?.doubleValue else {
                throw RunJSON.fail("a flip without \"to\", \"seconds\" or \"probe_ns\"")
            }
            return SwitchRecord.Flip(round: flip["round"]?.intValue ?? 0, benchmark: flip["benchmark"]?.stringValue,
                                     to: to, seconds: seconds, probeSeconds: flip["probe_s"]?.doubleValue ?? 0,
                                     probeNs: probe, probeBeforeNs: flip["probe_before_ns"]?.doubleValue ?? 0,
                                     ratio: flip["ratio"]?.doubleValue)
        }
        return r
    }
}
