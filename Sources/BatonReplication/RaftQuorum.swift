/// The quorum arithmetic of a Raft commit: the highest position durable on at
/// least a majority of members is the majority-th largest of their durable
/// positions. Members are few (at most 7), so an insertion sort in scratch
/// space on the stack (`withUnsafeTemporaryAllocation`: no heap, nothing to
/// own or free) beats anything cleverer.
///
/// A value; any thread.
public struct RaftQuorum: Sendable {
    public let members: Int
    public let majority: Int

    public init(members: Int) {
        precondition(members >= 1, "a quorum of no members")
        self.members = members
        majority = members / 2 + 1
    }

    /// The position durable on a majority, given each member's durable
    /// position (`positions(i)` for i in 0..<members, this member's own included).
    @inline(__always)
    public func position(_ positions: (Int) -> Int64) -> Int64 {
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: members) { scratch in
            for index in 0..<members {
                let value = positions(index)
                var slot = index
                // Descending insertion sort.
                while slot > 0 && scratch[slot &- 1] < value {
                    scratch[slot] = scratch[slot &- 1]
                    slot &-= 1
                }
                scratch[slot] = value
            }
            return scratch[majority &- 1]
        }
    }
}

/// Raft's commit rule on byte positions (§5.4.2): a leader moves its commit
/// to the majority's durable position only once that position is past the
/// first byte of its own term (its marker frame). Bytes of earlier terms
/// commit only under a byte of the current term — counting their replicas
/// alone is the figure-8 bug: a majority may hold an old-term byte that a
/// later leader, elected with a newer last term, still overwrites.
///
/// Stateless; any thread.
public enum RaftCommitRule {
    /// The leader's new commit: `majorityDurable` when it is past `termStart`
    /// and ahead of `current`, else `current`.
    @inline(__always)
    public static func commit(current: Int64, majorityDurable: Int64, termStart: Int64) -> Int64 {
        majorityDurable > termStart && majorityDurable > current ? majorityDurable : current
    }
}
