import BenchCatalog
import BenchCore
import BenchCrosscheck
import BenchEngine
import BenchReports
import Glibc

/// Where a run's files go (not part of what decides its numbers).
struct OutputPaths {
    var resultsDirectory: String
    var json: OutputFile?
    var jsonPath: String? { json?.path }
}

extension ABRunResult {
    /// Both sides as their results files and JSON name where they were written.
    func writtenTo(_ output: OutputPaths) -> ABRunResult {
        var ab = self
        ab.off.resultsDirectory = output.resultsDirectory
        ab.on.resultsDirectory = output.resultsDirectory
        return ab
    }
}

/// `run` and the default run: validate, measure, write the files, print the summary.
enum RunCommand {
    static func execute(_ options: RunOptions) throws -> Int32 {
        var previous: RunResult?
        var previousAB: ABRunResult?
        var kernelSwitch = options.kernelSwitch
        var names = options.names
        var settings: RunSettings
        if let path = options.resumePath {
            let run: RunResult
            switch try ResultsReader.jsonRun(path: path, bytes: try ResultsReader.contents(of: path)) {
            case .run(let plain): run = plain
            case .ab(let ab):
                // An A/B run resumes with its own switch; both sides are checked as one.
                run = ab.off
                previousAB = ab
                kernelSwitch = ab.record.spec
            }
            guard names.isEmpty else {
                throw UsageError(message: "--resume continues the run's own benchmarks: name none", command: "run")
            }
            if let reason = run.settings.invalidReason {
                throw InputError(message: "cannot resume '\(path)': its settings are not a run's: \(reason)")
            }
            if let difference = RunSession.resumeMismatch(run.environment, Environment.current()) {
                throw InputError(message: "cannot resume '\(path)' here: \(difference)")
            }
            if RunSession.hasNothingToMeasure(run) && previousAB.map({ RunSession.hasNothingToMeasure($0.on) }) != false {
                progress(options).message("nothing to resume: every benchmark of '\(path)' is complete; nothing written")
                return 0
            }
            guard Sys.isWritableDirectory(run.settings.fsdir) else {
                throw InputError(message: "cannot resume '\(path)': its fsdir '\(run.settings.fsdir)' is not a writable directory")
            }
            try checkSafe(run.settings.fsdir, option: "cannot resume '\(path)': its fsdir '\(run.settings.fsdir)'")
            names = run.settings.benchmarkIDs.isEmpty ? run.outcomes.map(\.id) : run.settings.benchmarkIDs
            settings = run.settings
            if previousAB == nil { previous = run }
        } else {
            settings = try self.settings(options)
        }
        let benchmarks: [Benchmark]
        do { benchmarks = try Catalog.select(names) } catch let error as BenchError {
            throw UsageError(message: error.message, command: "run")
        }
        settings.benchmarkIDs = benchmarks.map(\.id)
        // Checked, not made: a run refused later (a switch that cannot be flipped) creates nothing.
        try checkResultsDirectory(options.resultsDirectory + "/" + Environment.current().osTriplet, given: options.resultsDirectory)
        let output = OutputPaths(resultsDirectory: options.resultsDirectory,
                                 json: try options.jsonPath.map { try checkWritable($0, option: "--json") })

        let progress = progress(options)
        var request = RunRequest(benchmarks: benchmarks, settings: settings, previous: previous, previousAB: previousAB)
        // A resumed run keeps its host name unless --name gives another.
        request.hostName = options.hostName ?? (previous ?? previousAB?.off).map(\.environment.nodename)
        let session = RunSession(request: request, progress: progress)
        if let spec = kernelSwitch {
            // The files first, then the restore (which may be slow, or be cut short).
            var early: ABFiles?
            var ab: ABRunResult
            do {
                ab = try session.runAB(spec) { pending in early = writeBeforeRestore(pending.writtenTo(output), output: output) }
            } catch let error as BenchError {
                throw InputError(message: error.message)
            }
            ab = ab.writtenTo(output)
            return try finishAB(ab, output: output, progress: progress, early: early ?? writeBeforeRestore(ab, output: output))
        }
        var result: RunResult
        do { result = try session.run() } catch let error as BenchError {
            throw InputError(message: error.message)
        }
        result.resultsDirectory = output.resultsDirectory
        return try finish(result, output: output, progress: progress)
    }

    static func progress(_ options: RunOptions) -> ConsoleProgress { ConsoleProgress.automatic(quiet: options.quiet) }

    /// The settings of a new run, its fs directory checked.
    static func settings(_ options: RunOptions) throws -> RunSettings {
        var settings = options.settings
        settings.fsdir = try fsdir(options.fsdir)
        return settings
    }

    /// Writes the files, prints the summary, and says how the run ended.
    static func finish(_ result: RunResult, output: OutputPaths, progress: ConsoleProgress) throws -> Int32 {
        var unwritten: [String] = []
        if let json = output.json { write(json, RunJSON.encode(result).prettyText, &unwritten) }
        let path = writeResults([result], output, &unwritten)[0]
        print(Summary.render([summaryFile(result, path)]), terminator: "")
        if result.settings.budgetSeconds != nil || result.settings.targetPrecisionPercent != nil {
            print("\n" + PrecisionReport.render(result), terminator: "")
        }
        let written = [path.map { "results: \($0)" }, unwritten.contains { $0.hasPrefix("the JSON") } ? nil : output.jsonPath.map { "JSON: \($0)" }]
        if !written.compactMap({ $0 }).isEmpty { progress.message(written.compactMap { $0 }.joined(separator: ", ")) }
        let signal = RunSession.interruptingSignal
        if signal != 0 {
            progress.message("interrupted: the files hold what was measured before the signal")
            _ = reportUnwritten(unwritten)
            return 128 + signal
        }
        if !unwritten.isEmpty { return reportUnwritten(unwritten) }
        let failed = result.outcomes.filter(\.hasFailure)
        if !failed.isEmpty {
            let names = failed.flatMap { $0.cellFailures.isEmpty ? [$0.id] : $0.cellFailures.keys.sorted() }
            progress.message("\(names.count) benchmark(s) or cell(s) failed: \(names.joined(separator: ", "))")
            return 1
        }
        return 0
    }

    /// What an A/B run wrote before its switch was put back: each side's results
    /// file (path and text) and what could not be written.
    struct ABFiles {
        var paths: [String?]
        var texts: [String]
        var unwritten: [String]
    }

    /// Before the restore: the JSON (`restored` null: the restore is pending;
    /// a device or FIFO gets it once, after the restore) and both results files,
    /// so that a restore that never ends, or SIGKILL during it, loses nothing.
    static func writeBeforeRestore(_ ab: ABRunResult, output: OutputPaths) -> ABFiles {
        var unwritten: [String] = []
        if let json = output.json, !json.isStream {
            do { try json.write(ABRunJSON.encode(ab).prettyText) } catch { unwritten.append("the JSON '\(json.path)': \(error)") }
        }
        let paths = writeResults([ab.off, ab.on], output, &unwritten)
        return ABFiles(paths: paths, texts: [ab.off, ab.on].map(ResultsFile.render), unwritten: unwritten)
    }

    /// An A/B run, its switch put back: the JSON again (atomically over the one
    /// written before, now with the restore's outcome), each results file again
    /// if the restore added a warning, the two summary rows, and the paired overhead table.
    static func finishAB(_ ab: ABRunResult, output: OutputPaths, progress: ConsoleProgress, early: ABFiles) throws -> Int32 {
        var unwritten = early.unwritten.filter { !$0.hasPrefix("the JSON") }
        if let json = output.json { write(json, ABRunJSON.encode(ab).prettyText, &unwritten) }
        let paths = early.paths
        for (index, run) in [ab.off, ab.on].enumerated() {
            let text = ResultsFile.render(run)
            guard let path = paths[index], text != early.texts[index] else { continue }
            do { try Sys.writeFileAtomically(path, text) } catch { unwritten.append("the results file '\(path)': \(error)") }
        }
        print(Summary.render([summaryFile(ab.off, paths[0]), summaryFile(ab.on, paths[1])]), terminator: "")
        print("\nOverhead of the switch, paired in one run\n", terminator: "")
        let comparison = Comparison(ab: ab, source: output.jsonPath ?? "this run")
        print(ComparisonFormat.text.render(comparison), terminator: "")
        if let target = ab.off.settings.precisionTarget(abRun: true) {
            print("\n" + PrecisionReport.render(comparison, target: target), terminator: "")
        }
        let written = [paths[0].map { "results: \($0) (off)" }, paths[1].map { "results: \($0) (on)" },
                       unwritten.contains { $0.hasPrefix("the JSON") } ? nil : output.jsonPath.map { "JSON: \($0)" }].compactMap { $0 }
        if !written.isEmpty { progress.message(written.joined(separator: ", ")) }
        for warning in ab.record.warnings { progress.warning(warning.text) }

        let signal = RunSession.interruptingSignal
        if signal != 0 {
            progress.message("interrupted: the files hold what was measured before the signal; the switch is \(ab.record.restored == true ? "back as it was" : "NOT back as it was")")
            _ = reportUnwritten(unwritten)
            return 128 + signal
        }
        if !unwritten.isEmpty { return reportUnwritten(unwritten) }
        let failed = [ab.off, ab.on].flatMap { $0.outcomes }.filter(\.hasFailure)
        if !failed.isEmpty {
            progress.message("\(failed.count) pass(es) failed: \(Set(failed.map(\.id)).sorted().joined(separator: ", "))")
            return 1
        }
        return ab.record.failure == nil && ab.record.restored != false ? 0 : 1
    }

    /// --fsdir, or the first writable and safe of /var/tmp and /tmp.
    static func fsdir(_ requested: String?) throws -> String {
        if let requested {
            guard Sys.isWritableDirectory(requested) else {
                throw InputError(message: "--fsdir '\(requested)' is not a writable directory")
            }
            try checkSafe(requested, option: "--fsdir '\(requested)'")
            return requested
        }
        for candidate in ["/var/tmp", "/tmp"]
        where Sys.isWritableDirectory(candidate) && (try? WorkDirectory.checkedLocation(candidate)) != nil {
            return candidate
        }
        throw InputError(message: "neither /var/tmp nor /tmp is a writable directory safe from other users: choose one with --fsdir")
    }

    /// Refuses an fs directory where another user could redirect what the run executes and removes.
    static func checkSafe(_ fsdir: String, option: String) throws {
        do { _ = try WorkDirectory.checkedLocation(fsdir) } catch {
            throw InputError(message: "\(option): \(error): another user could replace what the run executes and removes there")
        }
    }

    /// An output file, checked before any work (OutputFile.prepare: a device or
    /// a FIFO is opened now and written through; a regular file or nothing there
    /// needs a writable directory; anything else is refused). An input of the
    /// kinds in `sparing` (an LMBench results file, a JSON run: what `compare
    /// X Y --svg X` would have destroyed) is never replaced.
    static func checkWritable(_ path: String, option: String, sparing: [ResultsReader.Kind] = [.resultsFile]) throws -> OutputFile {
        switch ResultsReader.inputKind(at: path) {
        case .resultsFile? where sparing.contains(.resultsFile):
            throw InputError(message: "cannot write \(option) '\(path)': it is an LMBench results file, which this would replace")
        case .runJSON? where sparing.contains(.runJSON):
            throw InputError(message: "cannot write \(option) '\(path)': it is a JSON file (a run, an input), which this would replace")
        default: break
        }
        do { return try OutputFile.prepare(path) } catch let error as BenchError {
            throw InputError(message: "cannot write \(option) '\(path)': \(error.message)")
        } catch {
            throw InputError(message: "cannot write \(option) '\(path)': \(error)")
        }
    }

    /// The results directory (--results-dir and <os> below it) can be made:
    /// each part that exists is a directory, the last of them writable. Nothing
    /// is created here; ResultsFile.write makes what is missing.
    static func checkResultsDirectory(_ path: String, given: String) throws {
        func refuse(_ reason: String) -> InputError {
            InputError(message: "results directory '\(given)' cannot be written: \(reason)")
        }
        var current = path.hasPrefix("/") ? "" : "."
        var deepest = path.hasPrefix("/") ? "/" : "."
        for component in path.split(separator: "/") {
            if component.utf8.count > Int(NAME_MAX) {
                throw refuse("the name '\(component.prefix(20))…' is \(component.utf8.count) bytes, more than the \(NAME_MAX) a file name may have")
            }
            current += "/" + component
            guard let st = try? Sys.stat(current) else { break }
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw refuse("'\(current)' is not a directory") }
            deepest = current
        }
        guard Sys.isWritableDirectory(deepest) else { throw refuse("'\(deepest)' is not a writable directory") }
    }

    /// Writes one output, or adds it to `unwritten` with the reason.
    static func write(_ file: OutputFile, _ text: String, _ unwritten: inout [String]) {
        do { try file.write(text) } catch { unwritten.append("the JSON '\(file.path)': \(error)") }
        file.close()
    }

    /// Writes the runs' results files (consecutive numbers), adding each that
    /// cannot be written to `unwritten` with the reason.
    static func writeResults(_ runs: [RunResult], _ output: OutputPaths, _ unwritten: inout [String]) -> [String?] {
        zip(runs, ResultsFile.write(runs, directory: output.resultsDirectory)).map { run, result in
            switch result {
            case .success(let path): return path
            case .failure(let error):
                let side = run.switchSide.map { " (\($0.state.rawValue))" } ?? ""
                unwritten.append("the results file\(side) in '\(output.resultsDirectory)': \(error)")
                return nil
            }
        }
    }

    /// The summary's input for a run: its results file's text, named <os>/<host>.<n>
    /// (as written; .0 when it could not be).
    static func summaryFile(_ run: RunResult, _ path: String?) -> Summary.File {
        let name = path.map { $0.split(separator: "/").suffix(2).joined(separator: "/") }
            ?? "\(run.environment.osTriplet)/\(run.environment.fileName).0"
        return Summary.File(path: name, contents: Array(ResultsFile.render(run).utf8))
    }

    /// Every output that could not be written, one line each: exit status 1.
    static func reportUnwritten(_ unwritten: [String]) -> Int32 {
        for line in unwritten { printError("cannot write \(line)") }
        return 1
    }
}

/// `summary`: LMBench results files, ours, or our JSON run files.
enum SummaryCommand {
    static func render(_ paths: [String]) throws -> String {
        let files = try paths.flatMap { path -> [Summary.File] in
            try ResultsReader.summaryFiles(path: path, bytes: try ResultsReader.contents(of: path))
        }
        if let warning = Summary.fileSystemWarning(files) { try? Sys.writeAll(2, "lmbench-swift: warning: \(printable(warning))\n") }
        return Summary.render(files)
    }
}

/// `compare`: the overhead table of a candidate against a baseline.
enum CompareCommand {
    static func execute(_ options: CompareOptions) throws -> Int32 {
        let svg = try options.svgPath.map { try RunCommand.checkWritable($0, option: "--svg", sparing: [.resultsFile, .runJSON]) }
        let format = ComparisonFormat(rawValue: options.format)!  // checked against the option's choices
        let margin = options.noiseMarginPercent / 100
        // The table, then the chart (--svg).
        func show(_ table: String, _ chart: () -> String) throws -> Int32 {
            print(table, terminator: "")
            if let svg { try svg.write(chart()) }
            return 0
        }
        let (caption, label, plusMinus) = (options.caption, options.label, options.plusMinus)
        // A/B runs come last, alone (on/off, pooled over them) or after a baseline (the three-way table).
        let inputs = options.abRun.map { [$0] } ?? options.baseline + options.candidate
        let abRuns = try inputs.map(abRun)
        if let path = options.abRun, abRuns[0] == nil {
            _ = try ResultsReader.contents(of: path)  // a file that cannot be read says why
            throw InputError(message: "'\(path)': not an A/B run JSON (lmbench-swift run --switch ... --json): give a baseline and a candidate")
        }
        var firstAB = inputs.count
        while firstAB > 0, abRuns[firstAB - 1] != nil { firstAB -= 1 }
        if let misplaced = abRuns[..<firstAB].firstIndex(where: { $0 != nil }),
           let other = (misplaced..<firstAB).first(where: { abRuns[$0] == nil }) {
            throw InputError(message: "'\(inputs[misplaced])': an A/B run before '\(inputs[other])', which is not one: give the A/B runs last, alone or after the baseline (lmbench-swift compare [BASELINE...] AB-RUN.json...)")
        }
        let pooled = (firstAB..<inputs.count).map { (run: abRuns[$0]!, source: inputs[$0]) }
        let baselinePaths = pooled.isEmpty ? options.baseline : Array(inputs[..<firstAB])
        if !pooled.isEmpty && baselinePaths.isEmpty {
            let comparison = Comparison(abRuns: pooled, noiseMargin: margin)
            return try show(format.render(comparison, caption: caption, label: label, plusMinus: plusMinus)) { ComparisonSVG.render(comparison) }
        }
        let baseline = try MeasuredRun.load(baselinePaths)
        guard !baseline.isEmpty else { throw InputError(message: "no results or JSON file in \(baselinePaths.joined(separator: ", "))") }
        if !pooled.isEmpty {
            let comparison = ThreeWayComparison(baseline: baseline, abRuns: pooled, noiseMargin: margin)
            return try show(format.render(comparison, caption: caption, label: label, plusMinus: plusMinus)) { ComparisonSVG.render(comparison) }
        }
        let candidate = try MeasuredRun.load(options.candidate)
        guard !candidate.isEmpty else { throw InputError(message: "no results or JSON file in \(options.candidate.joined(separator: ", "))") }
        let comparison = Comparison(baseline: baseline, candidate: candidate, noiseMargin: margin)
        return try show(format.render(comparison, caption: caption, label: label, plusMinus: plusMinus)) { ComparisonSVG.render(comparison) }
    }

    /// The A/B run a path holds; nil for a directory or any other file (one
    /// that cannot be read says why, before anything is said of its place).
    static func abRun(_ path: String) throws -> ABRunResult? {
        guard let st = try? Sys.stat(path) else {
            _ = try ResultsReader.contents(of: path)
            return nil
        }
        guard (st.st_mode & S_IFMT) != S_IFDIR else { return nil }
        let bytes = try ResultsReader.contents(of: path)
        guard ResultsReader.kind(of: bytes) == .runJSON, case .ab(let ab) = try ResultsReader.jsonRun(path: path, bytes: consume bytes) else { return nil }
        return ab
    }
}

/// `crosscheck`: ours against the original LMBench's programs.
enum CrosscheckCommand {
    static func execute(_ options: CrosscheckOptions) throws -> Int32 {
        let benchmarks: [Benchmark]
        do { benchmarks = try Catalog.select(options.run.names) } catch let error as BenchError {
            throw UsageError(message: error.message, command: "crosscheck")
        }
        guard Sys.isWritableDirectory(options.lmbenchDirectory) || access(options.lmbenchDirectory, R_OK | X_OK) == 0,
              (try? Sys.stat(options.lmbenchDirectory)).map({ ($0.st_mode & S_IFMT) == S_IFDIR }) == true else {
            throw InputError(message: "--lmbench-bin '\(options.lmbenchDirectory)' is not a directory")
        }
        var settings = try RunCommand.settings(options.run)
        settings.mb = try RunSession.chooseMB(requested: settings.requestedMB, fsdir: settings.fsdir).mb
        let json = try options.run.jsonPath.map { try RunCommand.checkWritable($0, option: "--json") }
        var request = Crosscheck.Request(benchmarks: benchmarks, lmbenchDirectory: options.lmbenchDirectory, settings: settings)
        request.rounds = options.rounds
        request.tolerance = options.tolerancePercent / 100
        request.kernelSwitch = options.run.kernelSwitch
        let progress = ConsoleProgress(mode: .plain)
        let result: Crosscheck.Result
        do { result = try Crosscheck(request: request, progress: progress).run() } catch let error as BenchError {
            throw InputError(message: error.message)
        }
        for warning in result.switchRecord?.warnings ?? [] { progress.warning(printable(warning.text)) }
        print(CrosscheckFormat(rawValue: options.format)!.render(result), terminator: "")
        if let json { try json.write(CrosscheckFormat.json.render(result)) }
        // As `run` ends: a signal, then a switch that failed or was not put back.
        let signal = RunSession.interruptingSignal
        if signal != 0 {
            if let record = result.switchRecord {
                progress.message("interrupted: the switch is \(record.restored == true ? "back as it was" : "NOT back as it was")")
            }
            return 128 + signal
        }
        if let record = result.switchRecord, record.failure != nil || record.restored == false { return 1 }
        return 0
    }
}
