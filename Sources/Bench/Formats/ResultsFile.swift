import Glibc

/// The LMBench results file: header lines, then each benchmark's lines in the order
/// and format LMBench's OS run writes them, each summarized line exactly once, so
/// that LMBench's getsummary (and `make see`) reads it like one of its own.
public enum ResultsFile {
    /// The size lists LMBench derives from MB: ALL ends at the largest power of two
    /// not above MB MiB, HALF at half of that.
    public static func sizeLists(mb: Int) -> (all: [String], half: [String]) {
        var all = ["512", "1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k", "512k", "1m"]
        var half = all
        all.append("2m")
        var i = 4
        while i <= mb {
            all.append("\(i)m")
            half.append("\(i / 2)m")
            i *= 2
        }
        return (all, half)
    }

    /// Bytes of a size-list entry ("512", "64k", "32m").
    public static func bytes(_ size: String) -> Int {
        if size.hasSuffix("k") { return (Int(size.dropLast()) ?? 0) << 10 }
        if size.hasSuffix("m") { return (Int(size.dropLast()) ?? 0) << 20 }
        return Int(size) ?? 0
    }

    /// The header line that says who wrote the file (it must not start with "[lmbench").
    public static let toolHeaderKey = "TOOL"

    // MARK: rendering

    public static func render(_ run: RunResult) -> String {
        var out = ResultsWriter(run: run)
        out.header()
        for benchmark in Catalog.all { benchmark.results(&out) }
        out.end()
        return out.text
    }

    /// Writes each run's `<directory>/<os>/<host>.<N>`, N the first free number
    /// (for an A/B run's two sides, n and the next free one: n+1 unless something
    /// else has it). Each is complete before it has its name (`PendingFile`: a
    /// file killed while written leaves nothing behind) and linked to it, which
    /// neither follows nor replaces anything there (a taken name, a planted link
    /// included, means the next N). The names are taken under an exclusive lock
    /// of the directory, so that runs finishing together do not interleave their
    /// numbers. One file that cannot be written does not keep the others from it.
    public static func write(_ runs: [RunResult], directory: String) -> [Result<String, Error>] {
        var results: [Result<String, Error>] = []
        var lock: Int32 = -1
        defer { if lock >= 0 { Sys.close(lock) } }
        var next: [String: Int] = [:]  // per directory and host: the first number to try
        for run in runs {
            results.append(Result {
                let osDirectory = directory + "/" + run.environment.osTriplet
                try makeDirectories(osDirectory)
                if lock < 0 {
                    lock = try Sys.open(osDirectory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
                    _ = flock(lock, LOCK_EX)  // where flock is refused (some network file systems): unlocked, as before
                }
                let file = try PendingFile(in: osDirectory, prefix: ".\(run.environment.fileName).tmp.")
                defer { file.close() }
                try file.write(render(run), subject: osDirectory + "/" + run.environment.fileName)
                let key = osDirectory + "/" + run.environment.fileName
                var n = next[key] ?? 0
                while true {
                    let path = "\(key).\(n)"
                    do {
                        try file.link(to: path)
                        next[key] = n + 1
                        return path
                    } catch let error as SystemError where error.errno == .exists {
                        n += 1
                    }
                }
            })
        }
        return results
    }

    /// mkdir -p.
    public static func makeDirectories(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if Sys.exists(current) { continue }
            do { try Sys.mkdir(current) } catch let error as SystemError where error.errno == .exists {}
        }
        guard Sys.isWritableDirectory(path) else {
            throw SystemError("open", path, errno: Errno(EACCES))
        }
    }

    // MARK: lines getsummary must not misread

    /// Unanchored patterns getsummary tests against every line: a header value
    /// containing one would be read as a result (or start a context-switch block).
    static let summaryTriggers = ["size=0", "size=16", "size=64", "MHZ", "Mhz", "LINE_SIZE", "SYNC_MAX",
                                  "AF_UNIX sock stream latency:", "latency using", "connection cost to"]

    /// A free-form header line, or a placeholder if its value could be misread.
    static func headerLine(_ key: String, _ value: String) -> String {
        let line = "[\(key): \(value.replacingNewlines)]"
        if summaryTriggers.contains(where: { line.contains($0) }) {
            return "[\(key): (withheld: the text would confuse LMBench's summary; see the JSON file)]"
        }
        return line
    }
}

private extension String {
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}

/// Builds the text of one results file: the header here, then each benchmark's
/// lines (`Benchmark.results`), written with the helpers below in LMBench's formats.
public struct ResultsWriter {
    let run: RunResult
    var text = ""
    let cells: [String: Cell]
    let lists: (all: [String], half: [String])
    /// A run of blocks that LMBench's script opens (and closes) with a blank line.
    enum Section { case memory, contextSwitch }
    var section: Section?

    init(run: RunResult) {
        self.run = run
        var cells: [String: Cell] = [:]
        for cell in run.allCells { cells[cell.id] = cell }
        self.cells = cells
        lists = ResultsFile.sizeLists(mb: run.settings.mb)
    }

    mutating func line(_ s: String) { text += s + "\n" }

    /// Starts writing in `next` (nil: outside any section): closes the current
    /// section and opens the next one with their blank lines.
    mutating func enter(_ next: Section?) {
        guard next != section else { return }
        if section == .contextSwitch { line("") }
        if next != nil { line("") }
        section = next
    }

    /// The last lines: a blank line and the date.
    mutating func end() {
        enter(nil)
        line("")
        line("[\(run.environment.endDate.isEmpty ? run.environment.startDate : run.environment.endDate)]")
    }

    /// The value of a cell if the results file can carry it (finite and positive).
    func value(_ id: String) -> Double? {
        guard let v = cells[id]?.value, v.isFinite, v > 0 else { return nil }
        return v
    }

    var testFile: String {
        let path = cells[FileSystem.fileWriteID]?.detail["file"] ?? cells[MemoryMapping.pageFaultID]?.detail["file"]
            ?? run.settings.fsdir + "/XXX"
        return path.contains(where: { $0 == " " || $0 == "\t" }) ? "XXX" : path
    }

    mutating func header() {
        let env = run.environment
        let cal = run.calibration
        line("[lmbench3.0 results for \(env.unameAll)]")
        line(ResultsFile.headerLine(ResultsFile.toolHeaderKey,
                                    "\(ToolInfo.name) \(run.toolVersion), an independent reimplementation of the LMBench 3 OS benchmarks, not LMBench"))
        line("[BENCHMARK_HARDWARE: NO]")
        line("[BENCHMARK_OS: YES]")
        line("[ALL: \(lists.all.joined(separator: " "))]")
        line("[ENOUGH: \(run.settings.enoughMicroseconds)]")
        line(ResultsFile.headerLine("FILE", testFile))
        line(ResultsFile.headerLine("FSDIR", run.settings.fsdir))
        line("[HALF: \(lists.half.joined(separator: " "))]")
        // The machine that ran it (the reader's may differ); -1 where it was not recorded.
        line("[LINE_SIZE: \(env.cacheLineSize ?? -1)]")
        line("[LOOP_O: \(cFormat("%.8f", cal.loopOverheadNs / 1000))]")
        line("[MB: \(run.settings.mb)]")
        if let mhz = value(ProcessorClock.id) {
            line("[MHZ: \(cFormat("%.0f MHz, %.4f nanosec clock", mhz, 1000 / mhz))]")
        } else {
            line("[MHZ: -1 not measured]")
        }
        line("[PROCESSORS: \(env.cpuCount)]")
        line("[OS: \(env.osTriplet)]")
        line("[SYNC_MAX: 1]")
        line("[LMBENCH_SCHED: \(run.settings.pinContextSwitch ? "PINNED_CTX" : "DEFAULT")]")
        line("[TIMING_O: \(cFormat("%.6f", cal.clockReadNs / 1000))]")
        line(ResultsFile.headerLine("USER", env.user))
        line(ResultsFile.headerLine("HOSTNAME", env.nodename))
        line(ResultsFile.headerLine("NODENAME", env.nodename))
        line(ResultsFile.headerLine("SYSNAME", env.sysname))
        line(ResultsFile.headerLine("MACHINE", env.machine))
        line(ResultsFile.headerLine("RELEASE", env.release))
        line(ResultsFile.headerLine("VERSION", env.version))
        line(ResultsFile.headerLine("CMDLINE", env.kernelCommandLine ?? "unknown"))
        line(ResultsFile.headerLine("CPU_MODEL", env.cpuModel ?? "unknown"))
        line(ResultsFile.headerLine("CLOCKSOURCE", env.clocksource ?? "unknown"))
        line(ResultsFile.headerLine("CPUFREQ", env.frequencyScaling ?? "not visible"))
        line(ResultsFile.headerLine("SMT", env.smt ?? "not visible"))
        if let kind = env.fsdirFileSystem { line(ResultsFile.headerLine("FSDIR_FS", kind)) }
        line(ResultsFile.headerLine("CALIBRATION", cFormat(
            "clock read %.1f ns per interval, loop %.3f ns per iteration, slowdown %.2f, null call %.0f ns at start and %.0f ns at end",
            cal.clockReadNs, cal.loopOverheadNs, cal.slowdown, cal.nullCallNs, cal.nullCallEndNs)))
        if let side = run.switchSide, let target = run.settings.precisionTarget(abRun: true) {
            // The target is the slowdown's, which needs both sides: the JSON and the table say which cells reached it.
            line("[METHOD: \(side.record.interleaved ? "interleaved " : "")pairs, at least \(RunSession.firstPairs) per cell, more until each summary cell's slowdown has a 95% interval within "
                 + cFormat("±%.1f%%", target * 100) + (run.settings.budgetSeconds.map { cFormat(" or %.0f s are spent", $0) } ?? "") + "]")
        } else if run.switchSide == nil, let target = run.settings.precisionTarget(abRun: false) {
            let cells = run.allCells.compactMap { cell in
                cell.valueInterval().map { ($0.high - $0.low) / 2 / abs(cell.value) }
            }
            line("[METHOD: median of at least 3 intervals per cell, more until the 95% interval is within "
                 + cFormat("±%.1f%%", target * 100) + (run.settings.budgetSeconds.map { cFormat(" or %.0f s are spent", $0) } ?? "")
                 + "; \(cells.filter { $0 <= target }.count) of \(cells.count) cells reached it]")
        } else {
            line("[METHOD: median of \(run.settings.repetitions) intervals per cell, in \(min(run.settings.rounds, run.settings.repetitions)) rounds]")
        }
        if let side = run.switchSide {
            let record = side.record
            var text = "\(side.state.rawValue); \(record.spec.description); \(record.initialDetail)"
            text += "; A/B run in one boot, flipped \(record.flips.count) times (around \(record.granularity))"
            if let seconds = record.flipSeconds { text += cFormat(", %.3f s per flip", seconds) }
            if let ratio = record.probeRatio { text += cFormat(", null-call probe on/off %.2fx", ratio) }
            line(ResultsFile.headerLine("SWITCH", text))
            for warning in record.warnings { line(ResultsFile.headerLine("SWITCH-WARNING", warning.text)) }
        }
        if let hello = run.outcomes.lazy.compactMap({ $0.notes[ProcessCreation.helloNote] }).first {
            line(ResultsFile.headerLine("HELLO", hello))
        }
        if run.partial { line("[PARTIAL: interrupted; measured so far only]") }
        for outcome in run.outcomes {
            switch outcome.status {
            case .failed(let reason): line(ResultsFile.headerLine("FAILED", "\(outcome.id): \(reason)"))
            case .interrupted: line(ResultsFile.headerLine("FAILED", "\(outcome.id): interrupted"))
            case .ok: break
            }
            for (cell, reason) in outcome.cellFailures.sorted(by: { $0.key < $1.key }) {
                line(ResultsFile.headerLine("FAILED", "\(cell): \(reason)"))
            }
        }
        line("[\(env.startDate)]")
        line("[\(env.uptime)]")
    }

    /// LMBench's micro(): "<title>: <µs> microseconds".
    mutating func micro(_ title: String, _ id: String) {
        if let v = value(id) {
            enter(nil)
            line("\(title): " + cFormat("%.4f microseconds", v))
        }
    }

    /// LMBench's bandwidth(): size in MB and MB/s, "%.6f" below 1, "%.2f" above.
    func sizeAndRate(_ bytes: Int, _ rate: Double) -> String {
        let mb = Double(bytes) / 1e6
        return cFormat(mb < 1 ? "%.6f " : "%.2f ", mb) + cFormat(rate < 1 ? "%.6f" : "%.2f", rate)
    }

    /// A title line and one line per size with a value ("<MB> <rate>"), then a
    /// blank line; nothing when no size has a value.
    @discardableResult
    mutating func sizeBlock(_ title: String, prefix: String, sizes: [String], leadingBlank: Bool = false,
                            in section: Section? = nil) -> Bool {
        let rows = sizes.compactMap { size in value("\(prefix)/\(size)").map { (size, $0) } }
        guard !rows.isEmpty else { return false }
        enter(section)
        if leadingBlank { line("") }
        line(title)
        for (size, rate) in rows { line(sizeAndRate(ResultsFile.bytes(size), rate)) }
        line("")
        return true
    }

    /// Iterations of the interval whose per-operation time is the median (lat_fs's n).
    func medianIterations(_ cell: Cell) -> Int {
        guard let series = cell.series.first, !series.samples.isEmpty else { return 0 }
        let sorted = series.samples.sorted { series.perOperationNs($0) < series.perOperationNs($1) }
        return Int(sorted[sorted.count / 2].iterations)
    }
}
