import BenchCore
import CShims

/// A C loop that performs one operation `iterations` times, and its state.
/// Everything between the two clock reads is C: no Swift runs inside an interval.
public struct TimedLoop {
    public let function: cshims_loop_fn
    public let state: UnsafeMutableRawPointer?

    public init(_ function: cshims_loop_fn, _ state: UnsafeMutableRawPointer? = nil) {
        self.function = function
        self.state = state
    }

    /// Runs the loop once, untimed (warming caches, checking it works).
    public func runOnce(_ iterations: UInt64 = 1, name: String) throws {
        let status = function(state, iterations)
        if status != 0 { throw SystemError(name, errno: Errno(status)) }
    }
}

/// Gives `body` a pointer to a heap copy of a C state struct, freed afterwards.
public func withLoopState<State, Result>(_ value: State,
                                         _ body: (UnsafeMutablePointer<State>) throws -> Result) rethrows -> Result {
    let pointer = UnsafeMutablePointer<State>.allocate(capacity: 1)
    pointer.initialize(to: value)
    defer {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
    return try body(pointer)
}
