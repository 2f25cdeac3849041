import BenchCore

/// Work another tool does in the same passes as ours: `crosscheck`'s LMBench
/// programs, measured right after ours measured the same benchmark, in the
/// same round and switch state, so that both tools see the same phase of the
/// host and one scheduler (and one switch controller) serves both.
package protocol PassCompanion: AnyObject {
    /// After ours measured `benchmark` in `round` (counted over the run).
    /// `state` is the switch's state (off without a switch). When `interleaved`,
    /// the companion takes its own pairs, flipping between its measurements with
    /// `flip` (false: the switch failed and the run stops); otherwise it
    /// measures in `state` only, as ours just did.
    func visit(_ benchmark: Benchmark, round: Int, state: SwitchState, interleaved: Bool, flip: (SwitchState) -> Bool)
}
