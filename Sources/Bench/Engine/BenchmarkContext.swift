import BenchCore
import CShims
import Glibc

/// What a benchmark body works with inside its forked process: the settings, the
/// private run directory, and the engine. Cells are sent to the runner as they
/// complete, so a later crash loses only the cell being measured.
public final class BenchmarkContext {
    public let settings: RunSettings
    public let calibration: Calibration
    package let files: RunFiles
    let plan: CellPlan
    let channel: ChildChannel
    /// An interleaved A/B pass: flips the switch between intervals (nil otherwise).
    let interleaver: Interleaver?

    init(settings: RunSettings, calibration: Calibration, files: RunFiles, plan: CellPlan, channel: ChildChannel,
         interleaver: Interleaver? = nil) {
        self.settings = settings
        self.calibration = calibration
        self.files = files
        self.plan = plan
        self.channel = channel
        self.interleaver = interleaver
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
    /// series; nothing is recorded yet. In an interleaved A/B pass the series
    /// hold both sides' intervals, each sample marked with its side.
    public func measure(_ cell: String, _ specs: [SeriesSpec]) throws -> [Series] {
        for spec in specs { channel.send(.phase(cell: cell, series: spec.name)) }
        let sampler = Sampler(targetNs: enoughNs, repetitions: plan.intervals(for: cell))
        let sides: [SwitchState?] = interleaver == nil ? [nil] : SwitchState.allCases
        let subjects = specs.map { spec in
            Sampler.Subject(name: "\(cell) \(spec.name)", loop: spec.loop, hooks: spec.hooks,
                            startIterations: Dictionary(uniqueKeysWithValues: sides.compactMap { side in
                                plan.startIterations[CellPlan.key(cell, spec.name, side)].map { (side, $0) } }),
                            warmUntilSteady: spec.warmUntilSteady)
        }
        // Samples reach the runner in batches at most a few times a second: a message
        // per interval would wake the runner during the next one and disturb it.
        var pending = Array(repeating: [Sample](), count: specs.count)
        var lastSentNs = cshims_clock_now_ns()
        func flush() {
            for (i, batch) in pending.enumerated() where !batch.isEmpty {
                for side in sides {
                    let part = batch.filter { $0.side == side }
                    if !part.isEmpty { channel.send(.samples(cell: cell, series: specs[i].name, side: side, part)) }
                }
                pending[i].removeAll()
            }
            lastSentNs = cshims_clock_now_ns()
        }
        let samples = try sampler.sample(subjects, interleaver: interleaver) { i, sample in
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
    /// measured once per run, as LMBench's lmdd (once per side, as one pair, in
    /// an interleaved A/B pass).
    public func measureOnce(_ cell: String, loop: TimedLoop) throws -> Series {
        channel.send(.phase(cell: cell, series: "main"))
        var samples: [Sample] = []
        if let interleaver {
            do {
                for side in [interleaver.start, interleaver.start.other] {
                    try interleaver.set(side)
                    var sample = try Sampler.once(loop, name: cell)
                    sample.side = side
                    samples.append(sample)
                }
            } catch {
                try? interleaver.set(interleaver.start)
                throw error
            }
            try interleaver.set(interleaver.start)
        } else {
            samples = [try Sampler.once(loop, name: cell)]
        }
        for sample in samples { channel.send(.samples(cell: cell, series: "main", side: sample.side, [sample])) }
        return Series(name: "main", samples: samples, clockOverheadNs: calibration.clockReadNs,
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

    /// Sends a finished cell to the runner; an interleaved pass's cell goes as
    /// one cell per side, each with its side's intervals.
    public func record(_ cell: Cell) {
        guard interleaver != nil else { return channel.send(.cell(cell, side: nil)) }
        for side in SwitchState.allCases {
            var part = cell
            for s in part.series.indices {
                part.series[s].samples = part.series[s].samples.filter { $0.side == side }.map { sample in
                    var sample = sample
                    sample.side = nil
                    return sample
                }
            }
            channel.send(.cell(part, side: side))
        }
    }
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
    /// The cell that times writing it (file-write): writing it for another benchmark is reported as its phase.
    public static let testFileCellID = "file-write"

    /// Writes the test file (untimed) unless a benchmark of this run already did.
    public func ensureTestFile() throws {
        let bytes = UInt64(settings.mb) << 20
        if let st = try? Sys.stat(testFile), UInt64(st.st_size) == bytes { return }
        heartbeat(Self.testFileCellID, "writing the \(settings.mb) MiB test file")
        try testFile.withCString { path in
            try withLoopState(cshims_file_write_state(path: path, size: bytes)) {
                try TimedLoop(cshims_loop_file_write, $0).runOnce(name: "writing \(testFile)")
            }
        }
    }
}
