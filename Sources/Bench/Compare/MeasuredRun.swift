import BenchCore
import BenchEngine
import Glibc

/// One run's summary cells, from an LMBench results file (LMBench's or ours) or
/// from our run JSON (which adds every interval, for bootstrap intervals).
public struct MeasuredRun: Sendable {
    /// The file it was read from.
    public let source: String
    /// What the run says about its machine and kernel (name: value).
    public let environment: [(name: String, value: String)]
    /// Each summary cell present, by SummaryMetric.key.
    public let values: [String: MetricValue]
    /// Host and start time: the same run read from its results file and its JSON.
    let identity: String
    /// Where it ran and how, in one line: kernel, date, rounds (LaTeX's comments).
    var provenance = ""
}

/// A summary cell of one run: its value and, from a JSON run, a way to draw a
/// bootstrap replicate of it from the run's intervals.
public struct MetricValue: Sendable {
    public let value: Double
    let cells: [Cell]
    let combine: @Sendable ([Double]) -> Double
    /// Each cell's blocks of intervals (`Cell.blocks`), laid out for resampling.
    let blocks: [Cell.Resampling]

    init(value: Double, cells: [Cell], combine: @escaping @Sendable ([Double]) -> Double) {
        self.value = value
        self.cells = cells
        self.combine = combine
        blocks = cells.map { Cell.Resampling($0.blocks, terms: $0.estimate.terms.count) }
    }

    public var hasSamples: Bool { !cells.isEmpty && cells.allSatisfy { $0.series.allSatisfy { $0.samples.count >= 3 } } }

    /// The value recomputed from each cell's blocks of intervals, drawn with replacement.
    func replicate(_ generator: inout SplitMix64) -> Double {
        guard hasSamples else { return value }
        let inputs = zip(cells, blocks).map { cell, blocks in
            cell.estimate.evaluate(blocks.draw(&generator))
        }
        return combine(inputs)
    }
}

extension MeasuredRun {
    /// Every results or JSON file at `paths` (a directory is searched through).
    /// The same run as a results file and as JSON counts once, as its JSON.
    public static func load(_ paths: [String]) throws -> [MeasuredRun] {
        var files: [String] = []
        for path in paths { files += try filesUnder(path) }
        var runs: [MeasuredRun] = []
        for file in files.sorted() {
            let bytes = try ResultsReader.contents(of: file)
            switch ResultsReader.kind(of: bytes) {
            case .runJSON:
                switch try ResultsReader.jsonRun(path: file, bytes: consume bytes) {
                case .run(let run): runs.append(fromJSON(run, source: file))
                case .ab:
                    throw ResultsReader.ReadError(path: file, line: nil,
                                                  message: "an A/B run (both sides of a switch in one file): give it alone (lmbench-swift compare \(file)) or last, after a baseline (lmbench-swift compare BASELINE... \(file))")
                }
            case .resultsFile:
                try ResultsReader.validateResultsFile(path: file, bytes: bytes)
                runs.append(fromResultsFile(bytes, source: file))
            case nil: throw ResultsReader.ReadError(path: file, line: nil, message: "the file is empty")
            }
        }
        var seen: [String: Int] = [:]
        var unique: [MeasuredRun] = []
        for run in runs.sorted(by: { $0.hasSamples && !$1.hasSamples }) {
            if run.identity.isEmpty || seen[run.identity] == nil {
                seen[run.identity] = unique.count
                unique.append(run)
            }
        }
        return unique.sorted { $0.source < $1.source }
    }

    var hasSamples: Bool { values.values.contains { $0.hasSamples } }

    /// A file is taken as is; a directory gives every file under it that looks
    /// like a results file or a run JSON (anything else there is skipped).
    static func filesUnder(_ path: String) throws -> [String] {
        guard let st = try? Sys.stat(path) else {
            throw ResultsReader.ReadError(path: path, line: nil, message: "no such file or directory")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        let names: [String]
        do { names = try Sys.listDirectory(path) } catch {
            throw ResultsReader.ReadError(path: path, line: nil, message: "the directory cannot be read: \((error as? SystemError)?.errno.description ?? "\(error)")")
        }
        var found: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = path + "/" + name
            // A link to a directory is not followed (two links to '.' would make the
            // walk endless); a FIFO or a device is never read (head: regular files only).
            guard let own = try? Sys.lstat(child) else { continue }
            if (own.st_mode & S_IFMT) == S_IFDIR {
                found += try filesUnder(child)
            } else if let head = ResultsReader.head(child, count: 16), looksLikeInput(head) {
                found.append(child)
            }
        }
        return found
    }

    static func looksLikeInput(_ head: [UInt8]) -> Bool {
        head.starts(with: Array("[lmbench3".utf8)) || ResultsReader.kind(of: head) == .runJSON
    }

    /// The two sides of an A/B run.
    static func sides(_ ab: ABRunResult, source: String) -> (off: MeasuredRun, on: MeasuredRun) {
        (fromJSON(ab.off, source: source + " (switch off)"), fromJSON(ab.on, source: source + " (switch on)"))
    }

    static func fromJSON(_ run: RunResult, source: String) -> MeasuredRun {
        var cells: [String: Cell] = [:]
        for cell in run.allCells { cells[cell.id] = cell }
        var values: [String: MetricValue] = [:]
        for metric in SummaryMetric.all {
            let inputs = metric.cellInputs.compactMap { SummaryMetric.resolve($0, in: cells) }
            guard inputs.count == metric.cellInputs.count else { continue }
            let numbers = inputs.map(\.value)
            guard numbers.allSatisfy({ $0.isFinite && $0 > 0 }) else { continue }
            values[metric.key] = MetricValue(value: metric.combine(numbers), cells: inputs, combine: metric.combine)
        }
        let env = run.environment
        let s = run.settings
        return MeasuredRun(source: source, environment: env.comparableFields + [("tool", "lmbench-swift")], values: values,
                           identity: env.nodename + "|" + env.startDate + "|" + (run.switchSide?.state.rawValue ?? ""),
                           provenance: "\(source): lmbench-swift on \(env.nodename), \(env.sysname) \(env.release), \(env.startDate); "
                               + "\(s.rounds) rounds, \(s.repetitions) repetitions, ENOUGH \(s.enoughMicroseconds) us")
    }

    static func fromResultsFile(_ bytes: [UInt8], source: String) -> MeasuredRun {
        var data = SummaryData()
        data.read(Summary.File(path: source, contents: bytes))
        var values: [String: MetricValue] = [:]
        for metric in SummaryMetric.all {
            let numbers = metric.summaryInputs.map { SummaryNumbers.checked(data.value($0, 0)) }
            guard numbers.allSatisfy({ $0.isFinite && $0 > 0 }) else { continue }
            values[metric.key] = MetricValue(value: metric.combine(numbers), cells: [], combine: metric.combine)
        }
        let header = ResultsHeader(bytes)
        let side = (header["SWITCH"] ?? "").split(separator: ";").first.map(String.init) ?? ""
        let tool = header[ResultsFile.toolHeaderKey] == nil ? "LMBench" : "lmbench-swift"
        let release = header.environment.first?.value ?? "unknown"
        return MeasuredRun(source: source, environment: header.environment + [("tool", tool)], values: values,
                           identity: (header["HOSTNAME"] ?? "") + "|" + header.startDate + "|" + side,
                           provenance: "\(source): \(tool), kernel \(release), \(header.startDate.isEmpty ? "no date" : header.startDate); ENOUGH \(header["ENOUGH"] ?? "unknown")")
    }
}

/// The `[KEY: value]` lines at the top of a results file.
struct ResultsHeader {
    var fields: [String: String] = [:]
    var unameLine = ""
    var startDate = ""

    init(_ bytes: [UInt8]) {
        let days = ["Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "]
        for line in String(decoding: bytes.prefix(65536), as: UTF8.self).split(separator: "\n").prefix(200) {
            guard line.hasPrefix("["), line.hasSuffix("]") else { break }
            let body = String(line.dropFirst().dropLast())
            if body.hasPrefix("lmbench") { unameLine = body; continue }
            if startDate.isEmpty, days.contains(where: body.hasPrefix) { startDate = body; continue }
            if let colon = body.firstIndex(of: ":") {
                fields[String(body[..<colon])] = trimmed(String(body[body.index(after: colon)...]))
            }
        }
    }

    subscript(key: String) -> String? { fields[key] }

    /// The fields `compare` checks, as far as a results file records them.
    var environment: [(name: String, value: String)] {
        let release = unameLine.split(separator: " ").dropFirst(5).first.map(String.init) ?? fields["RELEASE"] ?? "unknown"
        return [("kernel release", fields["RELEASE"] ?? release), ("kernel command line", fields["CMDLINE"] ?? "unknown"),
                ("clocksource", fields["CLOCKSOURCE"] ?? "unknown"), ("CPU model", fields["CPU_MODEL"] ?? "unknown"),
                ("CPU count", fields["PROCESSORS"] ?? "unknown"), ("frequency scaling", fields["CPUFREQ"] ?? "not visible"),
                ("SMT", fields["SMT"] ?? "not visible"), ("file system of the fs directory", fields["FSDIR_FS"] ?? "unknown")]
    }
}
