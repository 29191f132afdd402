/// How a member answered a membership change asked by `baton admin` (the
/// `replication.membership.outcome` counter). Only `proposed` changes
/// anything; every other answer names why nothing was proposed.
/// Threading: a plain value.
public enum MembershipChangeOutcome: Int64, Sendable, CustomStringConvertible {
    /// The configuration log's leader proposed the change (epoch in
    /// `replication.membership.proposedEpoch`); it takes effect when committed.
    case proposed = 1
    /// This member does not lead the configuration log (ask its leader,
    /// `replication.configuration.leader`).
    case notLeader = 2
    /// The node is not a member of the cluster file.
    case unknownMember = 3
    /// `add`: the node is in the chain already.
    case alreadyInChain = 4
    /// `remove`: the node is not in the chain (held out, or removed as failed).
    case notInChain = 5
    /// `remove`: the chain would be shorter than its minimum length.
    case belowMinimumLength = 6
    /// An earlier change is not committed yet: ask again.
    case changePending = 7
    /// `add`: the node is outside because it failed, not held out: it rejoins
    /// on its own once it runs (nothing to propose).
    case rejoinsOnItsOwn = 8
    /// The kind is not one this build knows.
    case unknownKind = 9
    /// The configuration log refused the proposal (e.g. the epoch is exhausted).
    case refused = 10

    public var description: String {
        switch self {
        case .proposed: return "proposed"
        case .notLeader: return "this member does not lead the configuration log"
        case .unknownMember: return "no such member in the cluster file"
        case .alreadyInChain: return "already in the chain"
        case .notInChain: return "not in the chain"
        case .belowMinimumLength: return "the chain would be shorter than its minimum length"
        case .changePending: return "an earlier membership change is not committed yet"
        case .rejoinsOnItsOwn: return "not held out: it was removed as failed and rejoins on its own once it runs"
        case .unknownKind: return "unknown kind of change"
        case .refused: return "the configuration log refused the proposal"
        }
    }
}
