import BatonMutation

/// A chain member's commit position: durable on every member. The head (no
/// predecessor) folds its own durable position with its successor's
/// chain-durable report (alone, just its own); a follower takes its
/// predecessor's word, clamped to its own durable position. Never past the
/// member's own appended position, never backwards.
///
/// Invariant: `commit` never decreases and never exceeds the appended
/// position last passed in. Threading: owned by one replicator; its thread only.
public struct CommitFold: Sendable {
    public let hasPredecessor: Bool
    public let hasSuccessor: Bool
    public private(set) var commit: Int64
    /// `Mutation.commitMaximum` (simulator only), read once at construction.
    let foldsMaximum = Mutation.commitMaximum.isActive

    public init(hasPredecessor: Bool, hasSuccessor: Bool, start: Int64) {
        self.hasPredecessor = hasPredecessor
        self.hasSuccessor = hasSuccessor
        commit = start
    }

    /// What this member reports upstream as chain-durable: its own durable
    /// position, or the lower of it and the successor's report.
    public func chainDurable(durable: Int64, successorChainDurable: Int64) -> Int64 {
        guard hasSuccessor else { return durable }
        // `Mutation.commitMaximum` (simulator only): the higher instead of the lower, which the
        // head's own durable position then bounds — the head commits what it alone has made durable.
        if foldsMaximum { return min(durable, max(durable, successorChainDurable)) }
        return min(durable, successorChainDurable)
    }

    /// Folds the current positions; true when the commit moved.
    public mutating func advance(durable: Int64, appended: Int64, successorChainDurable: Int64,
                                 predecessorCommit: Int64) -> Bool {
        var candidate = hasPredecessor
            ? min(predecessorCommit, durable)
            : chainDurable(durable: durable, successorChainDurable: successorChainDurable)
        candidate = min(candidate, appended)
        guard candidate > commit else { return false }
        commit = candidate
        assert(commit <= appended && commit <= durable, "commit \(commit) past appended \(appended) or durable \(durable)")
        return true
    }
}
