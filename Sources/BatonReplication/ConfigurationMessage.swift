/// A message of the configuration log's protocol, as the protocol object
/// takes and returns it (the caller carries it over the replication socket).
/// Threading: a plain value.
public enum ConfigurationMessage: Equatable, Sendable {
    case voteRequest(ConfigurationVoteRequest)
    case voteResponse(ConfigurationVoteResponse)
    case append(ConfigurationAppend)
    case appendAck(ConfigurationAppendAck)

    /// The member that sent it.
    public var sender: UInt32 {
        switch self {
        case let .voteRequest(request): return request.candidate
        case let .voteResponse(response): return response.voter
        case let .append(append): return append.leaderId
        case let .appendAck(ack): return ack.follower
        }
    }
}
