import BenchCore
import BenchEngine

/// Generous seconds a run needs on a native machine: the time limits of
/// `harness/`, which scales them by how slow its guest is, come from here
/// (`lmbench-swift --check-arguments` prints them), so that they follow the
/// benchmarks and the settings as the binary knows them.
public enum RunAllowance {
    /// Three times each benchmark's `typicalSeconds`, scaled by repetitions x
    /// interval length against the defaults (to no less than a quarter:
    /// calibration, ramp-up and process start-up do not shrink with them) and, for
    /// those measured at sizes up to --mb, by the number of sizes; at least the
    /// budget; an A/B run twice that and 30 s for its flips.
    public static func seconds(_ benchmarks: [Benchmark], _ settings: RunSettings, abRun: Bool) -> Int {
        let standard = RunSettings.standard
        let work = Double(settings.repetitions * settings.enoughMicroseconds)
        let scale = max(0.25, work / Double(standard.repetitions * standard.enoughMicroseconds))
        let sizes = Double(ResultsFile.sizeLists(mb: settings.requestedMB).all.count)
            / Double(ResultsFile.sizeLists(mb: standard.requestedMB).all.count)
        var total = benchmarks.reduce(0.0) { sum, benchmark in
            let sized = benchmark.groups.contains(.bandwidth) || benchmark.id == MemoryMapping.mmapID
            return sum + 3 * benchmark.typicalSeconds * scale * (sized ? max(1, sizes) : 1)
        }
        total = max(total, settings.budgetSeconds ?? 0)
        if abRun { total = 2 * total + 30 }
        return Int(total.rounded(.up))
    }

    /// A crosscheck: per round, ours twice over (off and on, or twice alike) and
    /// 300 s for LMBench's programs (intervals of 1 to 7.5 s each).
    public static func crosscheckSeconds(_ benchmarks: [Benchmark], _ settings: RunSettings, rounds: Int) -> Int {
        rounds * (2 * seconds(benchmarks, settings, abRun: false) + 300)
    }
}
