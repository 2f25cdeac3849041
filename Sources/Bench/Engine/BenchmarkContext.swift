import CShims
import Glibc

/// What a benchmark body works with inside its forked process: the settings, the
/// private run directory, and the engine. Cells are sent to the runner as they
/// complete, so a later crash loses only the cell being measured.
public final class BenchmarkContext {
    public let settings: RunSettings
    public let calibration: Calibration
    let files: RunFiles
    let plan: CellPlan
    let channel: ChildChannel

    init(settings: RunSettings, calibration: Calibration, files: RunFiles, plan: CellPlan, channel: ChildChannel) {
        self.settings = settings
        self.calibration = calibration
        self.files = files
        self.plan = plan
        self.channel = channel
    }

    /// The target interval length (ENOUGH), ns.
    public var enoughNs: Double { Double(settings.enoughMicroseconds) * 1000 }

    /// Whether this pass measures `cell` at all.
    public func wants(_ cell: String) -> Bool { plan.intervals(for: cell) > 0 }

    /// One series to measure: its name, its loop, and what an iteration is.
    public struct SeriesSpec {
        public var name: String
        public var loop: TimedLoop
        public var operationsPerIteration: Double
        public var hooks: Sampler.Hooks
        public var warmUntilSteady: Bool
        public init(_ name: String, _ loop: TimedLoop, operationsPerIteration: Double = 1,
                    hooks: Sampler.Hooks = Sampler.Hooks(), warmUntilSteady: Bool = false) {
            self.name = name
            self.loop = loop
            self.operationsPerIteration = operationsPerIteration
            self.hooks = hooks
            self.warmUntilSteady = warmUntilSteady
        }
    }

    /// Times the loops of one cell, an interval of each in turn, and returns their
    /// series; nothing is recorded yet.
    public func measure(_ cell: String, _ specs: [SeriesSpec]) throws -> [Series] {
        for spec in specs { channel.send(.phase(cell: cell, series: spec.name)) }
        let sampler = Sampler(targetNs: enoughNs, repetitions: plan.intervals(for: cell))
        let subjects = specs.map {
            Sampler.Subject(name: "\(cell) \($0.name)", loop: $0.loop, hooks: $0.hooks,
                            startIterations: plan.startIterations[CellPlan.key(cell, $0.name)],
                            warmUntilSteady: $0.warmUntilSteady)
        }
        // Samples reach the runner in batches at most a few times a second: a message
        // per interval would wake the runner during the next one and disturb it.
        var pending = Array(repeating: [Sample](), count: specs.count)
        var lastSentNs = cshims_clock_now_ns()
        func flush() {
            for (i, batch) in pending.enumerated() where !batch.isEmpty {
                channel.send(.samples(cell: cell, series: specs[i].name, batch))
                pending[i].removeAll()
            }
            lastSentNs = cshims_clock_now_ns()
        }
        let samples = try sampler.sample(subjects) { i, sample in
            pending[i].append(sample)
            if cshims_clock_now_ns() - lastSentNs > ChildChannel.batchIntervalNs { flush() }
        }
        flush()
        return zip(specs, samples).map { spec, samples in
            Series(name: spec.name, samples: samples, clockOverheadNs: calibration.clockReadNs,
                   loopOverheadNs: calibration.loopOverheadNs, operationsPerIteration: spec.operationsPerIteration)
        }
    }

    /// Times one loop for `cell` and returns its series.
    public func measure(_ seriesName: String, for cell: String, loop: TimedLoop,
                        hooks: Sampler.Hooks = Sampler.Hooks()) throws -> Series {
        try measure(cell, [SeriesSpec(seriesName, loop, hooks: hooks)])[0]
    }

    /// Times one run of `loop` with one iteration, without warm-up: an operation
    /// measured once per run, as LMBench's lmdd.
    public func measureOnce(_ cell: String, loop: TimedLoop) throws -> Series {
        channel.send(.phase(cell: cell, series: "main"))
        let sample = try Sampler.once(loop, name: cell)
        channel.send(.samples(cell: cell, series: "main", [sample]))
        return Series(name: "main", samples: [sample], clockOverheadNs: calibration.clockReadNs,
                      loopOverheadNs: calibration.loopOverheadNs)
    }

    /// Measures one series and records it as a cell in microseconds per operation.
    public func measureLatency(_ cell: String, loop: TimedLoop, detail: [String: String] = [:],
                               hooks: Sampler.Hooks = Sampler.Hooks()) throws {
        guard wants(cell) else { return }
        let series = try measure("main", for: cell, loop: loop, hooks: hooks)
        record(Cell(id: cell, unit: .microseconds, estimate: .microseconds(), series: [series], detail: detail))
    }

    /// Measures one series and records it as a cell in MB/s, `bytes` per iteration.
    public func measureBandwidth(_ cell: String, bytes: Int, loop: TimedLoop) throws {
        guard wants(cell) else { return }
        let series = try measure("main", for: cell, loop: loop)
        record(Cell(id: cell, unit: .megabytesPerSecond, estimate: .megabytesPerSecond(bytes: Double(bytes)),
                    series: [series], detail: ["bytes": String(bytes)]))
    }

    public func record(_ cell: Cell) { channel.send(.cell(cell)) }
    public func note(_ key: String, _ value: String) { channel.send(.note(key: key, value: value)) }
    public func warn(_ text: String) { channel.send(.warning(text)) }
    /// One cell could not be measured; the benchmark goes on with the others.
    public func fail(_ cell: String, _ reason: String) { channel.send(.cellFailure(cell: cell, reason: reason)) }

    /// Tells the runner a long untimed step is under way (not a hang).
    public func heartbeat(_ cell: String, _ step: String) { channel.send(.phase(cell: cell, series: step)) }

    // MARK: files of the run directory

    /// Private directory of this run (made with mkdtemp under --fsdir, removed at the end).
    public var runDirectory: String { files.directory }

    /// The empty file stat and open/close work on (LMBench's $FSDIR/lmbench).
    public var statFile: String { files.statFile }

    /// A new path in the run directory.
    public func path(_ name: String) -> String { files.directory + "/" + name }

    /// The --mb MiB test file (LMBench's $FILE), in the run directory.
    public var testFile: String { path("XXX") }

    /// Writes the test file (untimed) unless a benchmark of this run already did.
    public func ensureTestFile() throws {
        let bytes = UInt64(settings.mb) << 20
        if let st = try? Sys.stat(testFile), UInt64(st.st_size) == bytes { return }
        heartbeat(FileSystem.fileWriteID, "writing the \(settings.mb) MiB test file")
        try testFile.withCString { path in
            try withLoopState(cshims_file_write_state(path: path, size: bytes)) {
                try TimedLoop(cshims_loop_file_write, $0).runOnce(name: "writing \(testFile)")
            }
        }
    }
}
