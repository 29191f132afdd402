/// The safety and liveness properties the simulator checks on every run (the
/// numbering of the simulator's issue).
public enum Invariant: String, Sendable, CaseIterable, CustomStringConvertible {
    /// 1. After faults heal, every acknowledged message is delivered by every member.
    case noAcknowledgedLoss = "no-acknowledged-loss"
    /// 2. The committed prefixes of all members are identical (positions and bytes).
    case identicalCommittedPrefixes = "identical-committed-prefixes"
    /// 3. Commit never goes backwards, never passes what its rule allows, and
    ///    no subscriber is given a byte past commit (nor an ack past commit).
    case commitRule = "commit-rule"
    /// 4. Per producer, one subscription delivers sequences in order, without duplicates or gaps.
    case producerOrder = "producer-order"
    /// 5. At most one leader (head) at a time — per term once terms exist — and a
    ///    member that starts leading holds every committed entry.
    case singleLeader = "single-leader"
    /// 6. Once faults stop, everything offered is committed and delivered within a bounded time.
    case liveness = "liveness"

    public var description: String { rawValue }
}

/// A violated invariant: which, what exactly, and when (simulated nanoseconds).
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    public var invariant: Invariant
    public var detail: String
    public var atNanos: Int64

    public var description: String { "\(invariant) at \(Double(atNanos) / 1e6) ms: \(detail)" }
}
