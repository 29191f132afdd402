/// How a cluster replicates its log.
public enum ReplicationMode: String, Sendable, CaseIterable {
    /// Chain replication (the default): head orders, every member logs and
    /// forwards, the tail's durable position (folded back up the chain) commits.
    case chain
    /// Raft: not built yet; a configuration naming it is refused at start.
    case raft
}
