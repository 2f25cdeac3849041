import Bench
import Glibc

/// Where a run's files go (not part of what decides its numbers).
struct OutputPaths {
    var resultsDirectory: String
    var jsonPath: String?
}

/// `run` and the default run: validate, measure, write the files, print the summary.
enum RunCommand {
    static func execute(_ options: RunOptions) throws -> Int32 {
        var previous: RunResult?
        var previousAB: ABRunResult?
        var kernelSwitch = options.kernelSwitch
        var names = options.names
        let output = OutputPaths(resultsDirectory: options.resultsDirectory, jsonPath: options.jsonPath)
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
        let environment = Environment.current()
        do {
            try ResultsFile.makeDirectories(output.resultsDirectory + "/" + environment.osTriplet)
        } catch {
            throw InputError(message: "results directory '\(output.resultsDirectory)' is not writable: \(error)")
        }
        if let json = output.jsonPath { try checkWritable(json, option: "--json") }

        let progress = progress(options)
        var request = RunRequest(benchmarks: benchmarks, settings: settings, previous: previous, previousAB: previousAB)
        // A resumed run keeps its host name unless --name gives another.
        request.hostName = options.hostName ?? (previous ?? previousAB?.off).map(\.environment.nodename)
        let session = RunSession(request: request, progress: progress)
        if let spec = kernelSwitch {
            var ab: ABRunResult
            do { ab = try session.runAB(spec) } catch let error as BenchError {
                throw InputError(message: error.message)
            }
            ab.off.resultsDirectory = output.resultsDirectory
            ab.on.resultsDirectory = output.resultsDirectory
            return try finishAB(ab, output: output, progress: progress)
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
        var settings = RunSettings()
        settings.enoughMicroseconds = options.enoughMicroseconds
        settings.repetitions = options.repetitions
        settings.rounds = options.rounds
        settings.requestedMB = options.mb
        settings.mb = options.mb
        settings.pinContextSwitch = options.pinContextSwitch
        settings.fsdir = try fsdir(options.fsdir)
        settings.budgetSeconds = options.budgetSeconds
        settings.targetPrecisionPercent = options.targetPrecisionPercent
        return settings
    }

    /// Writes the files, prints the summary, and says how the run ended.
    static func finish(_ result: RunResult, output: OutputPaths, progress: ConsoleProgress) throws -> Int32 {
        let path = try ResultsFile.write(result, directory: output.resultsDirectory)
        if let json = output.jsonPath {
            try Sys.writeFileAtomically(json, RunJSON.encode(result).prettyText)
        }
        let relative = path.split(separator: "/").suffix(2).joined(separator: "/")
        let contents = Sys.readFile(path) ?? []
        print(Summary.render([Summary.File(path: relative, contents: contents)]), terminator: "")
        if result.settings.budgetSeconds != nil || result.settings.targetPrecisionPercent != nil {
            print("\n" + PrecisionReport.render(result), terminator: "")
        }
        progress.message("results: \(path)" + (output.jsonPath.map { ", JSON: \($0)" } ?? ""))

        let signal = RunSession.interruptingSignal
        if signal != 0 {
            progress.message("interrupted: the files hold what was measured before the signal")
            return 128 + signal
        }
        let failed = result.outcomes.filter(\.hasFailure)
        if !failed.isEmpty {
            let names = failed.flatMap { $0.cellFailures.isEmpty ? [$0.id] : $0.cellFailures.keys.sorted() }
            progress.message("\(names.count) benchmark(s) or cell(s) failed: \(names.joined(separator: ", "))")
            return 1
        }
        return 0
    }

    /// An A/B run: a results file per side (off, then on), one JSON holding both,
    /// the two summary rows, and the paired overhead table.
    static func finishAB(_ ab: ABRunResult, output: OutputPaths, progress: ConsoleProgress) throws -> Int32 {
        let paths = try [ab.off, ab.on].map { try ResultsFile.write($0, directory: output.resultsDirectory) }
        if let json = output.jsonPath {
            try Sys.writeFileAtomically(json, ABRunJSON.encode(ab).prettyText)
        }
        let files = paths.map { path in
            Summary.File(path: path.split(separator: "/").suffix(2).joined(separator: "/"), contents: Sys.readFile(path) ?? [])
        }
        print(Summary.render(files), terminator: "")
        print("\nOverhead of the switch, paired in one run\n", terminator: "")
        let comparison = Comparison(ab: ab, source: output.jsonPath ?? "this run")
        print(ComparisonFormat.text.render(comparison), terminator: "")
        if let target = ab.off.settings.precisionTarget(abRun: true) {
            print("\n" + PrecisionReport.render(comparison, target: target), terminator: "")
        }
        progress.message("results: \(paths.joined(separator: " (off), ")) (on)" + (output.jsonPath.map { ", JSON: \($0)" } ?? ""))
        for warning in ab.record.warnings { progress.warning(warning.text) }

        let signal = RunSession.interruptingSignal
        if signal != 0 {
            progress.message("interrupted: the files hold what was measured before the signal; the switch is \(ab.record.restored == true ? "back as it was" : "NOT back as it was")")
            return 128 + signal
        }
        let failed = [ab.off, ab.on].flatMap { $0.outcomes }.filter(\.hasFailure)
        if !failed.isEmpty {
            progress.message("\(failed.count) pass(es) failed: \(Set(failed.map(\.id)).sorted().joined(separator: ", "))")
            return 1
        }
        return ab.record.failure == nil && ab.record.restored != false ? 0 : 1
    }

    /// --fsdir, or the first writable of /var/tmp and /tmp.
    static func fsdir(_ requested: String?) throws -> String {
        if let requested {
            guard Sys.isWritableDirectory(requested) else {
                throw InputError(message: "--fsdir '\(requested)' is not a writable directory")
            }
            return requested
        }
        for candidate in ["/var/tmp", "/tmp"] where Sys.isWritableDirectory(candidate) { return candidate }
        throw InputError(message: "neither /var/tmp nor /tmp is writable: choose a directory with --fsdir")
    }

    /// An output file's directory must exist and be writable; the path must not be a directory.
    static func checkWritable(_ path: String, option: String) throws {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        guard Sys.isWritableDirectory(directory.isEmpty ? "/" : directory) else {
            throw InputError(message: "cannot write \(option) '\(path)': '\(directory)' is not a writable directory")
        }
        if let st = try? Sys.stat(path), (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(message: "cannot write \(option) '\(path)': it is a directory")
        }
    }
}

/// `summary`: LMBench results files, ours, or our JSON run files.
enum SummaryCommand {
    static func render(_ paths: [String]) throws -> String {
        let files = try paths.flatMap { path -> [Summary.File] in
            try ResultsReader.summaryFiles(path: path, bytes: try ResultsReader.contents(of: path))
        }
        if let warning = Summary.fileSystemWarning(files) { try? Sys.writeAll(2, "lmbench-swift: warning: \(warning)\n") }
        return Summary.render(files)
    }
}

/// `compare`: the overhead table of a candidate against a baseline.
enum CompareCommand {
    static func execute(_ options: CompareOptions) throws -> Int32 {
        if let svg = options.svgPath { try RunCommand.checkWritable(svg, option: "--svg") }
        let format = ComparisonFormat(rawValue: options.format)!  // checked against the option's choices
        let margin = options.noiseMarginPercent / 100
        if let path = options.abRun {
            let bytes = try ResultsReader.contents(of: path)
            guard ResultsReader.kind(of: bytes) == .runJSON,
                  case .ab(let ab) = try ResultsReader.jsonRun(path: path, bytes: bytes) else {
                throw InputError(message: "'\(path)': not an A/B run JSON (lmbench-swift run --switch ... --json): give a baseline and a candidate")
            }
            let comparison = Comparison(ab: ab, source: path, noiseMargin: margin)
            print(format.render(comparison, caption: options.caption, label: options.label, plusMinus: options.plusMinus), terminator: "")
            if let svg = options.svgPath { try Sys.writeFileAtomically(svg, ComparisonSVG.render(comparison)) }
            return 0
        }
        // A baseline against an A/B run: the three-way table.
        let abCandidates = try options.candidate.compactMap { path -> (String, ABRunResult)? in
            guard (try? Sys.stat(path)).map({ ($0.st_mode & S_IFMT) != S_IFDIR }) ?? false else { return nil }
            let bytes = try ResultsReader.contents(of: path)
            guard ResultsReader.kind(of: bytes) == .runJSON, case .ab(let ab) = try ResultsReader.jsonRun(path: path, bytes: bytes) else { return nil }
            return (path, ab)
        }
        if let (path, ab) = abCandidates.first {
            guard options.candidate.count == 1 else {
                throw InputError(message: "'\(path)': an A/B run is the only candidate: give one A/B run after the baseline")
            }
            let baseline = try MeasuredRun.load(options.baseline)
            guard !baseline.isEmpty else { throw InputError(message: "no results or JSON file in \(options.baseline.joined(separator: ", "))") }
            let comparison = ThreeWayComparison(baseline: baseline, ab: ab, source: path, noiseMargin: margin)
            print(format.render(comparison, caption: options.caption, label: options.label, plusMinus: options.plusMinus), terminator: "")
            if let svg = options.svgPath { try Sys.writeFileAtomically(svg, ComparisonSVG.render(comparison)) }
            return 0
        }
        let baseline = try MeasuredRun.load(options.baseline)
        let candidate = try MeasuredRun.load(options.candidate)
        guard !baseline.isEmpty else { throw InputError(message: "no results or JSON file in \(options.baseline.joined(separator: ", "))") }
        guard !candidate.isEmpty else { throw InputError(message: "no results or JSON file in \(options.candidate.joined(separator: ", "))") }
        let comparison = Comparison(baseline: baseline, candidate: candidate, noiseMargin: margin)
        print(format.render(comparison, caption: options.caption, label: options.label, plusMinus: options.plusMinus), terminator: "")
        if let svg = options.svgPath { try Sys.writeFileAtomically(svg, ComparisonSVG.render(comparison)) }
        return 0
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
        if let json = options.run.jsonPath { try RunCommand.checkWritable(json, option: "--json") }
        var request = Crosscheck.Request(benchmarks: benchmarks, lmbenchDirectory: options.lmbenchDirectory, settings: settings)
        request.rounds = options.rounds
        request.tolerance = options.tolerancePercent / 100
        request.kernelSwitch = options.run.kernelSwitch
        let progress = ConsoleProgress(mode: .plain)
        let result: Crosscheck.Result
        do { result = try Crosscheck(request: request, progress: progress).run() } catch let error as BenchError {
            throw InputError(message: error.message)
        }
        for warning in result.switchRecord?.warnings ?? [] { progress.warning(warning.text) }
        print(CrosscheckFormat(rawValue: options.format)!.render(result), terminator: "")
        if let json = options.run.jsonPath { try Sys.writeFileAtomically(json, CrosscheckFormat.json.render(result)) }
        let signal = RunSession.interruptingSignal
        return signal != 0 ? 128 + signal : 0
    }
}
