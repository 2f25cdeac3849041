import BenchCatalog
import BenchCore
import BenchEngine
import Glibc

extension ResultsFile {
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
}

/// The header of a results file.
extension ResultsWriter {
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
            line("[METHOD: \(side.record.interleaved ? "interleaved " : "")pairs, at least \(RunSettings.firstPairs) per cell, more until each summary cell's slowdown has a 95% interval within "
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

}
