import Glibc

/// Order statistics and moments of a set of values. Pure: knows nothing of clocks or output.
public struct Statistics: Equatable, Sendable {
    public let sorted: [Double]

    public init(_ values: [Double]) {
        sorted = values.filter { $0.isFinite }.sorted()
    }

    public var count: Int { sorted.count }
    public var minimum: Double { sorted.first ?? .nan }
    public var maximum: Double { sorted.last ?? .nan }

    /// The middle value (the mean of the two middle values for an even count).
    public var median: Double { Statistics.median(ofSorted: sorted) }

    public var mean: Double {
        sorted.isEmpty ? .nan : sorted.reduce(0, +) / Double(sorted.count)
    }

    /// Sample standard deviation (n - 1).
    public var standardDeviation: Double {
        guard sorted.count > 1 else { return 0 }
        let m = mean
        let sum = sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        return (sum / Double(sorted.count - 1)).squareRoot()
    }

    /// Standard deviation over mean.
    public var coefficientOfVariation: Double {
        let m = mean
        return m == 0 ? .nan : standardDeviation / abs(m)
    }

    /// Percentile p in 0...100, linear interpolation between closest ranks.
    public func percentile(_ p: Double) -> Double {
        Statistics.percentile(ofSorted: sorted, p)
    }

    public static func median(ofSorted values: [Double]) -> Double {
        let n = values.count
        if n == 0 { return .nan }
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
    }

    /// The median of `values` (any order; non-finite values count as they
    /// sort), by selection: linear time, which the bootstraps need (a full
    /// sort of every replicate is what made them slow). Reorders `values`.
    public static func median(selecting values: inout [Double]) -> Double {
        let n = values.count
        guard n > 0 else { return .nan }
        let upper = select(&values, n / 2)
        guard n % 2 == 0 else { return upper }
        // The largest of the lower half, which selection left below index n/2.
        var lower = -Double.infinity
        for i in 0..<(n / 2) where values[i] > lower { lower = values[i] }
        return (lower + upper) / 2
    }

    /// The median of `values` without reordering them.
    public static func median(of values: [Double]) -> Double {
        var copy = values
        return median(selecting: &copy)
    }

    /// Hoare's selection: the k-th smallest, with everything before index k no larger.
    private static func select(_ a: inout [Double], _ k: Int) -> Double {
        var low = 0, high = a.count - 1
        a.withUnsafeMutableBufferPointer { a in
            while low < high {
                let pivot = a[(low + high) / 2]
                var i = low, j = high
                while i <= j {
                    while a[i] < pivot { i += 1 }
                    while a[j] > pivot { j -= 1 }
                    if i <= j {
                        a.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j { high = j } else if k >= i { low = i } else { break }
            }
        }
        return a[k]
    }

    public static func percentile(ofSorted values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let rank = min(max(p, 0), 100) / 100 * Double(values.count - 1)
        let low = Int(rank.rounded(.down))
        let high = min(low + 1, values.count - 1)
        return values[low] + (values[high] - values[low]) * (rank - Double(low))
    }

    /// The 97.5% quantile of Student's t with `df` degrees of freedom (a
    /// two-sided 95% interval), from the usual table; 1.96 beyond 30.
    public static func t975(_ df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        guard df >= 1 else { return .nan }
        return df <= table.count ? table[df - 1] : 1.96
    }

    /// Geometric mean of positive values (nan if any is not positive).
    public static func geometricMean(_ values: [Double]) -> Double {
        guard !values.isEmpty, values.allSatisfy({ $0 > 0 }) else { return .nan }
        return exp(values.reduce(0) { $0 + log($1) } / Double(values.count))
    }
}

/// A small deterministic generator (SplitMix64): the same data gives the same
/// bootstrap intervals on every run and machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A seed from text (FNV-1a), e.g. a cell id.
    public static func seed(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
