/// A Raft member's role.
public enum RaftRole: Int64, Sendable, CustomStringConvertible {
    /// Follows the leader of its term (or waits to hear one).
    case follower = 0
    /// Asking for pre-votes: would it win an election? Its term is unchanged.
    case preCandidate = 1
    /// Asking for votes in a term it started.
    case candidate = 2
    /// Orders publishes and replicates them for its term.
    case leader = 3

    /// The value stored in the `replication.role` counter (after the chain's codes 0–3).
    public var code: Int64 { 10 &+ rawValue }

    public init?(code: Int64) { self.init(rawValue: code &- 10) }

    public var description: String {
        switch self {
        case .follower: return "follower"
        case .preCandidate: return "pre-candidate"
        case .candidate: return "candidate"
        case .leader: return "leader"
        }
    }
}
