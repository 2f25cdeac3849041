import BenchCore
import BenchEngine
import CShims
import Glibc

/// Progress on standard error. On a terminal: one live line (round, benchmark,
/// elapsed time, current cell, samples and precision so far). Elsewhere (a guest's
/// serial console, CI): plain lines, never a cursor escape: a line at the start and
/// at the end of each benchmark in the first round, one line per later round.
/// Both end with one line per benchmark: its value or cell count and the precision
/// reached. Quiet: warnings and failures only.
public final class ConsoleProgress: ProgressReporter {
    public enum Mode { case live, plain, quiet }
    let mode: Mode
    var startedNs: Int64 = 0
    var lastDrawNs: Int64 = 0
    var label = ""

    public init(mode: Mode) { self.mode = mode }

    /// Live on a terminal, plain otherwise.
    public static func automatic(quiet: Bool) -> ConsoleProgress {
        if quiet { return ConsoleProgress(mode: .quiet) }
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        return ConsoleProgress(mode: isatty(2) == 1 && term != "dumb" && !term.isEmpty ? .live : .plain)
    }

    func emit(_ text: String) {
        try? Sys.writeAll(2, mode == .live ? "\r\u{1B}[K" + text : text)
    }

    func line(_ text: String) { emit("\(ToolInfo.name): \(text)\n") }

    static func label(_ id: String, index: Int, total: Int) -> String {
        cFormat("[%2d/%d] ", Int32(index + 1), Int32(total)) + SummaryNumbers.perlString(id, width: 18, left: true)
    }

    public func benchmarkStarted(_ benchmark: Benchmark, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?) {
        startedNs = cshims_clock_now_ns()
        lastDrawNs = 0
        label = (rounds > 1 ? "round \(round + 1)/\(rounds) " : "") + (side.map { $0 == .on ? "on  " : "off " } ?? "")
            + ConsoleProgress.label(benchmark.id, index: index, total: total)
        switch mode {
        case .live: emit(label)
        case .plain: if round == 0 { line(label + " started") }
        case .quiet: break
        }
    }

    public func sampleRecorded(cell: String, series: String, side: SwitchState?, perIterationNs: [Double]) {
        guard mode == .live else { return }
        let now = cshims_clock_now_ns()
        guard now - lastDrawNs > 100_000_000 else { return }
        lastDrawNs = now
        var text = label + cFormat(" %5.1f s  ", Double(now - startedNs) / 1e9) + cell
        if series != "main" { text += " (\(series))" }
        if side != nil {
            // An interleaved pass: its slowdown and ± come after the pass, from the pairs.
            text += " \(perIterationNs.count) pairs"
        } else {
            text += " \(perIterationNs.count) samples"
            if let precision = ConsoleProgress.roughPrecision(perIterationNs) { text += cFormat(" ±%.1f%%", precision * 100) }
        }
        let columns = Int(cshims_terminal_columns(2))
        emit(String(text.prefix(columns > 20 ? columns - 1 : 79)))
    }

    /// The running ± of a series' median, by the cell's own estimator (a
    /// bootstrap of the median over its intervals, as `Cell.roughPrecision`, which
    /// --target-ci aims at), from the intervals recorded so far in this pass.
    static func roughPrecision(_ values: [Double]) -> Double? {
        guard values.count >= 3 else { return nil }
        let median = Statistics.median(of: values)
        guard median != 0, median.isFinite else { return nil }
        var draw = values
        let interval = Bootstrap.interval(resamples: Bootstrap.quickResamples, seed: UInt64(values.count)) { generator in
            for i in draw.indices { draw[i] = values[Int(generator.next() % UInt64(values.count))] }
            return Statistics.median(selecting: &draw)
        }
        return interval.map { ($0.high - $0.low) / 2 / abs(median) }
    }

    public func benchmarkFinished(_ outcome: BenchmarkOutcome, index: Int, total: Int, round: Int, rounds: Int, side: SwitchState?) {
        let failure = ConsoleProgress.failure(outcome)
        switch mode {
        case .quiet, .live:
            if let failure { line("\(outcome.id): \(failure)") }
        case .plain:
            if round == 0 {
                line(label + cFormat(" %5.1f s  ", outcome.elapsedSeconds) + (failure ?? "done"))
            } else if let failure {
                line(label + " " + failure)
            }
        }
    }

    public func roundFinished(_ round: Int, rounds: Int, elapsedSeconds: Double) {
        guard mode == .plain, rounds > 1, round > 0 else { return }
        var text = cFormat("round %d/%d done, %.1f s", Int32(round + 1), Int32(rounds), elapsedSeconds)
        // Rounds of a fixed run take about as long as each other (a refining run's "of" grows: no estimate).
        if round + 1 < rounds { text += cFormat(", about %.0f s left", elapsedSeconds / Double(round + 1) * Double(rounds - round - 1)) }
        line(text)
    }

    public func runFinished(_ outcomes: [BenchmarkOutcome]) {
        guard mode != .quiet else { return }
        if mode == .live { emit("") }
        for (index, outcome) in outcomes.enumerated() {
            var text = ConsoleProgress.label(outcome.id, index: index, total: outcomes.count)
                + cFormat(" %5.1f s  ", outcome.elapsedSeconds)
            if let failure = ConsoleProgress.failure(outcome) {
                text += failure
            } else if outcome.cells.count == 1, let cell = outcome.cells.first {
                text += cFormat("%.4g ", cell.value) + cell.unit.rawValue
                if let precision = cell.roughPrecision { text += cFormat("  ±%.1f%%", precision * 100) }
            } else {
                text += "\(outcome.cells.count) cells"
                if let worst = outcome.cells.compactMap(\.roughPrecision).max() {
                    text += cFormat(", widest interval ±%.1f%%", worst * 100)
                }
            }
            line(text)
        }
    }

    static func failure(_ outcome: BenchmarkOutcome) -> String? {
        switch outcome.status {
        case .ok: return nil
        case .failed(let reason): return "FAILED: \(reason)"
        case .interrupted: return "interrupted"
        }
    }

    public func warning(_ text: String) { line("warning: \(text)") }
    public func message(_ text: String) { line(text) }
}
