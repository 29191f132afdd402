/// A clock that moves only when told: for tests and the deterministic
/// simulator, where time is an input. Starts at monotonic 1 s and the wall
/// time given (default: the real wall clock when made).
///
/// Invariant: `monotonic` never decreases (`advance` takes no negative step).
/// Threading: one thread at a time (the test's or the simulator's); not for
/// agents on runners of their own.
public final class ManualClock: NanoClock, @unchecked Sendable {
    public private(set) var monotonic: Int64
    public private(set) var wall: Int64

    public init(monotonic: Int64 = 1_000_000_000, wall: Int64 = SystemClock().wallNanos()) {
        self.monotonic = monotonic
        self.wall = wall
    }

    public func monotonicNanos() -> Int64 { monotonic }
    public func wallNanos() -> Int64 { wall }

    /// Moves both clocks forward by `nanos`.
    public func advance(nanos: Int64) {
        precondition(nanos >= 0, "a clock does not go back (\(nanos) ns)")
        monotonic += nanos
        wall += nanos
    }
}
