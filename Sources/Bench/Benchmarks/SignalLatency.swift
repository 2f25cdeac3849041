import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_sig: installing a handler; catching a signal (kill to self minus the cost of
/// kill with signal 0); and a protection fault (a store to a read-only shared
/// mapping, minus the net catch cost). Lines "Signal handler installation",
/// "Signal handler overhead", "Protection fault".
enum SignalLatency {
    static let installID = "sig-install", catchID = "sig-catch", protFaultID = "prot-fault"

    static let installLine = TitledLine("Signal handler installation", cell: installID)
    static let catchLine = TitledLine("Signal handler overhead", cell: catchID)
    static let protFaultLine = TitledLine("Protection fault", cell: protFaultID)

    static func lmbench(_ arguments: [String], _ line: TitledLine) -> LMBenchProgram {
        LMBenchProgram("lat_sig " + arguments.map { $0.replacing(LMBenchPrograms.binaries + "/", with: "") }.joined(separator: " "),
                       line.invocation("lat_sig", LMBenchPrograms.parallelism + arguments))
    }

    static let install = Benchmark(
        id: installID, groups: [.processor], summary: "sigaction() installing a SIGUSR1 handler",
        operation: #"`sigaction(SIGUSR1)`"#,
        differences: #"—"#,
        lmbench: lmbench(["install"], installLine), placement: .quietestCPU,
        metrics: [.simple(.processor, 5, "sig inst", "lat_siginstall", installID)],
        results: installLine.write
    ) { ctx in
        try ctx.measureLatency(installID, loop: TimedLoop(cshims_loop_sigaction_install))
    }

    static let `catch` = Benchmark(
        id: catchID, groups: [.processor], summary: "kill(self, SIGUSR1) caught by an empty handler, minus kill(self, 0)",
        operation: #"`kill(self, SIGUSR1)` caught by an empty handler, minus `kill(self, 0)`"#,
        differences: #"the two loops are sampled in turn; the loops do exactly the reported number of calls (LMBench's do one fewer)"#,
        lmbench: lmbench(["catch"], catchLine), placement: .quietestCPU,
        metrics: [.simple(.processor, 6, "sig hndl", "lat_sigcatch", catchID, kind: .difference)],
        results: catchLine.write
    ) { ctx in
        guard ctx.wants(catchID) else { return }
        try installCatcher()
        let series = try ctx.measure(catchID, catchSpecs)
        ctx.record(Cell(id: catchID, unit: .microseconds,
                        estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                        series: series))
    }

    static let protFault = Benchmark(
        id: protFaultID, groups: [.processor, .filevm],
        summary: "store to a read-only file mapping caught by a SIGSEGV handler, minus signal delivery",
        operation: #"a store to a read-only `MAP_SHARED` page of a file, caught by a SIGSEGV handler, minus the net catch cost"#,
        differences: #"the three loops are sampled in turn; a difference ≤ 0 is kept in the JSON with a warning instead of silently dropped; the page belongs to a file in the run directory, not the benchmark binary"#,
        lmbench: lmbench(["prot", LMBenchPrograms.binaries + "/lat_sig"], protFaultLine),
        placement: .quietestCPU,
        metrics: [.simple(.filevm, 5, "Prot Fault", "lat_protfault", protFaultID, kind: .difference)],
        results: protFaultLine.write
    ) { ctx in
        guard ctx.wants(protFaultID) else { return }
        try installCatcher()
        let path = ctx.path("prot-fault-page")
        let fd = try Sys.open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
        defer { Sys.close(fd); try? Sys.unlink(path) }
        try Sys.ftruncate(fd, 4096, subject: path)
        try withLoopState(cshims_protfault_state()) { state in
            let rc = cshims_protfault_begin(state, fd)
            defer { cshims_protfault_end(state) }
            if rc != 0 { throw SystemError("mmap", path, errno: Errno(rc)) }
            let rearm = Sampler.Hooks(setup: { _ in
                let rc = cshims_protfault_rearm(state)
                if rc != 0 { throw SystemError("mmap", path, errno: Errno(rc)) }
            })
            // The three terms are sampled in turn, so a disturbance hits them alike.
            let series = try ctx.measure(protFaultID, catchSpecs + [
                .init("prot", TimedLoop(cshims_loop_protfault, state), hooks: rearm),
            ])
            ctx.record(Cell(id: protFaultID, unit: .microseconds,
                            estimate: Estimate(terms: [.init("prot"), .init("catch", -1), .init("send")],
                                               form: .linear(scale: 0.001)),
                            series: series))
        }
    }

    /// The "send" (kill with signal 0) and "catch" (kill with SIGUSR1, handled) loops.
    private static var catchSpecs: [BenchmarkContext.SeriesSpec] { [
        .init("send", TimedLoop(cshims_loop_kill_zero)),
        .init("catch", TimedLoop(cshims_loop_kill_catch)),
    ] }

    private static func installCatcher() throws {
        let rc = cshims_signal_install_empty_usr1()
        if rc != 0 { throw SystemError("sigaction", "SIGUSR1", errno: Errno(rc)) }
    }
}
