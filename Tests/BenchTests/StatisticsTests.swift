import XCTest
@testable import BenchCatalog
@testable import BenchCore
@testable import BenchCrosscheck
@testable import BenchEngine
@testable import BenchReports

final class StatisticsTests: XCTestCase {
    func testOrderStatistics() {
        let s = Statistics((0...10).map(Double.init).reversed())
        XCTAssertEqual(s.count, 11)
        XCTAssertEqual(s.median, 5)
        XCTAssertEqual(s.minimum, 0)
        XCTAssertEqual(s.maximum, 10)
        XCTAssertEqual(s.percentile(5), 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.percentile(95), 9.5, accuracy: 1e-12)
        XCTAssertEqual(Statistics([1, 2, 3, 4]).median, 2.5)
    }

    func testMomentsAndDegenerateInput() {
        let s = Statistics([2, 4, 4, 4, 5, 5, 7, 9])
        XCTAssertEqual(s.mean, 5)
        XCTAssertEqual(s.standardDeviation, (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.coefficientOfVariation, (32.0 / 7).squareRoot() / 5, accuracy: 1e-12)
        XCTAssertEqual(Statistics([3, 3, 3]).coefficientOfVariation, 0)
        XCTAssertTrue(Statistics([]).median.isNaN)
        XCTAssertEqual(Statistics([1, .nan, .infinity, 3]).count, 2, "non-finite values are dropped")
    }

    func testGeometricMean() {
        XCTAssertEqual(Statistics.geometricMean([1, 4, 16]), 4, accuracy: 1e-12)
        XCTAssertTrue(Statistics.geometricMean([1, 0]).isNaN)
    }

    func testBootstrapIntervalContainsTheMedianAndIsDeterministic() throws {
        let values: [Double] = [10, 11, 9, 10.5, 9.5, 10.2, 9.8, 10.1, 9.9, 10.3, 9.7]
        let a = try XCTUnwrap(Bootstrap.interval(groups: [values], seed: 42) { Statistics($0[0]).median })
        let b = try XCTUnwrap(Bootstrap.interval(groups: [values], seed: 42) { Statistics($0[0]).median })
        XCTAssertEqual(a.low, b.low)
        XCTAssertEqual(a.high, b.high)
        XCTAssertLessThanOrEqual(a.low, 10.05)
        XCTAssertGreaterThanOrEqual(a.high, 10.05)
        XCTAssertGreaterThan(a.low, 9.4)
        XCTAssertLessThan(a.high, 10.6)
        XCTAssertNil(Bootstrap.interval(groups: [[]], seed: 1) { _ in 0 })
    }

    func testConstantSamplesGiveAZeroWidthInterval() throws {
        let ci = try XCTUnwrap(Bootstrap.interval(groups: [[5, 5, 5, 5]], seed: 7) { Statistics($0[0]).median })
        XCTAssertEqual(ci.low, 5)
        XCTAssertEqual(ci.high, 5)
    }
}
