/// How a cluster replicates its log.
public enum ReplicationMode: String, Sendable, CaseIterable {
    /// Chain replication (the default): head orders, every member logs and
    /// forwards, the tail's durable position (folded back up the chain) commits.
    case chain
    /// Raft: an elected leader orders and streams to every follower; a
    /// majority's durable position commits; a new leader is elected when one fails.
    case raft
}
