import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class EstimateTests: XCTestCase {
    func series(_ name: String, _ perOp: [Double], ops: Double = 1) -> Series {
        Series(name: name, samples: perOp.map { Sample(elapsedNs: Int64($0 * 1000 * ops), iterations: 1000) },
               operationsPerIteration: ops)
    }

    func testMicrosecondsAreTheMedianPerOperation() {
        let cell = Cell(id: "x", unit: .microseconds, estimate: .microseconds(), series: [series("main", [300, 200, 250])])
        XCTAssertEqual(cell.value, 0.25, accuracy: 1e-12)
    }

    func testOverheadsAreSubtracted() {
        let s = Series(name: "main", samples: [Sample(elapsedNs: 1030, iterations: 10)], clockOverheadNs: 30,
                       loopOverheadNs: 0.5, operationsPerIteration: 2)
        XCTAssertEqual(s.perOperationNs[0], (100 - 0.5) / 2, accuracy: 1e-12)
    }

    func testDifferenceOfSeries() {
        let cell = Cell(id: "sig", unit: .microseconds,
                        estimate: Estimate(terms: [.init("catch"), .init("send", -1)], form: .linear(scale: 0.001)),
                        series: [series("send", [500, 510, 490]), series("catch", [3000, 3100, 2900])])
        XCTAssertEqual(cell.value, 2.5, accuracy: 1e-12)
    }

    func testBandwidthIsAReciprocal() {
        // 1 MB per operation in 1 ms: 1000 MB/s.
        let cell = Cell(id: "bw", unit: .megabytesPerSecond, estimate: .megabytesPerSecond(bytes: 1e6),
                        series: [series("main", [1e6, 1e6, 1e6])])
        XCTAssertEqual(cell.value, 1000, accuracy: 1e-9)
    }

    func testMinimumStatisticAndOperationsPerIteration() {
        let cell = Cell(id: "mhz", unit: .megahertz,
                        estimate: Estimate(terms: [.init("chain", 1, .minimum)], form: .reciprocal(numerator: 1000)),
                        series: [series("chain", [0.5, 0.25, 0.4], ops: 1000)])
        XCTAssertEqual(cell.value, 4000, accuracy: 1e-6)
    }

    func testStatisticsOfACell() throws {
        let cell = Cell(id: "x", unit: .microseconds, estimate: .microseconds(),
                        series: [series("main", [100, 101, 99, 100, 102, 98, 100, 100, 101, 99, 100])])
        let stats = cell.statistics
        let ci = try XCTUnwrap(stats.interval)
        XCTAssertLessThanOrEqual(ci.low, stats.value)
        XCTAssertGreaterThanOrEqual(ci.high, stats.value)
        XCTAssertLessThan(try XCTUnwrap(stats.relativeHalfWidth), 0.02)
        XCTAssertEqual(stats.series.first?.statistics.count, 11)
    }
}
