import Foundation
import XCTest

/// Runs the built lmbench-swift binary as a user would.
enum Binary {
    static var url: URL {
        Bundle.main.bundleURL.appendingPathComponent("lmbench-swift")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// How long it ran on once interrupted (nil: not interrupted).
        var secondsAfterInterrupt: TimeInterval?
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// `interruptWhen`: send `signal` (SIGINT unless told) as soon as the
    /// condition holds for standard error so far (checked every 20 ms, at most
    /// `limit` seconds: it is sent then anyway); `interruptAgainWhen`: then send
    /// it again in the same way. `killAfter`: SIGKILL it if it
    /// still runs after this long (a hang fails the test, not the suite). Every
    /// process of the run carries `tag` in its environment, so
    /// `Binary.processes(tagged:)` finds what it left, whatever else runs.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                    interruptWhen: ((String) -> Bool)? = nil, interruptAgainWhen: ((String) -> Bool)? = nil,
                    limit: TimeInterval = 120, signal: Int32 = SIGINT,
                    killAfter: TimeInterval? = nil, tag: String = UUID().uuidString) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "dumb"
        env[tagVariable] = tag
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let out = scratch.path + "/stdout", err = scratch.path + "/stderr"
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        watchdog(process)
        var interruptedAt: Date?
        for condition in [interruptWhen, interruptAgainWhen].compactMap({ $0 }) {
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning, Date() < deadline,
                  !condition((try? String(contentsOfFile: err, encoding: .utf8)) ?? "") {
                Thread.sleep(forTimeInterval: 0.02)
            }
            if process.isRunning { interruptedAt = interruptedAt ?? Date(); kill(process.processIdentifier, signal) }
        }
        if let killAfter {
            // Bounded: a command that hangs is killed (its status then says SIGKILL, 9).
            let deadline = Date().addingTimeInterval(killAfter)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "",
                      secondsAfterInterrupt: interruptedAt.map { Date().timeIntervalSince($0) })
    }

    /// A condition for `interruptWhen`: the progress line saying this benchmark started.
    static func started(_ id: String) -> (String) -> Bool {
        { $0.split(separator: "\n").contains { $0.hasSuffix(" started") && $0.split(separator: " ").contains(Substring(id)) } }
    }

    /// A condition for `interruptWhen`: the file exists (a switch command made it).
    static func exists(_ path: String) -> (String) -> Bool {
        { _ in FileManager.default.fileExists(atPath: path) }
    }

    static let tagVariable = "LMBENCH_SWIFT_TEST_TAG"

    /// Every wait of a test on a process it started ends: after `seconds` (far
    /// beyond any run of the suite) the process is killed if it still runs, so
    /// a hang fails its test instead of stopping the suite.
    static func watchdog(_ process: Process, seconds: TimeInterval = 600) {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// Waits until `condition` holds, checking every 20 ms for at most `limit`
    /// seconds; whether it came to hold.
    @discardableResult
    static func wait(limit: TimeInterval, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while !condition() {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// The processes whose environment carries this tag (given to `run`, or set
    /// by a test that starts the binary itself): what a run left running.
    static func processes(tagged tag: String) -> [Int32] {
        let marker = Array("\(tagVariable)=\(tag)".utf8)
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.compactMap { name in
            guard let pid = Int32(name), pid != getpid(),
                  let environ = FileManager.default.contents(atPath: "/proc/\(name)/environ") else { return nil }
            return environ.split(separator: 0).contains { Array($0) == marker } ? pid : nil
        }
    }
}

/// Runs a /bin/sh command line (`environment` added to ours): its exit status
/// and its output (stdout and stderr together).
func shell(_ command: String, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    Binary.watchdog(process)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A private temporary directory.
struct Scratch {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "lmbench-swift-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
    func files(under relative: String = "") -> [String] {
        let root = relative.isEmpty ? path : path + "/" + relative
        let found = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        return found.filter { !isDirectory(root + "/" + $0) }.sorted()
    }
    func isDirectory(_ p: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: p, isDirectory: &flag) && flag.boolValue
    }
}

/// Reads the cells of a run JSON file.
struct RunFile {
    let json: [String: Any]
    init(path: String) throws {
        json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }
    var benchmarks: [[String: Any]] { json["benchmarks"] as? [[String: Any]] ?? [] }
    func benchmark(_ id: String) -> [String: Any]? { benchmarks.first { $0["id"] as? String == id } }
    func value(_ cell: String) -> Double? {
        for b in benchmarks {
            for c in b["cells"] as? [[String: Any]] ?? [] where c["id"] as? String == cell {
                return c["value"] as? Double
            }
        }
        return nil
    }
}

/// Fast settings for tests: they check correctness and plausibility, never timing.
let quickRun = ["--repetitions", "3", "--rounds", "2", "--enough", "1000"]

/// Whether an A/B run with a no-op switch reported it as one. It must warn
/// whenever the probe's 95% interval of the on/off ratio holds 1; about one
/// run in twenty (a 95% interval) the interval misses 1 by chance, and then the
/// ratio must still be within 10% of 1. Returns whether it warned.
@discardableResult
func assertReportedAsNoOp(_ stderr: String, json path: String, file: StaticString = #filePath, line: UInt = #line) throws -> Bool {
    let record = try XCTUnwrap(try RunFile(path: path).json["switch"] as? [String: Any], file: file, line: line)
    let ratio = try XCTUnwrap(record["probe_ratio"] as? Double, file: file, line: line)
    let warned = stderr.contains("THE SWITCH DID NOT TAKE EFFECT")
    if let interval = record["probe_ratio_ci95"] as? [Double], interval.count == 2, !(interval[0]...interval[1]).contains(1) {
        XCTAssertEqual(ratio, 1, accuracy: 0.1, "a no-op switch's probe ratio \(ratio) \(interval)", file: file, line: line)
    } else {
        XCTAssertTrue(warned, stderr, file: file, line: line)
    }
    return warned
}
