import CShims
import Glibc

/// lat_proc: fork() and the child's exit; fork() and execve() of a small
/// dynamically linked program; fork() and /bin/sh -c running it. The parent waits
/// for each child. Lines "Process fork+exit", "fork+execve", "fork+/bin/sh -c".
enum ProcessCreation {
    static let benchmarks: [Benchmark] = [
        Benchmark(id: "fork", groups: [.processor],
                  summary: "fork(), the child exits, the parent waits", lmbench: "lat_proc fork") { ctx in
            try ctx.measureLatency("fork", loop: TimedLoop(cshims_loop_fork_exit))
        },
        Benchmark(id: "exec", groups: [.processor],
                  summary: "fork() and execve() of a hello program, the parent waits", lmbench: "lat_proc exec") { ctx in
            let hello = try chooseHello(ctx)
            try withExecState(program: hello.path, environment: []) { state in
                try ctx.measureLatency("exec", loop: TimedLoop(cshims_loop_fork_exec, state),
                                       detail: ["hello": hello.variant])
            }
        },
        Benchmark(id: "shell", groups: [.processor],
                  summary: "fork() and /bin/sh -c running the hello program, the parent waits",
                  lmbench: "lat_proc shell") { ctx in
            guard access("/bin/sh", X_OK) == 0 else { throw BenchError("/bin/sh is missing: no shell to start") }
            let hello = try chooseHello(ctx)
            try withExecState(program: hello.path, environment: currentEnvironment()) { state in
                try ctx.measureLatency("shell", loop: TimedLoop(cshims_loop_fork_shell, state),
                                       detail: ["hello": hello.variant])
            }
        },
    ]

    /// The dynamically linked hello where it runs (as LMBench's), else the static one.
    static func chooseHello(_ ctx: BenchmarkContext) throws -> (path: String, variant: String) {
        for (name, variant) in [("hello", "dynamic"), ("hello-static", "static")] {
            let path = ctx.path(name)
            guard Sys.exists(path) else { continue }
            let works = (try? withExecState(program: path, environment: []) { state in
                try TimedLoop(cshims_loop_fork_exec, state).runOnce(name: "execve \(path)")
            }) != nil
            if works {
                ctx.note("hello", variant)
                return (path, variant)
            }
        }
        throw BenchError("neither the dynamic nor the static hello program runs in \(ctx.runDirectory)")
    }

    private static func currentEnvironment() -> [String] {
        var result: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            result.append(String(cString: entry))
            pointer += 1
        }
        return result
    }

    /// C argv and envp arrays that live as long as `body` runs.
    private static func withExecState<R>(program: String, environment: [String],
                                         _ body: (UnsafeMutablePointer<cshims_exec_state>) throws -> R) throws -> R {
        let path = strdup(program)!
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            free(path)
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return try argv.withUnsafeBufferPointer { argvBuffer in
            try envp.withUnsafeBufferPointer { envpBuffer in
                try withLoopState(cshims_exec_state(path: path, argv: argvBuffer.baseAddress!,
                                                    envp: envpBuffer.baseAddress!), body)
            }
        }
    }
}
