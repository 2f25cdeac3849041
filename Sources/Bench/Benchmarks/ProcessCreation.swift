import BenchCore
import BenchEngine
import CShims
import Glibc

/// lat_proc: fork() and the child's exit; fork() and execve() of a small
/// dynamically linked program; fork() and /bin/sh -c running it. The parent waits
/// for each child. Lines "Process fork+exit", "fork+execve", "fork+/bin/sh -c".
/// The hello program is found from the run directory's descriptor (execveat;
/// the shell's working directory is set from it), never by its path: a rename
/// of the run directory cannot make either run a program someone planted.
package enum ProcessCreation {
    static let forkID = "fork", execID = "exec", shellID = "shell"
    /// The note naming the hello program that ran ("dynamic" or "static"; the results header's [HELLO: ...]).
    package static let helloNote = "hello"

    static let forkLine = TitledLine("Process fork+exit", cell: forkID)
    static let execLine = TitledLine("Process fork+execve", cell: execID)
    static let shellLine = TitledLine("Process fork+/bin/sh -c", cell: shellID)

    static func lmbench(_ what: String, _ line: TitledLine, hello: Bool) -> LMBenchProgram {
        LMBenchProgram("lat_proc \(what)", line.invocation("lat_proc", LMBenchPrograms.parallelism + [what]), hello: hello)
    }

    static let fork = Benchmark(
        id: forkID, groups: [.processor], summary: "fork(), the child exits, the parent waits",
        operation: #"`fork()`; the child `_exit`s; the parent waits"#,
        differences: #"the child calls `_exit`, not `exit` (no stdio to flush); our binary is static, so `fork()` copies fewer mappings than LMBench's dynamically linked `lat_proc`: about 0.6–0.7 × LMBench's figure on the same kernel (a static C test program shows the same gap)"#,
        lmbench: lmbench("fork", forkLine, hello: false),
        metrics: [.simple(.processor, 7, "fork proc", "lat_nullproc", forkID)],
        results: forkLine.write
    ) { ctx in
        try ctx.measureLatency(forkID, loop: TimedLoop(cshims_loop_fork_exit))
    }

    static let exec = Benchmark(
        id: execID, groups: [.processor], summary: "fork() and execve() of a hello program, the parent waits",
        operation: #"`fork()` + `execve()` of the hello program; the parent waits"#,
        differences: #"hello is written into the private run directory, not `/tmp/hello`, and run from that directory's descriptor (`execveat(dir, "./hello")`: a rename of the directory cannot make it run anything else); a child that fails is an error, not ignored"#,
        lmbench: lmbench("exec", execLine, hello: true),
        metrics: [.simple(.processor, 8, "exec proc", "lat_simpleproc", execID)],
        results: execLine.write
    ) { ctx in
        let hello = try chooseHello(ctx)
        try withExecState(directory: ctx.files.descriptor, program: hello.program, environment: []) { state in
            try ctx.measureLatency(execID, loop: TimedLoop(cshims_loop_fork_exec, state), detail: [helloNote: hello.variant])
        }
    }

    static let shell = Benchmark(
        id: shellID, groups: [.processor], summary: "fork() and /bin/sh -c running the hello program, the parent waits",
        operation: #"`fork()` + `/bin/sh -c hello`; the parent waits"#,
        differences: #"as `exec`; the child `fchdir()`s to the run directory's descriptor and runs `/bin/sh -c ./hello`"#,
        lmbench: lmbench("shell", shellLine, hello: true),
        metrics: [.simple(.processor, 9, "sh proc", "lat_shproc", shellID)],
        results: shellLine.write
    ) { ctx in
        guard access("/bin/sh", X_OK) == 0 else { throw BenchError("/bin/sh is missing: no shell to start") }
        let hello = try chooseHello(ctx)
        try withExecState(directory: ctx.files.descriptor, program: hello.program, environment: currentEnvironment()) { state in
            try ctx.measureLatency(shellID, loop: TimedLoop(cshims_loop_fork_shell, state), detail: [helloNote: hello.variant])
        }
    }

    /// The dynamically linked hello where it runs (as LMBench's), else the static one;
    /// its name relative to the run directory ("./hello").
    static func chooseHello(_ ctx: BenchmarkContext) throws -> (program: String, variant: String) {
        for (name, variant) in [("hello", "dynamic"), ("hello-static", "static")]
        where helloRuns("./" + name, in: ctx.files, loop: cshims_loop_fork_exec) {
            ctx.note(helloNote, variant)
            return ("./" + name, variant)
        }
        throw BenchError("neither the dynamic nor the static hello program runs in \(ctx.runDirectory)")
    }

    /// Whether `program` in the run directory runs once and exits 0 under `loop`.
    static func helloRuns(_ program: String, in files: RunFiles, loop: cshims_loop_fn) -> Bool {
        guard (try? Sys.lstat(at: files.descriptor, program)) != nil else { return false }
        return (try? withExecState(directory: files.descriptor, program: program, environment: []) { state in
            try TimedLoop(loop, state).runOnce(name: "execve \(files.directory)/\(program)")
        }) != nil
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
    private static func withExecState<R>(directory: Int32, program: String, environment: [String],
                                         _ body: (UnsafeMutablePointer<cshims_exec_state>) throws -> R) throws -> R {
        let name = strdup(program)!
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            free(name)
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return try argv.withUnsafeBufferPointer { argvBuffer in
            try envp.withUnsafeBufferPointer { envpBuffer in
                try withLoopState(cshims_exec_state(directory: directory, name: name, argv: argvBuffer.baseAddress!,
                                                    envp: envpBuffer.baseAddress!), body)
            }
        }
    }
}
