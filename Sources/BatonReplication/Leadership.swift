/// Whether a member may order publishes now, as its replicator sees it.
public enum Leadership: Int64, Sendable, CustomStringConvertible {
    /// Not yet known, or not yet safe (a restarted chain head taking back its
    /// successor's log; a Raft candidate): take nothing from the ingress ring.
    case waiting = 0
    /// This member orders: it is the single node, the chain head, the Raft leader.
    case leading = 1
    /// Another member orders: refuse publishes with `notLeader`, naming it.
    case following = 2
    /// This member heads a chain shorter than its minimum length: refuse
    /// publishes with `notEnoughReplicas` (an acknowledged message must be
    /// durable on at least the minimum number of members).
    case tooFewReplicas = 3

    public var description: String {
        switch self {
        case .waiting: return "waiting"
        case .leading: return "leading"
        case .following: return "following"
        case .tooFewReplicas: return "too few replicas"
        }
    }
}
