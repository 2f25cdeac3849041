/// One cell of an A/B run with both its sides, for its slowdown (larger is
/// always slower: on/off for a time, off/on for a rate).
///
/// A pair is a block of intervals of one side and the block the other side
/// recorded in the same round and slot (`Cell.blocks`): milliseconds apart in
/// an interleaved run, a benchmark pass or a round apart otherwise. Every term
/// of a difference (a handler and what is subtracted) is in the same block, so
/// it is paired too. Each pair gives the cell's value on each side (the
/// estimate over the block's intervals) and their ratio.
///
/// The slowdown is the median of the per-pair ratios, not the ratio of the two
/// sides' values: this host changes a vCPU's speed by up to 2x for seconds, so
/// each side's intervals mix fast and slow phases, and the two sides' medians
/// can fall in different phases however closely the pairs were taken; a
/// pair's ratio cancels the phase it was taken in. (Measured in a TCG guest,
/// 256 pairs of null calls under `tracing_on`: the ratio of the medians 3.22
/// [3.05, 3.39], the median of the ratios 3.13 with an interval a third as
/// wide.) The tables print each side's own value (LMBench's median) next to
/// it, so their quotient can differ from the slowdown by the drift it removes.
///
/// The interval is a moving-block bootstrap over the pairs in the order they
/// were measured: each replicate draws runs of consecutive pairs (what
/// neighbouring pairs share stays together) and takes the median of their
/// ratios. A difference of terms can come out zero or negative in a single
/// pair; if more than a tenth of the pairs do, the per-pair ratios mean
/// nothing: the slowdown is then the ratio of the sides' values, with no interval.
public struct CellPair: Sendable {
    public let off: Cell
    public let on: Cell
    /// Per pair, in the order measured: the value each side's block gives.
    let pairValues: [(off: Double, on: Double)]

    public init(off: Cell, on: Cell) {
        self.off = off
        self.on = on
        var onBlocks: [Int: [Int: Cell.Block]] = [:]
        for block in on.blocks { onBlocks[block.round, default: [:]][block.slot] = block }
        let estimate = off.estimate
        pairValues = off.blocks.compactMap { block in
            onBlocks[block.round]?[block.slot].map { (estimate.evaluate(block.values), estimate.evaluate($0.values)) }
        }
    }

    public var pairs: Int { pairValues.count }

    /// Pairs needed before there is an interval.
    public static let minimumPairs = 3
    /// The share of pairs that must have a positive value on both sides.
    static let usableShare = 0.9

    /// on/off of each pair whose two values are positive (nan for the others).
    var pairRatios: [Double] {
        pairValues.map { $0.off > 0 && $0.on > 0 && $0.off.isFinite && $0.on.isFinite ? $0.on / $0.off : .nan }
    }

    /// Whether the per-pair ratios are meaningful (see the type's comment).
    public var isPaired: Bool {
        pairs >= CellPair.minimumPairs
            && Double(pairRatios.filter(\.isFinite).count) >= CellPair.usableShare * Double(pairs)
    }

    /// on/off of the cell's value, from the pairs (the sides' values when unpaired).
    public var ratio: Double {
        guard isPaired else { return on.value / off.value }
        return CellPair.ratio(pooling: [self])
    }

    /// on/off of a cell pooled over boots (each `isPaired`): the median of all
    /// the boots' per-pair ratios together, so that a boot counts by its pairs.
    static func ratio(pooling boots: [CellPair]) -> Double {
        Statistics.median(of: boots.flatMap { $0.pairRatios.filter(\.isFinite) })
    }

    /// Larger is slower: on/off for times, off/on for rates; nan unless positive.
    public static func slowdown(ratio: Double, prefersSmaller: Bool) -> Double {
        guard ratio > 0, ratio.isFinite else { return .nan }
        return prefersSmaller ? ratio : 1 / ratio
    }

    public var slowdown: Double { CellPair.slowdown(ratio: ratio, prefersSmaller: off.unit.prefersSmaller) }

    /// One moving-block draw of the pairs: the off side's value recomputed from
    /// the drawn pairs' off blocks' values (their median), and the median of
    /// their ratios. Only while `isPaired`.
    func replicate(_ generator: inout SplitMix64, ratios: [Double], withOffValue: Bool) -> (off: Double, ratio: Double) {
        CellPair.replicate([(self, ratios)], &generator, withOffValue: withOffValue)
    }

    /// One draw of a cell pooled over boots (the boots already drawn, one
    /// entry per draw): a moving-block draw of each boot's pairs, and the
    /// median of all the drawn ratios together; the off value is the median
    /// over the boots of each one's drawn off value. One boot: one boot's draw.
    static func replicate(_ boots: [(pair: CellPair, ratios: [Double])], _ generator: inout SplitMix64,
                          withOffValue: Bool) -> (off: Double, ratio: Double) {
        var picked: [Double] = []
        var offValues: [Double] = []
        for (pair, ratios) in boots {
            let drawn = BlockBootstrap.draw(ratios.count, length: BlockBootstrap.blockLength(ratios.count), &generator)
            picked.reserveCapacity(picked.count + drawn.count)
            for i in drawn where ratios[i].isFinite { picked.append(ratios[i]) }
            offValues.append(withOffValue ? Statistics.median(of: drawn.map { pair.pairValues[$0].off }) : pair.off.value)
        }
        let offValue = offValues.count == 1 ? offValues[0] : Statistics.median(of: offValues)
        return (offValue, picked.isEmpty ? .nan : Statistics.median(selecting: &picked))
    }

    /// The slowdown's 95% interval; nil with fewer than `minimumPairs` pairs or
    /// when the per-pair ratios are not meaningful.
    public func interval(resamples: Int = Bootstrap.defaultResamples) -> (low: Double, high: Double)? {
        guard isPaired else { return nil }
        let ratios = pairRatios
        var generator = SplitMix64(seed: SplitMix64.seed(off.id + "/paired"))
        let replicates = (0..<resamples).map { _ in
            CellPair.slowdown(ratio: replicate(&generator, ratios: ratios, withOffValue: false).ratio,
                              prefersSmaller: off.unit.prefersSmaller)
        }
        return Bootstrap.percentileInterval(replicates)
    }

    /// Half the interval's width relative to the slowdown, with `resamples`
    /// replicates: what --target-ci aims at and what the progress lines show.
    public func precision(resamples: Int = Bootstrap.quickResamples) -> Double? {
        guard let interval = interval(resamples: resamples) else { return nil }
        let value = slowdown
        return value.isFinite && value > 0 ? (interval.high - interval.low) / 2 / value : nil
    }
}
