import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

/// A benchmark declares its results-file lines once (`TitledLine`, its `results`
/// and `metrics`): what our writer prints must be what getsummary's rules read
/// into the summary cell the metric names, and what crosscheck's reader of
/// LMBench's output takes from the same line.
final class LineIdentityTests: XCTestCase {
    /// A run with a distinct value in every cell a summary metric or a line of
    /// LMBench's output reads (each size of the half list for a block, which every
    /// block measures, and the overhead of a context-switch block), so that a line
    /// written for the wrong cell or read into the wrong array shows. The values
    /// are whole numbers: every format of the file prints them exactly.
    static func everyMetricsRun() -> RunResult {
        var run = SampleRun.make()
        run.outcomes = []
        let sizes = ResultsFile.sizeLists(mb: run.settings.mb)
        var next = 3.0, made = Set<String>()
        for benchmark in Catalog.all {
            var ids: [String] = []
            for input in benchmark.metrics.flatMap(\.cellInputs) {
                switch input {
                case .exact(let id):
                    ids.append(id)
                    if id.hasPrefix("ctx-") { ids.append(id.split(separator: "/")[0] + "/ovr") }
                case .largest(let prefix):
                    ids += sizes.half.map { prefix + $0 }
                }
            }
            for invocation in benchmark.lmbench.counterpart(run.settings.mb)?.invocations ?? [] {
                if case .titled(_, _, let cell) = invocation.output { ids.append(cell) }
            }
            guard !ids.isEmpty else { continue }
            let cells = Set(ids).subtracting(made).sorted().map { id in
                defer { next += 1 }
                return SampleRun.latency(id, next)
            }
            made.formUnion(ids)
            run.outcomes.append(BenchmarkOutcome(id: benchmark.id, cells: cells))
        }
        return run
    }

    func testEverySummaryCellReadFromOurResultsFileIsTheCellItNames() throws {
        let run = Self.everyMetricsRun()
        let text = ResultsFile.render(run)
        let fromFile = MeasuredRun.fromResultsFile(Array(text.utf8), source: "x86_64-linux-gnu/guest.0")
        let fromJSON = MeasuredRun.fromJSON(run, source: "run.json")
        XCTAssertEqual(SummaryMetric.all.count, 42)
        for metric in SummaryMetric.all {
            let expected = try XCTUnwrap(fromJSON.values[metric.key]?.value, "\(metric.key): no value from its cells")
            let read = try XCTUnwrap(fromFile.values[metric.key]?.value, "\(metric.key): getsummary reads no value from our file")
            XCTAssertEqual(read, expected, accuracy: 1e-9 * abs(expected), metric.key)
        }
    }

    func testCrosscheckReadsLMBenchsLineWhereOurFileWritesIt() throws {
        let run = Self.everyMetricsRun()
        let text = ResultsFile.render(run)
        var checked = 0, titled = 0
        for benchmark in Catalog.all {
            for invocation in benchmark.lmbench.counterpart(run.settings.mb)?.invocations ?? [] {
                guard case .titled(_, _, let cell) = invocation.output else { continue }
                titled += 1
                let value = try XCTUnwrap(run.cell(cell)?.value)
                let parsed = LMBenchPrograms.parse(text, as: invocation.output)
                XCTAssertEqual(try XCTUnwrap(parsed[cell], "\(benchmark.id): \(invocation.output)"), value,
                               accuracy: 1e-9 * value, cell)
                checked += 1
            }
        }
        XCTAssertEqual(checked, titled)
        XCTAssertGreaterThanOrEqual(checked, 28)
    }
}
