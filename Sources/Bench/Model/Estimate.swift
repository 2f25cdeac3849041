/// How a cell's value follows from its series: a linear combination of one
/// statistic (median or minimum) of each series' per-operation time, then either
/// scaled (a time) or put under a numerator (a rate or bandwidth).
public struct Estimate: Equatable, Sendable {
    public enum Statistic: String, Sendable { case median, minimum }

    public struct Term: Equatable, Sendable {
        public var series: String
        public var coefficient: Double
        public var statistic: Statistic
        public init(_ series: String, _ coefficient: Double = 1, _ statistic: Statistic = .median) {
            self.series = series
            self.coefficient = coefficient
            self.statistic = statistic
        }
    }

    public enum Form: Equatable, Sendable {
        /// value = scale × Σ coefficient × statistic (ns → µs: scale 0.001)
        case linear(scale: Double)
        /// value = numerator / Σ coefficient × statistic (bytes/ns × 1000 = MB/s)
        case reciprocal(numerator: Double)
    }

    public var terms: [Term]
    public var form: Form

    public init(terms: [Term], form: Form) {
        self.terms = terms
        self.form = form
    }

    /// Microseconds per operation of one series: LMBench's micro().
    public static func microseconds(_ series: String = "main") -> Estimate {
        Estimate(terms: [Term(series)], form: .linear(scale: 0.001))
    }

    /// 10^6 bytes per second when each operation moves `bytes`.
    public static func megabytesPerSecond(bytes: Double, _ series: String = "main") -> Estimate {
        Estimate(terms: [Term(series)], form: .reciprocal(numerator: bytes * 1000))
    }

    /// Operations per second.
    public static func perSecond(_ series: String = "main") -> Estimate {
        Estimate(terms: [Term(series)], form: .reciprocal(numerator: 1e9))
    }

    /// Each term's statistic of its per-operation times (groups in term order).
    public func termValues(_ groups: [[Double]]) -> [Double] {
        zip(terms, groups).map { term, values in
            term.statistic == .median ? Statistics.median(of: values) : (values.min() ?? .nan)
        }
    }

    /// The value from each term's per-operation times, in term order (any order within a group).
    public func evaluate(_ groups: [[Double]]) -> Double {
        let sum = zip(terms, termValues(groups)).reduce(0.0) { $0 + $1.0.coefficient * $1.1 }
        switch form {
        case .linear(let scale): return scale * sum
        case .reciprocal(let numerator): return numerator / sum
        }
    }
}
