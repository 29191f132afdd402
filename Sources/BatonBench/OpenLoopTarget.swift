/// What an open-loop run drives: something that accepts messages and later
/// reports their acknowledgements and deliveries. `OpenLoopRunner.run` is
/// generic over it, so each target's calls are static (no existential on
/// the per-message path): `ClientLatencyTarget` for a real broker, a fake
/// in the tests.
///
/// Threading: every call comes from the run's one sender thread.
public protocol OpenLoopTarget {
    /// How many deliveries each message gets (its subscribers); 0 when
    /// delivery is not measured.
    var deliveriesPerMessage: Int { get }

    /// Offers message `index` (0, 1, 2, ... in order), due at
    /// `intendedNanos` and sent now, at `sentNanos`. Returns false when the
    /// target cannot take it yet (back-pressure: it is offered again later);
    /// throws when the target failed. Must not block.
    mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool

    /// Does the target's I/O and reports what completed: acknowledgements
    /// with `completions.acked(through:completedNanos:)` (cumulative, by
    /// index), deliveries with `completions.delivered(...)`. Returns the
    /// work done (0 when nothing happened).
    mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int
}
