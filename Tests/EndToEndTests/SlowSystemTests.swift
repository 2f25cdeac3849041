import Foundation
import XCTest

/// A run on a much slower system: every timeout derives from the run's own
/// calibration, so every cell is still filled. The slowness is made with a CPU
/// quota (cgroup v1 or v2) on the run's processes, else with competing busy
/// processes; the test is skipped, saying so, where neither can be had.
final class SlowSystemTests: XCTestCase {
    /// A cgroup holding `pid` (and what it starts) to `percent` of one CPU; nil if
    /// none can be made. What it returns removes it and says how many times the quota
    /// stopped its processes (cpu.stat's nr_throttled).
    func throttle(_ pid: Int32, percent: Int) -> (() -> Int)? {
        let fm = FileManager.default
        let name = "lmbench-swift-test-\(getpid())"
        for (root, quota, procs) in [("/sys/fs/cgroup/cpu", "cpu.cfs_quota_us", "cgroup.procs"),
                                     ("/sys/fs/cgroup", "cpu.max", "cgroup.procs")] {
            let dir = root + "/" + name
            guard (try? fm.createDirectory(atPath: dir, withIntermediateDirectories: false)) != nil else { continue }
            let limit = quota == "cpu.max" ? "\(percent * 1000) 100000" : String(percent * 1000)
            if quota != "cpu.max" { try? "100000".write(toFile: dir + "/cpu.cfs_period_us", atomically: false, encoding: .utf8) }
            if (try? limit.write(toFile: dir + "/" + quota, atomically: false, encoding: .utf8)) != nil,
               (try? String(pid).write(toFile: dir + "/" + procs, atomically: false, encoding: .utf8)) != nil {
                return {
                    let stat = (try? String(contentsOfFile: dir + "/cpu.stat", encoding: .utf8)) ?? ""
                    let throttled = stat.split(separator: "\n").first { $0.hasPrefix("nr_throttled ") }
                        .flatMap { Int($0.split(separator: " ")[1]) } ?? 0
                    // A cgroup can be removed once its last process has gone (moments after exit).
                    let removed = Binary.wait(limit: 30) { (try? fm.removeItem(atPath: dir)) != nil || !fm.fileExists(atPath: dir) }
                    XCTAssertTrue(removed, "the test's cgroup \(dir) could not be removed")
                    return throttled
                }
            }
            try? fm.removeItem(atPath: dir)
        }
        return nil
    }

    func testAThrottledRunFillsEveryCell() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let names = ["null-call", "fork", "exec", "pipe-latency", "udp-latency", "tcp-latency", "rpc-udp-latency",
                     "tcp-connect", "ctx-0k"]
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["run"] + names + ["--results-dir", scratch.path + "/results", "--json", scratch.path + "/run.json",
                                               "--repetitions", "3", "--rounds", "1", "--enough", "1000", "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Binary.watchdog(process)
        let quota = throttle(process.processIdentifier, percent: 10)
        var load: [Process] = []
        if quota == nil {
            // No cgroup: compete with busy processes, several per CPU.
            for _ in 0..<(3 * ProcessInfo.processInfo.activeProcessorCount) {
                let busy = Process()
                busy.executableURL = URL(fileURLWithPath: "/bin/sh")
                busy.arguments = ["-c", "while :; do :; done"]
                if (try? busy.run()) != nil { load.append(busy) }
            }
            if load.isEmpty {
                process.waitUntilExit()
                throw XCTSkip("neither a CPU-quota cgroup nor competing processes could be set up here")
            }
        }
        // Slowed ten times, the run takes a minute or so: ten minutes is a hang.
        let finished = Binary.wait(limit: 600) { !process.isRunning }
        if !finished { process.interrupt() }
        process.waitUntilExit()
        load.forEach { $0.terminate(); $0.waitUntilExit() }
        XCTAssertTrue(finished, "the throttled run did not finish within 600 s")
        if let release = quota {
            let throttled = release()
            // Not the calibration's slowdown: a quota stops a process between its
            // slices, which the fastest of a few short probes can miss.
            XCTAssertGreaterThan(throttled, 0, "the CPU quota never stopped the run")
        }
        XCTAssertEqual(process.terminationStatus, 0)
        let run = try RunFile(path: scratch.path + "/run.json")
        for id in ["null-call", "fork", "exec", "pipe-latency", "udp-latency", "tcp-latency", "rpc-udp-latency", "tcp-connect",
                   "ctx-0k/2", "ctx-0k/96"] {
            XCTAssertNotNil(run.value(id), "\(id) missing under a slowed system")
        }
        let slowdown = try XCTUnwrap((run.json["calibration"] as? [String: Any])?["slowdown"] as? Double)
        XCTAssertTrue(slowdown.isFinite && slowdown >= 1, "calibration slowdown \(slowdown)")
    }
}
