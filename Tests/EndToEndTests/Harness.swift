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
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// `signalWhen`: send `signal` as soon as the condition holds (at most `limit` seconds).
    /// `killAfter`: SIGKILL it if it still runs after this long (a hang fails the test, not the suite).
    /// `interruptWhen`: send SIGINT (or `signal`) as soon as standard error shows this text
    /// (waiting at most `limit` seconds for it; the run is interrupted then anyway).
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
                    interruptAfter: TimeInterval? = nil, interruptWhen: String? = nil, limit: TimeInterval = 120,
                    signal: Int32 = SIGINT, signalWhen: (() -> Bool)? = nil, killAfter: TimeInterval? = nil) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "dumb"
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
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            process.interrupt()
        }
        if let interruptWhen {
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning, Date() < deadline,
                  !((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains(interruptWhen) {
                Thread.sleep(forTimeInterval: 0.02)
            }
            if process.isRunning { kill(process.processIdentifier, signal) }
        }
        if let signalWhen {
            // Sends `signal` once the condition holds (an event, such as the on-command having run).
            let deadline = Date().addingTimeInterval(limit)
            while process.isRunning, Date() < deadline, !signalWhen() { Thread.sleep(forTimeInterval: 0.02) }
            if process.isRunning { kill(process.processIdentifier, signal) }
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
                      stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Processes running this binary right now (to prove none is left behind).
    static func runningCopies() -> [Int32] {
        let target = url.resolvingSymlinksInPath().path
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return pids.compactMap { name in
            guard let pid = Int32(name),
                  let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/exe") else { return nil }
            return exe == target ? pid : nil
        }
    }
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
