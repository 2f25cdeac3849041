import BenchCatalog
import BenchCore
import BenchEngine

/// Help texts, printed on standard output with exit status 0.
enum Usage {
    static func text(for topic: String?) -> String {
        switch topic {
        case "run": return run
        case "list": return list
        case "summary": return summary
        case "compare": return compare
        case "crosscheck": return crosscheck
        default: return overview
        }
    }

    /// Each command's OPTIONS section, from the option tables.
    static let runOptionsHelp = Options.help(Options.run)

    static let overview = """
        OVERVIEW: LMBench's OS benchmarks, reimplemented: one static binary for kernel guests.

        lmbench-swift measures the operations of LMBench 3's OS summary (system calls,
        signals, processes, context switches, local communication, file and VM, bandwidths)
        and writes results files that LMBench's own summary scripts accept.
        With no command it runs every benchmark and prints the summary tables.

        USAGE: lmbench-swift [<run-options>]
               lmbench-swift <command> [<arguments>]

        COMMANDS:
          run                     Run chosen benchmarks and groups, write a results file.
          list                    List every benchmark and group with what it times.
          summary                 Print LMBench's summary tables for results files.
          compare                 The overhead table: a candidate kernel's runs against a baseline's.
          crosscheck              Our figures against the original LMBench's, measured in turn.
          help                    Show help for a command.
        """ + "\n\n" + runOptionsHelp + """


          See 'lmbench-swift help <command>' for more about a command.
        """

    static let run = """
        OVERVIEW: Run benchmarks and write an LMBench results file.

        Each benchmark runs in its own process: a crash or a hang is reported as a failure
        and the run goes on. The results file is written as <dir>/<os>/<host>.<n> (n: the
        first free number), then the summary tables are printed on standard output.
        Exit status: 0 when every benchmark succeeded, 1 when one failed or an output could
        not be written (the others are), 2 for bad input,
        128 + the signal number when interrupted (what was measured is still written).

        USAGE: lmbench-swift run [<name-or-group> ...] [<options>]

        ARGUMENTS:
          <name-or-group>         A benchmark or a group: processor, ctx, latency, filevm,
                                  bandwidth, or os (all). See 'lmbench-swift list'. (default: os)
        """ + "\n\n" + runOptionsHelp

    static let list = """
        OVERVIEW: List every benchmark and group, with what one timed operation is.

        USAGE: lmbench-swift list [--markdown]

        OPTIONS:
          --markdown              Print docs/benchmarks.md's table instead: each benchmark's
                                  operation in full and where it differs from LMBench.
          -h, --help              Show help information.
        """

    static let summary = """
        OVERVIEW: Print LMBench's summary tables ('make see') for results files.

        The tables are those of LMBench's getsummary, byte for byte, one row per file. Files
        may be LMBench's own results files, ours, or our JSON run files.

        USAGE: lmbench-swift summary <file> ...

        ARGUMENTS:
          <file>                  A results file (e.g. results/x86_64-linux-gnu/vm.0) or a JSON run file.

        OPTIONS:
          -h, --help              Show help information.
        """

    static let compare = """
        OVERVIEW: Put a candidate's runs against a baseline's: the overhead table.

        For every cell of the summary tables present on both sides: both values, the
        slowdown factor (candidate/baseline for times, baseline/candidate for bandwidths, so
        that larger always means slower) with a 95% bootstrap interval, and per table the
        geometric mean. Several runs of one side (several boots) are pooled. Our JSON files
        carry every interval, so even one run per side has an interval; with LMBench's
        results files the spread across runs is used (no interval for a single run). Cells
        whose interval reaches into 1 ± 10% (the noise of A/A comparisons; --noise-margin)
        are marked "no significant difference"; suspicious cells are flagged with the
        reason; cells present on one side only are listed.

        A baseline followed by an A/B run JSON gives the three-way table: per cell the
        baseline, off and on values and off/baseline, on/baseline and on/off with their
        intervals (on/off paired within the A/B run, the others across runs).

        Several A/B runs (one boot each, of the same kernel and switch), given last, are
        pooled: on/off is the median of all the boots' per-pair ratios, its interval
        resamples the boots, then each one's pairs, so it carries the spread from boot to
        boot; the off and on columns are pooled as several runs of a side are. The A/B
        runs come after every baseline; a different switch or kernel among them is warned.

        USAGE: lmbench-swift compare [<options>] <baseline> ... <candidate>
               lmbench-swift compare [<options>] --baseline <path> ... --candidate <path> ...
               lmbench-swift compare [<options>] <ab-run.json> ...
               lmbench-swift compare [<options>] <baseline> ... <ab-run.json> ...

        ARGUMENTS:
          <baseline>, <candidate> A results file, a JSON run file, or a directory holding them
                                  (searched through; the same run as results file and JSON counts once).
          <ab-run.json>           The JSON of an A/B run (run --switch): switch off against on,
                                  the interval from a bootstrap over its rounds, each pair together;
                                  several are pooled (boots drawn, then each one's pairs).
        """ + "\n\n" + Options.help(Options.compare)

    static let crosscheck = """
        OVERVIEW: Measure with ours and with the original LMBench in turn, and compare.

        Runs ours for a few rounds and, right after each of ours' benchmarks, the matching
        LMBench program with the arguments LMBench's OS run uses, and prints an agreement
        table: ours, LMBench's, their ratio with its interval, and a verdict against the
        tolerance. With --switch, each tool's slowdown comes from its own pairs of
        measurements off and on, and the verdict judges the ratio of the two slowdowns.
        LMBench's servers are started (-s) and stopped (-S) as its script does; no process
        is left behind. A program missing from the directory is named in its rows.
        LMBench's lat_rpc needs a running rpcbind; lat_proc exec and shell need /tmp/hello,
        which is copied there (and removed) unless something else is already there.

        USAGE: lmbench-swift crosscheck --lmbench-bin <dir> [<name-or-group> ...] [<options>]

        ARGUMENTS:
          <name-or-group>         Benchmarks or groups, as for 'run'. (default: os)
        """ + "\n\n" + Options.help(Options.crosscheck)

    /// `list`: groups, then benchmarks under their first group.
    static func listing() -> String {
        var out = ""
        for group in Group.allCases {
            let members = Catalog.benchmarks(in: group)
            out += "\(group.rawValue): \(group.title)\n"
            for benchmark in members {
                let id = benchmark.id.padding(18)
                out += "  \(id)  \(benchmark.summary)\n"
                var origin = "                      LMBench: \(benchmark.lmbench.description)"
                let others = benchmark.groups.filter { $0 != group }.map(\.rawValue)
                if !others.isEmpty { origin += "; also in \(others.joined(separator: ", "))" }
                out += origin + "\n"
            }
            out += "\n"
        }
        let tests = Catalog.available.filter(\.testOnly)
        if !tests.isEmpty {
            out += "test-only (LMBENCH_SWIFT_TEST_BENCHMARKS=1):\n"
            for benchmark in tests { out += "  \(benchmark.id.padding(18))  \(benchmark.summary)\n" }
            out += "\n"
        }
        out += "os: every group above (the default run)\n"
        return out
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
