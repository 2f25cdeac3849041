import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_ctx: a token passed round a ring of N processes over pipes; each process,
/// when it holds the token, sums its own K-KiB working set. One iteration is one
/// trip round the ring: N switches. The overhead pass does the same pipe writes,
/// reads and sums in one process (96 pipes, cycling) and is subtracted:
/// ctxsw = ring time / N - overhead. Block "size=<K>k ovr=<overhead>", lines "N time".
///
/// Deliberate differences: the ring and overhead loops are sampled in turn; the
/// overhead subtracted is the minimum over all its intervals (a disturbance only
/// adds to a one-process loop, and a disturbed overhead is what makes LMBench's
/// difference zero or negative under a slowed kernel); a cell that still comes
/// out at or below zero keeps its raw and subtracted times in the JSON and gets a
/// warning. --pin-ctx keeps every ring process on one CPU.
package enum ContextSwitch {
    /// Working set per process, KiB.
    static let kilobytes = [0, 4, 8, 16, 32, 64]
    /// Processes in the ring.
    package static let processes = [2, 4, 8, 16, 24, 32, 64, 96]

    package static func id(_ kilobytes: Int) -> String { "ctx-\(kilobytes)k" }

    /// The summary cells of one working-set size: (table, column, label) per ring size.
    static func metrics(_ kilobytes: Int) -> [SummaryMetric] {
        let cells: [(Group, Int, String, Int)]
        switch kilobytes {
        case 0: cells = [(.ctx, 0, "2p/0K", 2), (.latency, 0, "2p/0K ctxsw", 2)]
        case 16: cells = [(.ctx, 1, "2p/16K", 2), (.ctx, 3, "8p/16K", 8), (.ctx, 5, "16p/16K", 16)]
        case 64: cells = [(.ctx, 2, "2p/64K", 2), (.ctx, 4, "8p/64K", 8), (.ctx, 6, "16p/64K", 16)]
        default: cells = []
        }
        return cells.map { table, column, label, n in
            .simple(table, column, label, "lat_ctx\(kilobytes)_\(n)", "\(id(kilobytes))/\(n)", kind: .difference)
        }
    }

    static let benchmarks: [Benchmark] = kilobytes.map { kilobytes in
        let prefix = id(kilobytes)
        return Benchmark(
            id: prefix, groups: kilobytes == 0 ? [.ctx, .latency] : [.ctx],
            summary: "a token round a ring of 2-96 processes over pipes, each summing \(kilobytes) KiB", typicalSeconds: 4,
            operation: kilobytes == 0 ? #"one trip of a token round a ring of N = 2, 4, 8, 16, 24, 32, 64, 96 processes over pipes, each summing its own K KiB when it holds the token, per switch, minus the overhead pass (the same pipe traffic and sums in one process, 96 pipes)"# : "as `ctx-0k`, each process summing its own \(kilobytes) KiB",
            differences: kilobytes == 0 ? #"the ring and the overhead pass are sampled in turn; the overhead subtracted is the **minimum** over all its intervals (a disturbance only adds to a one-process loop, and a disturbed overhead is what makes LMBench's difference ≤ 0 under a slowed kernel); a cell still ≤ 0 keeps its raw per-switch time and overhead in the JSON (`term_values_ns`) and gets a warning instead of silently vanishing; `--pin-ctx` keeps the ring on one CPU"# : "as `ctx-0k`",
            lmbench: LMBenchProgram("lat_ctx -s \(kilobytes) 2 4 8 16 24 32 64 96",
                                    LMBenchInvocation(program: "lat_ctx", arguments: LMBenchPrograms.parallelism
                                                        + ["-s", String(kilobytes)] + processes.map(String.init),
                                                      output: .contextSwitch(kilobytes: kilobytes))),
            metrics: metrics(kilobytes),
            results: { out in
                guard let overhead = out.value("\(prefix)/ovr") else { return }
                out.enter(.contextSwitch)
                out.line("")
                out.line(cFormat("\"size=%dk ovr=%.2f", kilobytes, overhead))
                for n in processes {
                    if let v = out.value("\(prefix)/\(n)") { out.line(cFormat("%d %.2f", n, v)) }
                }
            }
        ) { ctx in
            try measure(ctx, kilobytes: kilobytes)
        }
    }

    static func measure(_ ctx: BenchmarkContext, kilobytes: Int) throws {
        let prefix = id(kilobytes)
        let bytes = kilobytes * 1024
        let counts = processes.filter { ctx.wants("\(prefix)/\($0)") }
        guard !counts.isEmpty || ctx.wants("\(prefix)/ovr") else { return }
        if ctx.settings.pinContextSwitch {
            let cpu = cshims_current_cpu()
            let rc = cshims_pin_to_cpu(cpu)
            if rc != 0 { throw SystemError("sched_setaffinity", errno: Errno(rc)) }
            ctx.note("pinned", "every ring process on CPU \(cpu)")
        }
        try withLoopState(cshims_ring()) { overhead in
            let rc = cshims_ring_create_overhead(overhead, Int32(processes.max()!), bytes)
            if rc != 0 { throw SystemError("pipe", "overhead pass", errno: Errno(rc)) }
            defer { cshims_ring_destroy(overhead) }
            let overheadLoop = TimedLoop(cshims_loop_ring_overhead, overhead)
            var overheadSeries: Series?
            var rings: [(count: Int, series: Series)] = []
            for count in counts {
                let cell = "\(prefix)/\(count)"
                ctx.heartbeat(cell, "ring of \(count)")
                // A ring that cannot be made (a process limit) fails its own cell;
                // the other sizes are still measured.
                let measured: [Series]
                do {
                    measured = try withLoopState(cshims_ring()) { ring in
                        let rc = cshims_ring_create(ring, Int32(count), bytes)
                        if rc != 0 { throw SystemError("fork", "ring of \(count) processes", errno: Errno(rc)) }
                        defer { cshims_ring_destroy(ring) }
                        return try ctx.measure(cell, [
                            .init("ring", TimedLoop(cshims_loop_ring, ring), operationsPerIteration: Double(count)),
                            .init("overhead", overheadLoop),
                        ])
                    }
                } catch {
                    ctx.fail(cell, "\(error)")
                    continue
                }
                rings.append((count, measured[0]))
                if overheadSeries == nil { overheadSeries = measured[1] } else { overheadSeries!.samples += measured[1].samples }
            }
            if counts.isEmpty {
                overheadSeries = try ctx.measure("\(prefix)/ovr", [.init("overhead", overheadLoop)])[0]
            }
            guard let overheadSeries else { return }
            // The overhead cell, then each ring, all sharing every overhead interval.
            ctx.record(Cell(id: "\(prefix)/ovr", unit: .microseconds,
                            estimate: Estimate(terms: [.init("overhead", 1, .minimum)], form: .linear(scale: 0.001)),
                            series: [overheadSeries], detail: ["kilobytes": String(kilobytes)]))
            for (count, ring) in rings {
                ctx.record(Cell(id: "\(prefix)/\(count)", unit: .microseconds,
                                estimate: Estimate(terms: [.init("ring"), .init("overhead", -1, .minimum)],
                                                   form: .linear(scale: 0.001)),
                                series: [ring, overheadSeries],
                                detail: ["processes": String(count), "kilobytes": String(kilobytes)]))
            }
        }
    }
}
