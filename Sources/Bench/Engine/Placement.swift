import CShims

/// Where a benchmark process runs.
public enum Placement: Sendable {
    /// Wherever the scheduler puts it (benchmarks whose processes talk to each other,
    /// or create processes: their cost includes the scheduler's choices, as in LMBench).
    case scheduler
    /// Pinned, for this pass, to the allowed CPU where a short system-call probe runs
    /// fastest. On a virtual machine one vCPU can run 30% slower for seconds while
    /// the host runs something else on its core; a single-process benchmark then
    /// measures the host, not the kernel.
    case quietestCPU
}

enum CPUPlacement {
    /// Probes each allowed CPU (at most 16) and pins this process to the fastest;
    /// returns the CPU chosen, or nil when there is no choice to make.
    static func pinToQuietestCPU() -> Int32? {
        var cpus = [Int32](repeating: 0, count: 16)
        let count = Int(cshims_allowed_cpus(&cpus, Int32(cpus.count)))
        guard count > 1 else { return nil }
        let allowed = Array(cpus[0..<count])
        var best: (cpu: Int32, ns: Double)?
        for cpu in allowed {
            guard cshims_pin_to_cpu(cpu) == 0 else { continue }
            let ns = probe()
            if best == nil || ns < best!.ns { best = (cpu, ns) }
        }
        guard let best, cshims_pin_to_cpu(best.cpu) == 0 else {
            _ = cshims_set_cpus(allowed, Int32(allowed.count))
            return nil
        }
        return best.cpu
    }

    /// Fastest of three 2000-call getppid() loops, ns per call.
    private static func probe() -> Double {
        var fastest = Double.infinity
        for _ in 0..<3 {
            var elapsed: Int64 = 0
            _ = cshims_timing_run(cshims_loop_getppid, nil, 2000, &elapsed)
            fastest = min(fastest, Double(elapsed) / 2000)
        }
        return fastest
    }
}
