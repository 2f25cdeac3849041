/// Percentile bootstrap confidence intervals: for a statistic of one or more
/// independent samples (each resampled with replacement on its own), or of
/// replicates drawn by the caller (resampling blocks that must stay together).
public enum Bootstrap {
    public static let defaultResamples = 1000
    /// Replicates for the decisions taken while a run goes on (where more
    /// intervals go, the live ±): the tables' estimator, fewer replicates.
    public static let quickResamples = 1000

    /// The (1 - alpha) percentile interval of `replicate`, called `resamples` times
    /// with one generator; non-finite replicates are dropped; nil if none is left.
    public static func interval(confidence: Double = 0.95, resamples: Int = defaultResamples, seed: UInt64,
                                replicate: (inout SplitMix64) -> Double) -> (low: Double, high: Double)? {
        var generator = SplitMix64(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let value = replicate(&generator)
            if value.isFinite { estimates.append(value) }
        }
        return percentileInterval(estimates, confidence: confidence)
    }

    /// The central `confidence` share of `values` (any order); nil if empty.
    public static func percentileInterval(_ values: [Double], confidence: Double = 0.95) -> (low: Double, high: Double)? {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return nil }
        let tail = (1 - confidence) / 2 * 100
        return (Statistics.percentile(ofSorted: sorted, tail), Statistics.percentile(ofSorted: sorted, 100 - tail))
    }

    /// The smallest interval holding all of `intervals`; nil for none. For an
    /// estimate whose uncertainty each of two bootstraps sees only part of.
    public static func span(_ intervals: [(low: Double, high: Double)]) -> (low: Double, high: Double)? {
        guard let first = intervals.first else { return nil }
        return intervals.dropFirst().reduce(first) { (min($0.low, $1.low), max($0.high, $1.high)) }
    }

    /// The span of the percentile intervals of each set of replicates; nil if a set has none.
    public static func percentileSpan(_ sets: [[Double]]) -> (low: Double, high: Double)? {
        let intervals = sets.compactMap { percentileInterval($0) }
        return intervals.count == sets.count ? span(intervals) : nil
    }

    /// The (1 - alpha) interval of `statistic` over `groups`; nil if any group is empty.
    public static func interval(groups: [[Double]], confidence: Double = 0.95,
                                resamples: Int = defaultResamples, seed: UInt64,
                                statistic: ([[Double]]) -> Double) -> (low: Double, high: Double)? {
        guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty }) else { return nil }
        var generator = SplitMix64(seed: seed)
        var estimates: [Double] = []
        estimates.reserveCapacity(resamples)
        var scratch = groups
        for _ in 0..<resamples {
            for g in groups.indices {
                let source = groups[g]
                for i in source.indices {
                    scratch[g][i] = source[Int(generator.next() % UInt64(source.count))]
                }
            }
            let value = statistic(scratch)
            if value.isFinite { estimates.append(value) }
        }
        return percentileInterval(estimates, confidence: confidence)
    }
}
