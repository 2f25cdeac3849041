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
/// The interval spans two moving-block bootstraps, each blind to what the
/// other sees; each replicate takes the median of the drawn pairs' ratios.
/// One draws runs of consecutive rounds, each round with all its pairs: the
/// ratio itself moves from one visit of a benchmark to the next (a new process,
/// new pages, the host's state seconds later), so the pairs of one round are
/// not independent draws (in a TCG guest under `tracing_on`, a cell's
/// per-round medians differed by up to 10% while a round's pairs agreed to
/// 2-3%). The other draws runs of consecutive pairs: from a few rounds, a draw
/// of rounds is too coarse (in a no-op A/B run of six rounds, the rounds'
/// intervals alone left out 1 in 9 of 21 cells). A cell of fewer than
/// `minimumRounds` rounds has the pairs' alone. A difference of terms can come
/// out zero or negative in a single pair; if more than a tenth of the pairs
/// do, the per-pair ratios mean nothing: the slowdown is then the ratio of the
/// sides' values, and its interval that ratio over the same draws (none if a
/// drawn side's value is not positive).
public struct CellPair: Sendable {
    public let off: Cell
    public let on: Cell
    /// The matched blocks, in the order measured (by round, then slot).
    let offBlocks: [Cell.Block]
    let onBlocks: [Cell.Block]
    /// Per pair: the value each side's block gives.
    let pairValues: [(off: Double, on: Double)]
    /// The pairs' indices, one range per round measured, in round order.
    let roundPairs: [Range<Int>]
    /// on/off of each pair whose two values are positive (nan for the others).
    package let pairRatios: [Double]
    /// Whether the per-pair ratios are meaningful (see the type's comment).
    public let isPaired: Bool
    /// The off side's value (`off.value`), kept: every bootstrap draw takes it,
    /// and recomputing it (the median of every series) made the draws several
    /// times slower, the statistics of a run in a TCG guest taking seconds.
    let offValue: Double

    public init(off: Cell, on: Cell) {
        self.off = off
        self.on = on
        var onBlocks: [Int: [Int: Cell.Block]] = [:]
        for block in on.blocks { onBlocks[block.round, default: [:]][block.slot] = block }
        let matched = off.blocks.compactMap { block in onBlocks[block.round]?[block.slot].map { (block, $0) } }
        offBlocks = matched.map(\.0)
        self.onBlocks = matched.map(\.1)
        let estimate = off.estimate
        pairValues = matched.map { (estimate.evaluate($0.0.values), estimate.evaluate($0.1.values)) }
        var ranges: [Range<Int>] = []
        for (index, block) in offBlocks.enumerated() {
            if let last = ranges.last, offBlocks[last.lowerBound].round == block.round {
                ranges[ranges.count - 1] = last.lowerBound..<(index + 1)
            } else {
                ranges.append(index..<(index + 1))
            }
        }
        roundPairs = ranges
        let ratios = pairValues.map { $0.off > 0 && $0.on > 0 && $0.off.isFinite && $0.on.isFinite ? $0.on / $0.off : .nan }
        pairRatios = ratios
        isPaired = ratios.count >= CellPair.minimumPairs
            && Double(ratios.filter(\.isFinite).count) >= CellPair.usableShare * Double(ratios.count)
        offValue = off.value
    }

    public var pairs: Int { pairValues.count }
    /// The rounds that measured the cell on both sides.
    public var rounds: Int { roundPairs.count }

    /// Pairs needed before there is an interval.
    public static let minimumPairs = 3
    /// Rounds needed for the bootstrap to draw rounds: from a few, a draw of
    /// rounds is too coarse to say how much the ratio moves between them.
    public static let minimumRounds = 5
    /// The share of pairs that must have a positive value on both sides.
    static let usableShare = 0.9

    /// on/off of the cell's value, from the pairs (the sides' values when unpaired).
    public var ratio: Double { CellPair.ratio(pooling: [self]) }

    /// on/off of a cell pooled over boots: the median of all the boots' per-pair
    /// ratios together, so that a boot counts by its pairs; unpaired, the
    /// quotient of the sides' values over every boot's blocks (one boot: of its
    /// sides' values).
    package static func ratio(pooling boots: [CellPair]) -> Double {
        if boots.allSatisfy(\.isPaired) { return Statistics.median(of: boots.flatMap { $0.pairRatios.filter(\.isFinite) }) }
        if boots.count == 1 { return boots[0].on.value / boots[0].offValue }
        return sidesRatio(boots.map { ($0, Array($0.offBlocks.indices)) })
    }

    /// on/off of the cell's value over the given blocks of each boot, for
    /// unpaired cells; nan unless both sides' values are positive.
    static func sidesRatio(_ draws: [(pair: CellPair, blocks: [Int])]) -> Double {
        guard let estimate = draws.first?.pair.off.estimate else { return .nan }
        func value(_ side: KeyPath<CellPair, [Cell.Block]>) -> Double {
            var terms = Array(repeating: [Double](), count: estimate.terms.count)
            for (pair, blocks) in draws {
                for i in blocks { for (term, values) in pair[keyPath: side][i].values.enumerated() { terms[term] += values } }
            }
            return estimate.evaluate(terms)
        }
        let (off, on) = (value(\.offBlocks), value(\.onBlocks))
        return off > 0 && on > 0 && off.isFinite && on.isFinite ? on / off : .nan
    }

    /// Larger is slower: on/off for times, off/on for rates; nan unless positive.
    public static func slowdown(ratio: Double, prefersSmaller: Bool) -> Double {
        guard ratio > 0, ratio.isFinite else { return .nan }
        return prefersSmaller ? ratio : 1 / ratio
    }

    public var slowdown: Double { CellPair.slowdown(ratio: ratio, prefersSmaller: off.unit.prefersSmaller) }

    /// What one bootstrap draw resamples: the rounds in moving blocks, each
    /// with all its pairs, or the pairs themselves in moving blocks.
    public enum Draw: Sendable {
        case rounds, pairs

        /// Each draw's seed suffix: the pairs' is the one intervals always had.
        package var seed: String { self == .pairs ? "/paired" : "/paired-rounds" }
    }

    /// The draws whose intervals a cell's interval spans: the rounds' and the
    /// pairs' from `minimumRounds` rounds on, else the pairs' alone.
    public var draws: [Draw] { rounds >= CellPair.minimumRounds ? [.rounds, .pairs] : [.pairs] }

    /// The indices of the pairs of one moving-block draw of the rounds or the pairs.
    func drawPairs(_ generator: inout SplitMix64, _ draw: Draw) -> [Int] {
        var drawn: [Int] = [], scratch: [Int] = []
        drawPairs(&generator, draw, into: &drawn, scratch: &scratch)
        return drawn
    }

    /// The same draw into `drawn`, with `scratch` for the drawn rounds (both
    /// emptied first, their storage kept for the next draw).
    func drawPairs(_ generator: inout SplitMix64, _ draw: Draw, into drawn: inout [Int], scratch: inout [Int]) {
        guard draw == .rounds, rounds >= CellPair.minimumRounds else {
            return BlockBootstrap.draw(pairs, length: BlockBootstrap.blockLength(pairs), &generator, into: &drawn)
        }
        BlockBootstrap.draw(rounds, length: BlockBootstrap.blockLength(rounds), &generator, into: &scratch)
        drawn.removeAll(keepingCapacity: true)
        for round in scratch { drawn += roundPairs[round] }
    }

    /// One draw: the off side's value recomputed from the drawn pairs' off
    /// values (their median), and the ratio: the median of the drawn pairs'
    /// ratios, or unpaired, the quotient of the sides' values over the drawn
    /// blocks (nan when one is not positive).
    func replicate(_ generator: inout SplitMix64, ratios: [Double], withOffValue: Bool, draw: Draw) -> (off: Double, ratio: Double) {
        CellPair.replicate([(self, ratios)], &generator, withOffValue: withOffValue, draw: draw)
    }

    /// One draw of a cell pooled over boots (the boots already drawn, one
    /// entry per draw): a moving-block draw of each boot's rounds or pairs
    /// (its pairs when it has too few rounds), and the median of all the drawn
    /// pairs' ratios together (unpaired: the quotient of the sides' values over
    /// the drawn blocks); the off value is the median over the boots of each
    /// one's drawn off value. One boot: one boot's draw.
    package static func replicate(_ boots: [(pair: CellPair, ratios: [Double])], _ generator: inout SplitMix64,
                          withOffValue: Bool, draw: Draw) -> (off: Double, ratio: Double) {
        let paired = boots.allSatisfy(\.pair.isPaired)
        var picked: [Double] = []
        var offValues: [Double] = []
        var draws: [(pair: CellPair, blocks: [Int])] = []
        for (pair, ratios) in boots {
            let drawn = pair.drawPairs(&generator, draw)
            if paired { for i in drawn where ratios[i].isFinite { picked.append(ratios[i]) } } else { draws.append((pair, drawn)) }
            offValues.append(withOffValue ? Statistics.median(of: drawn.map { pair.pairValues[$0].off }) : pair.offValue)
        }
        let offValue = offValues.count == 1 ? offValues[0] : Statistics.median(of: offValues)
        guard paired else { return (offValue, sidesRatio(draws)) }
        return (offValue, picked.isEmpty ? .nan : Statistics.median(selecting: &picked))
    }

    /// The slowdown's 95% interval: the span of the rounds' and the pairs'
    /// (see the type's comment); nil with fewer than `minimumPairs` pairs, or
    /// when a draw's value is not a positive number.
    public func interval(resamples: Int = Bootstrap.defaultResamples) -> (low: Double, high: Double)? {
        var intervals: [(low: Double, high: Double)] = []
        for draw in draws {
            guard let replicates = slowdownReplicates(draw, resamples: resamples),
                  let interval = Bootstrap.percentileInterval(replicates) else { return nil }
            intervals.append(interval)
        }
        return Bootstrap.span(intervals)
    }

    /// The slowdown over `resamples` draws of one kind; nil with fewer than
    /// `minimumPairs` pairs, or when a draw's value is not a positive number.
    func slowdownReplicates(_ draw: Draw, resamples: Int) -> [Double]? {
        guard pairs >= CellPair.minimumPairs else { return nil }
        var generator = SplitMix64(seed: SplitMix64.seed(off.id + draw.seed))
        var replicates: [Double] = []
        replicates.reserveCapacity(resamples)
        if isPaired {
            // `replicate`'s draws with their buffers kept: a run in a TCG guest
            // takes thousands of these between its passes.
            var drawn: [Int] = [], scratch: [Int] = [], picked: [Double] = []
            for _ in 0..<resamples {
                drawPairs(&generator, draw, into: &drawn, scratch: &scratch)
                picked.removeAll(keepingCapacity: true)
                for i in drawn where pairRatios[i].isFinite { picked.append(pairRatios[i]) }
                let ratio = picked.isEmpty ? Double.nan : Statistics.median(selecting: &picked)
                replicates.append(CellPair.slowdown(ratio: ratio, prefersSmaller: off.unit.prefersSmaller))
            }
        } else {
            for _ in 0..<resamples {
                replicates.append(CellPair.slowdown(ratio: replicate(&generator, ratios: pairRatios, withOffValue: false, draw: draw).ratio,
                                                    prefersSmaller: off.unit.prefersSmaller))
            }
        }
        return replicates.allSatisfy(\.isFinite) ? replicates : nil
    }

    /// The 95% interval of one cell's slowdown over another's (crosscheck: ours
    /// over LMBench's), each measured in its own pairs, in the same rounds: the
    /// two tools measured a cell seconds apart in every round, so what moves the
    /// ratio from one visit to the next (the host's state) moves both and
    /// cancels in their quotient (in a TCG guest under the function tracer,
    /// whose pairs are a round apart, the median half-width went from ±30%
    /// with each tool's pairs drawn across its rounds on their own to ±23% in
    /// the same run; under `tracing_on`, pairs seconds apart, it stayed about
    /// the same). The interval spans two draws that keep the rounds matched.
    /// One draws runs of the rounds both measured, and both cells take those
    /// rounds' pairs. The other keeps every round and draws, within each, runs
    /// of each tool's pairs, independently for the two (their pairs are not
    /// matched). With fewer than `minimumRounds` rounds in common, the
    /// independent draws of each cell's pairs across its rounds.
    package static func slowdownRatioInterval(_ a: CellPair, over b: CellPair,
                                      resamples: Int = Bootstrap.defaultResamples) -> (low: Double, high: Double)? {
        let common = Set(a.roundNumbers).intersection(b.roundNumbers).sorted()
        guard common.count >= CellPair.minimumRounds else {
            guard let x = a.slowdownReplicates(.pairs, resamples: resamples),
                  let y = b.slowdownReplicates(.pairs, resamples: resamples) else { return nil }
            return Bootstrap.percentileInterval(zip(x, y).map { $0 / $1 })
        }
        let (aRounds, bRounds) = (a.roundIndices, b.roundIndices)
        let (aRatios, bRatios) = (a.pairRatios, b.pairRatios)
        // The draws' buffers are kept from one replicate to the next (a TCG guest
        // takes seconds for a table's intervals otherwise).
        var drawnRounds: [Int] = [], aDrawn: [Int] = [], bDrawn: [Int] = [], block: [Int] = [], picked: [Double] = []
        var generator = SplitMix64(seed: SplitMix64.seed(a.off.id + "/ratio-rounds"))
        var rounds: [Double] = []
        for _ in 0..<resamples {
            BlockBootstrap.draw(common.count, length: BlockBootstrap.blockLength(common.count), &generator, into: &drawnRounds)
            aDrawn.removeAll(keepingCapacity: true)
            bDrawn.removeAll(keepingCapacity: true)
            for i in drawnRounds {
                aDrawn += a.roundPairs[aRounds[common[i]]!]
                bDrawn += b.roundPairs[bRounds[common[i]]!]
            }
            rounds.append(a.slowdown(over: aDrawn, ratios: aRatios, picked: &picked)
                / b.slowdown(over: bDrawn, ratios: bRatios, picked: &picked))
        }
        var aGenerator = SplitMix64(seed: SplitMix64.seed(a.off.id + "/ratio-within-rounds"))
        var bGenerator = SplitMix64(seed: SplitMix64.seed(b.off.id + "/ratio-within-rounds/denominator"))
        func drawWithinRounds(_ pair: CellPair, _ index: [Int: Int], _ generator: inout SplitMix64, into drawn: inout [Int]) {
            drawn.removeAll(keepingCapacity: true)
            for round in common {
                let range = pair.roundPairs[index[round]!]
                BlockBootstrap.draw(range.count, length: BlockBootstrap.blockLength(range.count), &generator, into: &block)
                for i in block { drawn.append(range.lowerBound + i) }
            }
        }
        var withinRounds: [Double] = []
        for _ in 0..<resamples {
            drawWithinRounds(a, aRounds, &aGenerator, into: &aDrawn)
            drawWithinRounds(b, bRounds, &bGenerator, into: &bDrawn)
            withinRounds.append(a.slowdown(over: aDrawn, ratios: aRatios, picked: &picked)
                / b.slowdown(over: bDrawn, ratios: bRatios, picked: &picked))
        }
        guard rounds.allSatisfy(\.isFinite), withinRounds.allSatisfy(\.isFinite) else { return nil }
        return Bootstrap.percentileSpan([rounds, withinRounds])
    }

    /// The round of each entry of `roundPairs`, in the same order.
    var roundNumbers: [Int] { roundPairs.map { offBlocks[$0.lowerBound].round } }

    /// Where each round's pairs are in `roundPairs`, by round.
    var roundIndices: [Int: Int] { Dictionary(uniqueKeysWithValues: roundNumbers.enumerated().map { ($1, $0) }) }

    /// The slowdown from the given pairs (repeats allowed): the median of their
    /// ratios, or unpaired the quotient of the sides' values over their blocks.
    func slowdown(over drawn: [Int], ratios: [Double], picked: inout [Double]) -> Double {
        var ratio = Double.nan
        if isPaired {
            picked.removeAll(keepingCapacity: true)
            for i in drawn where ratios[i].isFinite { picked.append(ratios[i]) }
            if !picked.isEmpty { ratio = Statistics.median(selecting: &picked) }
        } else {
            ratio = CellPair.sidesRatio([(self, drawn)])
        }
        return CellPair.slowdown(ratio: ratio, prefersSmaller: off.unit.prefersSmaller)
    }

    /// Half the interval's width relative to the slowdown, with `resamples`
    /// replicates: what --target-ci aims at and what the progress lines show.
    public func precision(resamples: Int = Bootstrap.quickResamples) -> Double? {
        guard let interval = interval(resamples: resamples) else { return nil }
        let value = slowdown
        return value.isFinite && value > 0 ? (interval.high - interval.low) / 2 / value : nil
    }
}
