import CShims
import Glibc

/// lat_sig: installing a handler; catching a signal (kill to self minus the cost of
/// kill with signal 0); and a protection fault (a store to a read-only shared
/// mapping, minus the net catch cost). Lines "Signal handler installation",
/// "Signal handler overhead", "Protection fault".
enum SignalLatency {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "sig-install", groups: [.processor],
                  summary: "sigaction() installing a SIGUSR1 handler", lmbench: "lat_sig install",
                  placement: .quietestCPU) { ctx in
            try ctx.measureLatency("sig-install", loop: TimedLoop(cshims_loop_sigaction_install))
        },
        Benchmark(id: "sig-catch", groups: [.processor],
                  summary: "kill(self, SIGUSR1) caught by an empty handler, minus kill(self, 0)",
                  lmbench: "lat_sig catch", placement: .quietestCPU) { ctx in
            guard ctx.wants("sig-catch") else { return }
            try installCatcher()
            let series = try ctx.measure("sig-catch", catchSpecs)
            ctx.record(Cell(id: "sig-catch", unit: .microseconds,
                            estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                            series: series))
        },
        Benchmark(id: "prot-fault", groups: [.processor, .filevm],
                  summary: "store to a read-only file mapping caught by a SIGSEGV handler, minus signal delivery",
                  lmbench: "lat_sig prot lat_sig", placement: .quietestCPU) { ctx in
            guard ctx.wants("prot-fault") else { return }
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
                let series = try ctx.measure("prot-fault", catchSpecs + [
                    .init("prot", TimedLoop(cshims_loop_protfault, state), hooks: rearm),
                ])
                ctx.record(Cell(id: "prot-fault", unit: .microseconds,
                                estimate: Estimate(terms: [.init("prot"), .init("catch", -1), .init("send")],
                                                   form: .linear(scale: 0.001)),
                                series: series))
            }
        },
    ]

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
