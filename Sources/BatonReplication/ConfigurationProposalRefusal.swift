/// Why a `ConfigurationLog` refused to propose a membership.
/// Threading: a plain value.
public enum ConfigurationProposalRefusal: Equatable, Sendable, CustomStringConvertible {
    /// Only the leader proposes; `leaderId` is the leader this member knows, if any.
    case notLeader(leaderId: UInt32?)
    /// The leader's last entry (`index`) is not committed yet: one change at a time.
    case uncommittedEntry(index: UInt64)
    /// A change has the committed epoch + 1 (`expected` is wider than an
    /// epoch: after epoch `UInt32.max` no change can follow).
    case wrongEpoch(proposed: UInt32, expected: UInt64)
    /// A chain member must be one of the configured voters.
    case notAVoter(nodeId: UInt32)

    public var description: String {
        switch self {
        case let .notLeader(leaderId):
            return "not the configuration leader (the leader is \(leaderId.map { "node \($0)" } ?? "unknown"))"
        case let .uncommittedEntry(index):
            return "entry \(index) is not committed yet: one change at a time"
        case let .wrongEpoch(proposed, expected):
            return "epoch \(proposed) proposed, the next is \(expected)"
        case let .notAVoter(nodeId):
            return "node \(nodeId) is not a configured member"
        }
    }
}
