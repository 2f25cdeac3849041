import BenchCore
import BenchEngine
import CShims
import Glibc

/// Test-only benchmarks that misbehave on purpose, to prove that one benchmark's
/// crash, hang or error never takes the run down. Listed and runnable only with
/// LMBENCH_SWIFT_TEST_BENCHMARKS=1.
enum FaultInjection {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "test-crash", groups: [], summary: "measures one cell, then dies of SIGSEGV",
                  lmbench: .none, testOnly: true) { ctx in
            try ctx.measureLatency("test-crash", loop: TimedLoop(cshims_loop_getppid))
            kill(getpid(), SIGSEGV)
        },
        Benchmark(id: "test-hang", groups: [], summary: "starts a helper process, then stops sending anything",
                  lmbench: .none, testOnly: true) { ctx in
            if try Sys.fork() == 0 { while true { pause() } }
            ctx.heartbeat("test-hang", "waiting")
            while true { pause() }
        },
        Benchmark(id: "test-error", groups: [], summary: "reports an error",
                  lmbench: .none, testOnly: true) { _ in
            throw BenchError("test-error failed on purpose")
        },
    ]
}
