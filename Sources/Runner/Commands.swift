import Bench
import Glibc

/// `run` and the default run: validate, measure, write the files, print the summary.
enum RunCommand {
    static func execute(_ options: RunOptions) throws -> Int32 {
        let benchmarks: [Benchmark]
        do { benchmarks = try Catalog.select(options.names) } catch let error as BenchError {
            throw UsageError(message: error.message, command: "run")
        }
        var settings = RunSettings()
        settings.enoughMicroseconds = options.enoughMicroseconds
        settings.repetitions = options.repetitions
        settings.rounds = options.rounds
        settings.requestedMB = options.mb
        settings.mb = options.mb
        settings.pinContextSwitch = options.pinContextSwitch
        settings.fsdir = try fsdir(options.fsdir)
        settings.resultsDirectory = options.resultsDirectory
        settings.jsonPath = options.jsonPath
        let environment = Environment.current()
        do {
            try ResultsFile.makeDirectories(settings.resultsDirectory + "/" + environment.osTriplet)
        } catch {
            throw InputError(message: "results directory '\(settings.resultsDirectory)' is not writable: \(error)")
        }
        if let json = settings.jsonPath { try checkWritable(json) }

        let progress = ConsoleProgress.automatic(quiet: options.quiet)
        let session = RunSession(request: RunRequest(benchmarks: benchmarks, settings: settings), progress: progress)
        let result: RunResult
        do { result = try session.run() } catch let error as BenchError {
            throw InputError(message: error.message)
        }

        let path = try ResultsFile.write(result, directory: settings.resultsDirectory)
        if let json = settings.jsonPath {
            try Sys.writeFileAtomically(json, RunJSON.encode(result).prettyText)
        }
        let relative = path.split(separator: "/").suffix(2).joined(separator: "/")
        let contents = Sys.readFile(path) ?? []
        print(Summary.render([Summary.File(path: relative, contents: contents)]), terminator: "")
        progress.message("results: \(path)" + (settings.jsonPath.map { ", JSON: \($0)" } ?? ""))

        let signal = RunSession.interruptingSignal
        if signal != 0 {
            progress.message("interrupted: the files hold what was measured before the signal")
            return 128 + signal
        }
        let failed = result.outcomes.filter { if case .failed = $0.status { return true }; return false }
        if !failed.isEmpty {
            progress.message("\(failed.count) benchmark(s) failed: \(failed.map(\.id).joined(separator: ", "))")
            return 1
        }
        return 0
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

    /// The JSON file's directory must exist and be writable; the path must not be a directory.
    static func checkWritable(_ path: String) throws {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        guard Sys.isWritableDirectory(directory.isEmpty ? "/" : directory) else {
            throw InputError(message: "cannot write --json '\(path)': '\(directory)' is not a writable directory")
        }
        if let st = try? Sys.stat(path), (st.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(message: "cannot write --json '\(path)': it is a directory")
        }
    }
}

/// `summary`: LMBench results files, ours, or our JSON run files.
enum SummaryCommand {
    static func render(_ paths: [String]) throws -> String {
        let files = try paths.map { path -> Summary.File in
            guard let bytes = Sys.readFile(path) else {
                let reason = (try? Sys.stat(path)) == nil ? "no such file" : "cannot be read"
                throw InputError(message: "'\(path)': \(reason)")
            }
            return try ResultsReader.summaryFile(path: path, bytes: bytes)
        }
        return Summary.render(files)
    }
}
