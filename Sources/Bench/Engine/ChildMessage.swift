import BenchCore
import Glibc

/// What a benchmark process tells the runner, one JSON object per line on a pipe.
/// Samples double as heartbeats: a benchmark that stops sending them has hung.
/// (The runner's silence limit is far longer than a batch interval.)
enum ChildMessage: Equatable {
    /// Starting a series (also a heartbeat before long setup work).
    case phase(cell: String, series: String)
    /// Recorded intervals (of one switch state in an interleaved A/B pass).
    case samples(cell: String, series: String, side: SwitchState?, [Sample])
    /// A finished cell (one side's, in an interleaved A/B pass).
    case cell(Cell, side: SwitchState?)
    case note(key: String, value: String)
    case warning(String)
    /// One cell could not be measured (the benchmark goes on with the others).
    case cellFailure(cell: String, reason: String)
    /// The benchmark threw: the reason, and the run goes on.
    case failure(String)
    /// An interleaved pass's flips: how many, their total time, and the state
    /// the switch was left in (sent last, before `done`).
    case flips(count: Int, seconds: Double, state: SwitchState)
    /// The switch could not be flipped inside the benchmark: the run stops.
    case switchFailure(String)
    case done

    var json: JSON {
        switch self {
        case let .phase(cell, series):
            return .object([("type", .string("phase")), ("cell", .string(cell)), ("series", .string(series))])
        case let .samples(cell, series, side, samples):
            return .object([("type", .string("samples")), ("cell", .string(cell)), ("series", .string(series)),
                            ("side", .str(side?.rawValue)),
                            ("samples", .array(samples.map {
                                .array([.num(Double($0.elapsedNs)), .num(Double($0.iterations))]) }))])
        case let .cell(cell, side):
            return .object([("type", .string("cell")), ("side", .str(side?.rawValue)),
                            ("cell", RunJSON.encode(cell, withStatistics: false))])
        case let .note(key, value):
            return .object([("type", .string("note")), ("key", .string(key)), ("value", .string(value))])
        case .warning(let text):
            return .object([("type", .string("warning")), ("text", .string(text))])
        case let .cellFailure(cell, reason):
            return .object([("type", .string("cell-failure")), ("cell", .string(cell)), ("text", .string(reason))])
        case .failure(let text):
            return .object([("type", .string("failure")), ("text", .string(text))])
        case let .flips(count, seconds, state):
            return .object([("type", .string("flips")), ("count", .num(count)), ("seconds", .num(seconds)),
                            ("state", .string(state.rawValue))])
        case .switchFailure(let text):
            return .object([("type", .string("switch-failure")), ("text", .string(text))])
        case .done:
            return .object([("type", .string("done"))])
        }
    }

    init?(json: JSON) {
        switch json["type"]?.stringValue {
        case "phase":
            guard let cell = json["cell"]?.stringValue, let series = json["series"]?.stringValue else { return nil }
            self = .phase(cell: cell, series: series)
        case "samples":
            guard let cell = json["cell"]?.stringValue, let series = json["series"]?.stringValue,
                  let items = json["samples"]?.arrayValue else { return nil }
            var samples: [Sample] = []
            for item in items {
                guard let pair = item.arrayValue, pair.count == 2, let ns = pair[0].doubleValue,
                      let n = pair[1].doubleValue, n >= 1, n <= 9.0e15, abs(ns) < 9.0e18 else { return nil }
                samples.append(Sample(elapsedNs: Int64(ns), iterations: UInt64(n)))
            }
            let side = json["side"]?.stringValue.flatMap(SwitchState.init(rawValue:))
            self = .samples(cell: cell, series: series, side: side, samples)
        case "cell":
            guard let body = json["cell"], let cell = try? RunJSON.decodeCell(body) else { return nil }
            self = .cell(cell, side: json["side"]?.stringValue.flatMap(SwitchState.init(rawValue:)))
        case "note":
            guard let key = json["key"]?.stringValue, let value = json["value"]?.stringValue else { return nil }
            self = .note(key: key, value: value)
        case "warning":
            guard let text = json["text"]?.stringValue else { return nil }
            self = .warning(text)
        case "cell-failure":
            guard let cell = json["cell"]?.stringValue, let text = json["text"]?.stringValue else { return nil }
            self = .cellFailure(cell: cell, reason: text)
        case "failure":
            guard let text = json["text"]?.stringValue else { return nil }
            self = .failure(text)
        case "flips":
            guard let count = json["count"]?.intValue, let seconds = json["seconds"]?.doubleValue,
                  let state = json["state"]?.stringValue.flatMap(SwitchState.init(rawValue:)) else { return nil }
            self = .flips(count: count, seconds: seconds, state: state)
        case "switch-failure":
            guard let text = json["text"]?.stringValue else { return nil }
            self = .switchFailure(text)
        case "done":
            self = .done
        default:
            return nil
        }
    }
}

/// The benchmark process's end of the message pipe.
final class ChildChannel {
    /// Samples are sent at most this often (and at the end of each series).
    static let batchIntervalNs: Int64 = 250_000_000
    let fd: Int32
    init(fd: Int32) { self.fd = fd }

    func send(_ message: ChildMessage) {
        // A runner that has gone away cannot be told anything: stop at once.
        do { try Sys.writeAll(fd, message.json.compactText + "\n") } catch { _exit(3) }
    }
}
