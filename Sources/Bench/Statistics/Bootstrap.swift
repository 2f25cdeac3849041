/// Percentile bootstrap confidence intervals for a statistic of one or more
/// independent samples (each resampled with replacement on its own).
public enum Bootstrap {
    public static let defaultResamples = 1000

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
        guard !estimates.isEmpty else { return nil }
        estimates.sort()
        let tail = (1 - confidence) / 2 * 100
        return (Statistics.percentile(ofSorted: estimates, tail),
                Statistics.percentile(ofSorted: estimates, 100 - tail))
    }
}
