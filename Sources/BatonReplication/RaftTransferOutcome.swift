/// How a member answered a leadership-transfer request (`baton admin
/// transfer-leadership`), stored in the `raft.transfer.outcome` counter next
/// to the request number it answers (`raft.transfer.handled`).
public enum RaftTransferOutcome: Int64, Sendable, CustomStringConvertible {
    /// TimeoutNow went to the target, whose log held everything this leader
    /// had appended: it stands at once and the old leader steps down on its
    /// vote request (one round trip, no election timeout).
    case handedOver = 1
    /// This member does not lead (`raft.leader` names the one that does, if known).
    case notLeader = 2
    /// The target named is not another member of the cluster.
    case unknownTarget = 3
    /// No follower (or not the one named) held the whole log within one
    /// minimum election timeout; the leader resumed ordering.
    case targetBehind = 4

    public var description: String {
        switch self {
        case .handedOver: return "handed over"
        case .notLeader: return "this member does not lead"
        case .unknownTarget: return "no such member to hand over to"
        case .targetBehind: return "the target did not catch up within an election timeout; the leader resumed"
        }
    }
}
