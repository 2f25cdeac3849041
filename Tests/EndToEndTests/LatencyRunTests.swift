import Foundation
import XCTest

/// One `run ctx latency filevm`, watched while it runs: every server socket it
/// opens is bound to 127.0.0.1, and afterwards no process or file of it is left.
final class LatencyRunTests: XCTestCase {
    nonisolated(unsafe) static var scratch: Scratch!
    nonisolated(unsafe) static var result: Binary.Result!
    nonisolated(unsafe) static var serverAddresses: Set<String> = []
    static let tag = UUID().uuidString

    override class func setUp() {
        scratch = try! Scratch()
        try! FileManager.default.createDirectory(atPath: scratch.path + "/fs", withIntermediateDirectories: true)
        let done = DispatchSemaphore(value: 0)
        let watcher = Thread {
            var seen = Set<String>()
            while done.wait(timeout: .now() + .milliseconds(2)) == .timedOut {
                // Only the run's own sockets: another process on this machine may bind anywhere.
                seen.formUnion(SocketTable.listeningOrBound(ownedBy: Binary.processes(tagged: tag)))
            }
            serverAddresses = seen
        }
        watcher.start()
        result = try! Binary.run(["run", "ctx", "latency", "filevm", "--results-dir", scratch.path + "/results",
                                  "--json", scratch.path + "/run.json", "--fsdir", scratch.path + "/fs", "--mb", "8"]
                                 + quickRun, tag: tag)
        done.signal()
        Binary.wait(limit: 60) { watcher.isFinished }
    }

    override class func tearDown() { scratch.remove() }

    func testEveryColumnOfTheThreeTablesIsFilled() throws {
        XCTAssertEqual(LatencyRunTests.result.status, 0, LatencyRunTests.result.stderr)
        let out = LatencyRunTests.result.stdout
        for (title, widths) in [("Context switching", [6, 6, 6, 6, 6, 7, 7]),
                                ("*Local* Communication latencies", [5, 5, 4, 5, 5, 5, 5, 4]),
                                ("File & VM system latencies", [6, 6, 6, 6, 7, 5, 7, 5])] {
            let row = try SummaryRow(summary: out, table: title)
            let cells = row.cells(widths: widths)
            XCTAssertEqual(cells.count, widths.count, "\(title): \(row.text)")
            for (i, cell) in cells.enumerated() where cell.trimmingCharacters(in: .whitespaces).isEmpty {
                // The protection fault is a difference; under heavy load (swift test --parallel) its terms'
                // noise can exceed it, and a value at or below zero is left out, as LMBench leaves it out.
                if title == "File & VM system latencies" && i == 5,
                   let value = try RunFile(path: LatencyRunTests.scratch.path + "/run.json").value("prot-fault"), value <= 0 {
                    continue
                }
                XCTFail("\(title) column \(i + 1) blank: '\(row.text)'")
            }
        }
    }

    func testServersListenOnlyOnLoopback() {
        let addresses = LatencyRunTests.serverAddresses
        XCTAssertFalse(addresses.isEmpty, "no server socket was seen: the watcher missed them")
        for address in addresses {
            XCTAssertTrue(address.hasPrefix("0100007F:"), "a socket bound to \(address), not 127.0.0.1")
        }
    }

    func testNothingIsLeftBehind() {
        XCTAssertEqual(Binary.processes(tagged: LatencyRunTests.tag), [],
                       "a process of the run is still there")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: LatencyRunTests.scratch.path + "/fs")) ?? ["?"], [])
    }

    func testJSONKeepsTheRawContextSwitchTerms() throws {
        let run = try RunFile(path: LatencyRunTests.scratch.path + "/run.json")
        let cells = try XCTUnwrap(run.benchmark("ctx-16k")?["cells"] as? [[String: Any]])
        let eight = try XCTUnwrap(cells.first { $0["id"] as? String == "ctx-16k/8" })
        let terms = try XCTUnwrap(eight["term_values_ns"] as? [Double])
        XCTAssertEqual(terms.count, 2, "the raw per-switch time and the subtracted overhead")
        XCTAssertGreaterThan(terms[0], 0)
        XCTAssertGreaterThan(terms[1], 0)
        XCTAssertNotNil(cells.first { $0["id"] as? String == "ctx-16k/ovr" })
        XCTAssertNotNil(run.value("rpc-udp-latency"))
        XCTAssertNotNil(run.value("page-fault"))
        XCTAssertNotNil(run.value("fs-create/10k"))
    }
}

/// The row of one summary table (the first row after its header).
struct SummaryRow {
    let text: String
    init(summary: String, table: String) throws {
        let lines = summary.components(separatedBy: "\n")
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix(table) }, "no table '\(table)'")
        text = lines[header + 5]
    }
    /// The columns after Host and OS, by their widths (one space apart).
    func cells(widths: [Int]) -> [String] {
        var index = text.index(text.startIndex, offsetBy: min(24, text.count))
        var cells: [String] = []
        for width in widths {
            guard text.distance(from: index, to: text.endIndex) >= width else { break }
            let end = text.index(index, offsetBy: width)
            cells.append(String(text[index..<end]))
            index = end < text.endIndex ? text.index(after: end) : end
        }
        return cells
    }
}

/// Sockets in LISTEN state (TCP) or bound (UDP), as "ADDRESS:PORT" in /proc/net's hex.
enum SocketTable {
    /// The local addresses of the listening TCP and bound UDP sockets that these processes hold.
    static func listeningOrBound(ownedBy pids: [Int32]) -> Set<String> {
        var inodes = Set<String>()
        for pid in pids {
            let fds = "/proc/\(pid)/fd"
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? [] {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + fd),
                      target.hasPrefix("socket:[") else { continue }
                inodes.insert(String(target.dropFirst(8).dropLast()))
            }
        }
        guard !inodes.isEmpty else { return [] }
        var result = Set<String>()
        for (file, state) in [("tcp", "0A"), ("tcp6", "0A"), ("udp", "07"), ("udp6", "07")] {
            guard let text = try? String(contentsOfFile: "/proc/net/\(file)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 9, fields[3] == state, inodes.contains(String(fields[9])) { result.insert(String(fields[1])) }
            }
        }
        return result
    }
}
