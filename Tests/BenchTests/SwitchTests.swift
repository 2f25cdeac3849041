import Foundation
import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// The A/B run's switch: its specification, the KSSB hypercall's verdicts, the
/// record's warnings, and how an A/B run is written and read back.
final class SwitchTests: XCTestCase {
    func testSpecsParse() {
        XCTAssertEqual(SwitchSpec.parse("ftrace"), .ftrace)
        XCTAssertEqual(SwitchSpec.parse("kssb"), .kssb)
        XCTAssertEqual(SwitchSpec.parse("command:echo 1 > /x:echo 0 > /x"), .command(on: "echo 1 > /x", off: "echo 0 > /x"))
        XCTAssertEqual(SwitchSpec.parse("command:a:b:c"), .command(on: "a", off: "b:c"), "split at the first ':'")
        XCTAssertEqual(SwitchSpec.parse("file:/sys/kernel/tracing/tracing_on:1:0"), .file(path: "/sys/kernel/tracing/tracing_on", on: "1", off: "0"))
        XCTAssertEqual(SwitchSpec.parse("file:/x:on:a:b"), .file(path: "/x", on: "on", off: "a:b"), "the off value is the rest")
        for bad in ["", "Ftrace", "command:", "command:on", "command::off", "command:on:", "kvm", "file:", "file:/x:1",
                    "file:x:1:0", "file:/x::0", "file:/x:1:"] {
            XCTAssertNil(SwitchSpec.parse(bad), bad)
        }
        XCTAssertEqual(SwitchSpec.parse(SwitchSpec.command(on: "true", off: "false").text), .command(on: "true", off: "false"))
    }

    /// What the KSSB hypercall's outcome means: only RAX = 0 is taken; a stock
    /// KVM's -1, an unknown hypercall's -1000, Ozz's QEMU's -EINVAL, nothing
    /// answering, or a fault each get their own one-line reason.
    func testKssbVerdictsFromReturnCodes() throws {
        XCTAssertNil(KssbSwitch.refusal(.returned(0), command: "enable"))
        let cases: [(KssbSwitch.Outcome, String)] = [
            (.returned(-1), "-KVM_EPERM"),
            (.returned(-1000), "-KVM_ENOSYS"),
            (.returned(-22), "-EINVAL"),
            (.returned(-11), "-EAGAIN"),
            (.returned(Int(bitPattern: UInt(0x1d08aa3e))), "RAX unchanged"),
            (.returned(7), "RAX = 7"),
            (.signal(SIGILL), "SIGILL"),
            (.signal(SIGSEGV), "SIGSEGV"),
            (.signal(SIGBUS), "signal \(SIGBUS)"),
        ]
        for (outcome, expected) in cases {
            let reason = try XCTUnwrap(KssbSwitch.refusal(outcome, command: "enable"), "\(outcome)")
            XCTAssertTrue(reason.contains(expected), "\(outcome): \(reason)")
            XCTAssertFalse(reason.contains("\n"), "one line")
        }
    }

    /// As many flips a round as a quarter of the round's time pays for: around
    /// every benchmark when flipping is cheap, every round when one flip costs
    /// a quarter of it, blocks in between.
    func testFlipsAsOftenAsTheirCostAllows() {
        XCTAssertEqual(SwitchController.benchmarksPerFlip(benchmarks: 14, roundSeconds: 8, flipSeconds: 0.001), 1)
        XCTAssertEqual(SwitchController.benchmarksPerFlip(benchmarks: 14, roundSeconds: 8, flipSeconds: 0.1), 1, "14 x 0.1 s <= 2 s")
        XCTAssertEqual(SwitchController.benchmarksPerFlip(benchmarks: 14, roundSeconds: 25, flipSeconds: 2.2), 7, "2 flips fit: blocks of 7")
        XCTAssertEqual(SwitchController.benchmarksPerFlip(benchmarks: 14, roundSeconds: 5, flipSeconds: 2.2), 14, "not even one fits")
        var record = SwitchRecord(spec: .ftrace)
        record.benchmarksPerRound = 14
        for (k, text) in [(0, "every round"), (1, "every benchmark"), (5, "every 5 benchmarks"), (14, "every round")] {
            record.benchmarksPerFlip = k
            XCTAssertEqual(record.granularity, text)
        }
    }

    func flip(_ to: SwitchState, ratio: Double, round: Int = 0) -> SwitchRecord.Flip {
        .init(round: round, benchmark: nil, to: to, seconds: 0.5, probeNs: 1000, probeBeforeNs: 1000, ratio: ratio)
    }

    /// "Did it take effect" is judged from each flip's own on/off probe ratio
    /// (probes just before and after it) against their spread: a switch whose
    /// ratios hover around 1 did not; one that slows the null call only 1.3x,
    /// but every time, did; a flip with less than half the usual effect is named.
    func testRecordWarnsWhenTheSwitchDidNotTakeEffect() {
        var record = SwitchRecord(spec: .command(on: "true", off: "true"))
        record.flips = [flip(.on, ratio: 1.02), flip(.off, ratio: 0.97), flip(.on, ratio: 1.04, round: 1), flip(.off, ratio: 0.99, round: 2)]
        record.restored = true
        XCTAssertEqual(record.probeRatio ?? 0, 1.005, accuracy: 0.002)
        guard case .noEffect(_, let low?, let high?, probes: 4)? = record.warnings.first else {
            return XCTFail("\(record.warnings)")
        }
        XCTAssertTrue(low <= 1 && 1 <= high, "\(low) \(high)")
        XCTAssertTrue(record.warnings[0].text.hasPrefix("THE SWITCH DID NOT TAKE EFFECT"), record.warnings[0].text)

        // 1.3x, every time: a real switch, however small.
        record.flips = [flip(.on, ratio: 1.3), flip(.off, ratio: 1.28), flip(.on, ratio: 1.31, round: 1), flip(.off, ratio: 1.29, round: 2)]
        XCTAssertEqual(record.warnings, [])
        // One flip with a fraction of the effect.
        record.flips.append(flip(.on, ratio: 1.05, round: 3))
        XCTAssertEqual(record.warnings, [.misfiredFlips(1, of: 5, rounds: [3])])
        XCTAssertEqual(record.warnings[0].text, "1 of 5 flips changed the null-call probe by less than half the switch's usual effect (round 4): check that the switch took effect every time")

        record.flips = [flip(.on, ratio: 12)]
        record.restored = false
        record.restoreError = "write: Permission denied"
        XCTAssertEqual(record.warnings, [.notRestored(.off, error: "write: Permission denied")])
    }

    /// An A/B run from two sides whose samples carry their rounds.
    static func abRun(offNs: [Double], onNs: [Double], ratio: Double = 13) -> ABRunResult {
        func side(_ values: [Double], _ state: SwitchState) -> RunResult {
            var run = SampleRun.make()
            let series = Series(name: "main", samples: values.enumerated().map { round, ns in
                Sample(elapsedNs: Int64(ns * 10_000), iterations: 10_000, round: round)
            })
            run.outcomes = [BenchmarkOutcome(id: "null-call", cells: [
                Cell(id: "null-call", unit: .microseconds, estimate: .microseconds(), series: [series]),
            ])]
            return run
        }
        var record = SwitchRecord(spec: .ftrace)
        record.initialDetail = "current_tracer was nop"
        // Two flips whose probe ratios scatter by 3% around `ratio`, as probes do.
        record.flips = [.init(round: -1, benchmark: nil, to: .on, seconds: 2.1, probeNs: 460 * ratio, ratio: ratio * 1.03),
                        .init(round: 0, benchmark: nil, to: .off, seconds: 2.0, probeNs: 460, ratio: ratio / 1.03)]
        record.restored = true
        var off = side(offNs, .off), on = side(onNs, .on)
        off.switchSide = SwitchSide(state: .off, record: record)
        on.switchSide = SwitchSide(state: .on, record: record)
        return ABRunResult(off: off, on: on, record: record)
    }

    func testABJSONRoundTripsAndSummarisesAsTwoRows() throws {
        let ab = SwitchTests.abRun(offNs: [450, 460, 800, 470], onNs: [5900, 6000, 10500, 6100])
        let text = ABRunJSON.encode(ab).prettyText
        guard case .ab(let back) = try ResultsReader.jsonRun(path: "ab.json", bytes: Array(text.utf8)) else {
            return XCTFail("not read back as an A/B run")
        }
        XCTAssertEqual(back.record, ab.record)
        XCTAssertEqual(back.on.cell("null-call")?.series[0].samples.map(\.round), [0, 1, 2, 3], "rounds are kept")
        XCTAssertEqual(back.off.switchSide?.state, .off)
        XCTAssertEqual(back.on.cell("null-call")?.value ?? 0, ab.on.cell("null-call")?.value ?? 1, accuracy: 1e-12)

        // `summary` shows both sides; the results files carry the switch in their header.
        let files = try ResultsReader.summaryFiles(path: "ab.json", bytes: Array(text.utf8))
        XCTAssertEqual(files.count, 2)
        let rows = Summary.render(files).split(separator: "\n").filter { $0.hasPrefix("guest ") }
        XCTAssertTrue(rows.contains { $0.contains(" 0.47 ") } && rows.contains { $0.contains(" 6.05 ") }, "\(rows)")
        let header = ResultsFile.render(ab.on)
        XCTAssertTrue(header.contains("\n[SWITCH: on; the ftrace function tracer"), header)
        XCTAssertFalse(header.contains("SWITCH-WARNING"))
        // A plain run reader refuses it by name; `compare` with both sides pooled does too.
        XCTAssertThrowsError(try ResultsReader.runJSON(path: "ab.json", bytes: Array(text.utf8))) { error in
            XCTAssertTrue("\(error)".contains("an A/B run file"), "\(error)")
        }
    }

    /// What the switch commands left running is a warning naming it (the first
    /// few in the text, all in the JSON, which keeps it through a round trip).
    func testLeftProcessesAreAWarningAndKeptInTheJSON() throws {
        var ab = SwitchTests.abRun(offNs: [450, 460, 800, 470], onNs: [5900, 6000, 10500, 6100])
        ab.record.leftProcesses = ["pid 41 (sleep)"]
        XCTAssertEqual(ab.record.warnings.map(\.text), ["switch command left processes running: pid 41 (sleep) — ended"])
        ab.record.leftProcesses = (1...7).map { "pid \($0) (perf)" }
        XCTAssertEqual(ab.record.warnings.last?.text,
                       "switch command left processes running: pid 1 (perf), pid 2 (perf), pid 3 (perf), pid 4 (perf), pid 5 (perf) and 2 more — ended")
        guard case .ab(let back) = try ResultsReader.jsonRun(path: "ab.json", bytes: Array(ABRunJSON.encode(ab).prettyText.utf8)) else {
            return XCTFail("not read back as an A/B run")
        }
        XCTAssertEqual(back.record.leftProcesses, ab.record.leftProcesses)
    }

    func testWarningsReachTheResultsFileHeader() {
        var ab = SwitchTests.abRun(offNs: [450, 460, 470], onNs: [455, 470, 460], ratio: 1.01)
        ab.on.switchSide?.record = ab.record
        let text = ResultsFile.render(ab.on)
        XCTAssertTrue(text.contains("\n[SWITCH-WARNING: THE SWITCH DID NOT TAKE EFFECT"), text)
        XCTAssertTrue(ResultsFile.summaryTriggers.allSatisfy { trigger in
            !text.split(separator: "\n").filter { $0.hasPrefix("[SWITCH") }.contains { $0.contains(trigger) }
        })
    }
}

/// crosscheck under a switch: each tool's slowdown, their ratio, its interval
/// over rounds (each round's four values together) and the verdict.
final class CrosscheckArithmeticTests: XCTestCase {
    func row(_ values: [(oursOff: Double, oursOn: Double, lmbenchOff: Double, lmbenchOn: Double)],
             prefersSmaller: Bool = true) -> Crosscheck.Row {
        var row = Crosscheck.Row(cell: "null-call", benchmark: "null-call")
        row.prefersSmaller = prefersSmaller
        for (round, v) in values.enumerated() {
            row.add(v.oursOff, .ours, .off, round: round)
            row.add(v.oursOn, .ours, .on, round: round)
            row.add(v.lmbenchOff, .lmbench, .off, round: round)
            row.add(v.lmbenchOn, .lmbench, .on, round: round)
        }
        return row
    }

    func testSlowdownsTheirRatioAndVerdict() throws {
        // A round-wide drift (x1, x2, x1.5, x1.2) hits all four values of its round.
        let drift = [1.0, 2.0, 1.5, 1.2]
        let r = row(drift.map { (0.5 * $0, 6.5 * $0, 0.5 * $0, 7.0 * $0) })
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.ours)), 13, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.lmbench)), 14, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(r.slowdownRatio), 13.0 / 14.0, accuracy: 1e-9)
        let interval = try XCTUnwrap(r.slowdownInterval())
        XCTAssertEqual(interval.low, 13.0 / 14.0, accuracy: 1e-9, "the drift cancels within each round")
        XCTAssertEqual(interval.high, 13.0 / 14.0, accuracy: 1e-9)
        XCTAssertEqual(r.verdict(tolerance: 0.15, switched: true), .agrees)
        XCTAssertEqual(r.verdict(tolerance: 0.05, switched: true), .differs)
        XCTAssertEqual(r.verdict(tolerance: 0.15), .agrees, "without the switch: the off values, which are equal")
    }

    /// Each tool's slowdown from its own pairs (the drift between rounds
    /// cancels within each pair), and the ratio's interval from independent
    /// draws of the two: it holds the ratio and is wider than either tool's.
    func testPairedSlowdownsAndTheirRatioComeFromEachToolsPairs() throws {
        var generator = SplitMix64(seed: 3)
        func noise() -> Double { 1 + (Double(generator.next() % 2001) / 1000 - 1) * 0.05 }
        func pair(_ id: String, slowdown: Double) -> CellPair {
            var off: [LMBenchCompanion.Measurement] = [], on: [LMBenchCompanion.Measurement] = []
            for (round, drift) in [1.0, 2.0, 1.5, 1.2, 1.8, 1.1].enumerated() {
                for _ in 0..<4 {
                    off.append(.init(state: .off, round: round, value: 0.5 * drift * noise()))
                    on.append(.init(state: .on, round: round, value: 0.5 * drift * slowdown * noise()))
                }
            }
            return CellPair(off: LMBenchCompanion.asCell(id, .microseconds, off), on: LMBenchCompanion.asCell(id, .microseconds, on))
        }
        var r = Crosscheck.Row(cell: "null-call", benchmark: "null-call")
        r.pairs = [.ours: pair("ours", slowdown: 3), .lmbench: pair("null-call", slowdown: 4)]
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.ours)), 3, accuracy: 0.15)
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.lmbench)), 4, accuracy: 0.2)
        let ratio = try XCTUnwrap(r.slowdownRatio)
        XCTAssertEqual(ratio, 0.75, accuracy: 0.05)
        func halfWidth(_ i: (low: Double, high: Double)?, _ value: Double) throws -> Double {
            let i = try XCTUnwrap(i)
            XCTAssertTrue(i.low <= value && value <= i.high, "\(value) outside [\(i.low), \(i.high)]")
            return (i.high - i.low) / 2 / value
        }
        let ours = try halfWidth(r.slowdownInterval(.ours), r.slowdown(.ours)!)
        let lmbench = try halfWidth(r.slowdownInterval(.lmbench), r.slowdown(.lmbench)!)
        let both = try halfWidth(r.slowdownInterval(), ratio)
        XCTAssertGreaterThan(both, max(ours, lmbench))
        XCTAssertLessThan(both, 0.1, "the rounds' drift (up to 2x) cancels within the pairs")
        XCTAssertEqual(r.verdict(tolerance: 0.15, switched: true), .differs)
        // One tool without pairs (mhz: values in one state only in each round): the
        // ratio and its interval both come from the medians over the rounds.
        var half = r
        half.pairs[.lmbench] = nil
        for round in 0..<6 {
            half.add(0.5, .ours, .off, round: round)
            half.add(1.5 + 0.1 * Double(round), .ours, .on, round: round)
            half.add(0.5, .lmbench, .off, round: round)
            half.add(2.0, .lmbench, .on, round: round)
        }
        let medians = try XCTUnwrap(half.slowdownRatio)
        XCTAssertEqual(medians, 3.5 / 4, accuracy: 1e-9, "ours on: median 1.75 of 0.5; LMBench 2.0 of 0.5")
        let interval = try XCTUnwrap(half.slowdownInterval())
        XCTAssertTrue(interval.low <= medians && medians <= interval.high, "\(medians) outside [\(interval.low), \(interval.high)]")
    }

    func testRowsComeInTheOrderTheBenchmarksListTheirCells() {
        let benchmarks = Array(ContextSwitch.benchmarks.prefix(2))
        let check = Crosscheck(request: Crosscheck.Request(benchmarks: benchmarks, lmbenchDirectory: "/nonexistent",
                                                          settings: RunSettings()),
                               progress: ConsoleProgress(mode: .quiet))
        let cells = check.expectedCells(benchmarks[0].lmbench.counterpart(64)!)
            + check.expectedCells(benchmarks[1].lmbench.counterpart(64)!)
        var generator = SplitMix64(seed: 7)
        let shuffled = cells.shuffled(using: &generator).map { cell in
            Crosscheck.Row(cell: cell, benchmark: benchmarks[cells.firstIndex(of: cell)! < cells.count / 2 ? 0 : 1].id)
        }
        XCTAssertNotEqual(shuffled.map(\.cell), cells)
        XCTAssertEqual(check.inCatalogOrder(shuffled).map(\.cell), cells)
    }

    /// A row that does not agree names the measured cause of its gap, if one is
    /// known; an agreeing row and a cell with no known cause say nothing more.
    func testARowThatDoesNotAgreeNamesItsKnownCause() throws {
        let drift = [1.0, 2.0, 1.5, 1.2]
        func named(_ cell: String, lmbenchSlowdown: Double) -> Crosscheck.Row {
            var r = Crosscheck.Row(cell: cell, benchmark: cell)
            for (round, d) in drift.enumerated() {
                r.add(0.5 * d, .ours, .off, round: round)
                r.add(1.5 * d, .ours, .on, round: round)
                r.add(0.5 * d, .lmbench, .off, round: round)
                r.add(0.5 * lmbenchSlowdown * d, .lmbench, .on, round: round)
            }
            return r
        }
        let rows = [named("select-tcp/10", lmbenchSlowdown: 2), named("null-call", lmbenchSlowdown: 2),
                    named("fork", lmbenchSlowdown: 3)]
        XCTAssertEqual(rows.map { $0.verdict(tolerance: 0.15, switched: true) }, [.differs, .differs, .agrees])
        let result = Crosscheck.Result(directory: "/lmbench", rounds: drift.count, tolerance: 0.15, rows: rows,
                                       switchRecord: SwitchRecord(spec: .command(on: "true", off: "true")))
        let lines = CrosscheckFormat.text.render(result).split(separator: "\n").map(String.init)
        let select = try XCTUnwrap(lines.first { $0.hasPrefix("select-tcp/10") })
        XCTAssertTrue(select.hasSuffix("differs (known: LMBench's nfds leaves some of its 10 descriptors unpolled; ours polls all)"), select)
        let nullCall = try XCTUnwrap(lines.first { $0.hasPrefix("null-call") })
        XCTAssertTrue(nullCall.hasSuffix("differs"), nullCall)
        let fork = try XCTUnwrap(lines.first { $0.hasPrefix("fork") })
        XCTAssertTrue(fork.hasSuffix("agrees"), fork)
        let json = CrosscheckFormat.json.render(result)
        XCTAssertTrue(json.contains("\"known_cause\": \"our binary is static"), json)
    }

    func testBandwidthsSlowDownAsOffOverOnAndIncompleteRoundsAreResampledWithWhatTheyHave() throws {
        var r = row([(4000, 1000, 4000, 2000), (4000, 1000, 4000, 2000)], prefersSmaller: false)
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.ours)), 4)
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.lmbench)), 2)
        // Rounds in which LMBench gave no value with the switch off (mhz: "System too busy").
        for round in [2, 3] {
            r.add(4000, .ours, .off, round: round)
            r.add(1000, .ours, .on, round: round)
            r.add(1000, .lmbench, .on, round: round)
        }
        XCTAssertEqual(r.rounds, [0, 1, 2, 3])
        XCTAssertEqual(try XCTUnwrap(r.slowdown(.lmbench)), 4000.0 / 1500.0, accuracy: 1e-9, "on: 2000, 2000, 1000 and 1000")
        for tool in [Crosscheck.Tool.ours, .lmbench, nil] {
            let estimate = try XCTUnwrap(tool.map { r.slowdown($0) } ?? r.slowdownRatio)
            let interval = try XCTUnwrap(r.slowdownInterval(tool))
            XCTAssertTrue(interval.low <= estimate && estimate <= interval.high,
                          "\(tool.map(\.rawValue) ?? "ratio"): \(estimate) outside [\(interval.low), \(interval.high)]")
        }
        XCTAssertEqual(r.verdict(tolerance: 0.15, switched: true), .inconclusive,
                       "LMBench's slowdown is 2 in the complete rounds, up to 4 with the others: ratio 1.5, interval reaching 1")
        let lone = row([(1, 2, 1, 2)])
        XCTAssertNil(lone.slowdownInterval(), "one round: no interval")
        XCTAssertEqual(Crosscheck.Row(cell: "x", benchmark: "x").verdict(tolerance: 0.15, switched: true), .noValue)
    }
}

/// Crosscheck waits for LMBench's server daemon by its sockets, not a fixed sleep.
final class ServerReadinessTests: XCTestCase {
    /// A child that binds (UDP) or listens (TCP) after a moment: not ready before,
    /// ready once its socket is there; a child with no socket is never ready.
    func testAChildIsListeningOnceItsSocketIsBoundOrListening() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let interpreter = try XCTUnwrap(python, "python3 runs the stand-in servers")
        for (kind, ready) in [("SOCK_STREAM", "s.listen()"), ("SOCK_DGRAM", "pass")] {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: interpreter)
            child.arguments = ["-c", """
                import socket, sys, time
                sys.stdin.read(1)
                s = socket.socket(socket.AF_INET, socket.\(kind)); s.bind(("127.0.0.1", 0)); \(ready)
                time.sleep(60)
                """]
            let go = Pipe()
            child.standardInput = go
            try child.run()
            defer { child.terminate(); child.waitUntilExit() }
            XCTAssertFalse(ProgramRunner.aChildIsListening(), "\(kind): no socket yet")
            go.fileHandleForWriting.write(Data("x".utf8))
            let deadline = Date().addingTimeInterval(30)
            while !ProgramRunner.aChildIsListening() && Date() < deadline { usleep(10_000) }
            XCTAssertTrue(ProgramRunner.aChildIsListening(), "\(kind): its socket is there")
        }
    }
}
