import Glibc

/// The moving-block bootstrap of a sequence (Künsch 1989): a replicate of n
/// items is built from blocks of `length` consecutive items, each starting at a
/// uniformly drawn position, so that what neighbouring items share (the host's
/// speed, drifting over seconds) stays inside each block.
public enum BlockBootstrap {
    /// n^(1/3), at least 1: the usual order of block length for a variance or an
    /// interval (Hall, Horowitz and Jing 1995).
    public static func blockLength(_ n: Int) -> Int {
        guard n > 1 else { return 1 }
        return max(1, Int(cbrt(Double(n)).rounded()))
    }

    /// The indices of one replicate of a sequence of `n` items: blocks of
    /// `length` consecutive indices, cut to n in all.
    public static func draw(_ n: Int, length: Int, _ generator: inout SplitMix64) -> [Int] {
        var indices: [Int] = []
        draw(n, length: length, &generator, into: &indices)
        return indices
    }

    /// The same draw into `indices` (emptied first, its storage kept): the
    /// bootstraps of a run's live precision draw thousands of them.
    public static func draw(_ n: Int, length: Int, _ generator: inout SplitMix64, into indices: inout [Int]) {
        indices.removeAll(keepingCapacity: true)
        guard n > 0 else { return }
        let length = min(max(length, 1), n)
        let starts = UInt64(n - length + 1)
        indices.reserveCapacity(n + length)
        while indices.count < n {
            let start = Int(generator.next() % starts)
            indices += start..<(start + length)
        }
        indices.removeLast(indices.count - n)
    }
}
