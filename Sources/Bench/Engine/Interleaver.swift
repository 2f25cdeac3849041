import BenchCore
import CShims

/// Flips an A/B run's kernel switch between the recorded intervals of a cell,
/// inside the benchmark's own process, so the two intervals of a pair are
/// milliseconds apart and the host's drift is the same for both. It uses the
/// runner's switch driver (inherited across fork: the flag file's descriptor,
/// the hypercall, the commands); every flip happens between timed regions.
/// A pass starts and ends in `start`, the state the runner left the switch in.
final class Interleaver {
    let driver: SwitchDriver
    let start: SwitchState
    private(set) var state: SwitchState
    private(set) var flips = 0
    private(set) var flipNs: Int64 = 0
    /// Why a flip failed: the switch's state is unknown from then on, every
    /// later flip fails too, and the pass reports it (even if a benchmark
    /// caught the error to go on with its other cells).
    private(set) var failure: SwitchFailure?

    init(driver: SwitchDriver, start: SwitchState) {
        self.driver = driver
        self.start = start
        state = start
    }

    /// The side of the `slot`-th recorded interval: start, other, other, start,
    /// start, other, ... (ABBA): a flip before every odd slot, and each pair
    /// (slots 2k and 2k+1) has one side first in even pairs, the other in odd ones.
    func side(ofSlot slot: Int) -> SwitchState {
        (slot % 4 == 1 || slot % 4 == 2) ? start.other : start
    }

    /// Sets the switch; a failure is a SwitchFailure (the run stops, the runner restores the switch).
    func set(_ target: SwitchState) throws {
        if let failure { throw failure }
        guard target != state else { return }
        let began = cshims_clock_now_ns()
        do { try driver.set(target) } catch {
            failure = SwitchFailure(reason: "\(error)")
            throw failure!
        }
        flipNs += cshims_clock_now_ns() - began
        flips += 1
        state = target
    }
}

/// The switch could not be flipped inside a benchmark: the run stops there.
struct SwitchFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}
