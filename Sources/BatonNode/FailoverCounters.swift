import BatonReplication
import BatonRing

/// What a chain member with failover adds to its counters file for `baton
/// stat`, beside `ReplicationCounters`' live `replication.configuration.*`,
/// `replication.fenced` and `replication.failureDetector.failed`: its
/// settings, set once at start. `replication.failover.minimumLength` is the
/// minimum chain length; `replication.failover.member.<i>` is the id of the
/// member at index `i` of the cluster file (the bits of
/// `replication.failureDetector.failed` are those indexes). A member
/// without failover has none of them, so their presence says it runs failover.
///
/// Stateless; `publish` runs on the node's set-up thread.
public enum FailoverCounters {
    public static let minimumLengthLabel = "replication.failover.minimumLength"
    public static let memberLabelPrefix = "replication.failover.member."
    /// This member's own node id.
    public static let selfLabel = "replication.failover.self"

    public static func memberLabel(index: Int) -> String { memberLabelPrefix + String(index) }

    /// Allocates and sets the counters for `replication` (its members in cluster-file order).
    static func publish(_ replication: ReplicationConfiguration, failover: ChainFailoverConfiguration,
                        allocate: (String) -> PositionCounter) {
        allocate(minimumLengthLabel).setRelease(Int64(failover.minimumLength))
        allocate(selfLabel).setRelease(Int64(replication.nodeId))
        for (index, member) in replication.members.enumerated() {
            allocate(memberLabel(index: index)).setRelease(Int64(member.nodeId))
        }
    }

    /// The member ids by cluster-file index, from a counters snapshot (label
    /// → value); empty when the member has no failover.
    public static func memberIds(_ values: [String: Int64]) -> [Int64] {
        var ids: [Int64] = []
        while let id = values[memberLabel(index: ids.count)] { ids.append(id) }
        return ids
    }
}
