import BatonLog
import BatonNet
import BatonNode
import BatonReplication

extension ClusterConfigFile {
    /// The replication settings of member `nodeId`: the mode, the members in
    /// file order, UDP settings from `[udp]`, (Raft) election timeouts from
    /// `[raft]` and (a chain with `[failover]` enabled) `failover` and the
    /// configuration log's election timeouts from `[failover]`, each over the
    /// replication layer's default. Without an enabled `[failover]`,
    /// `failover` stays nil: a static chain.
    public func replicationConfiguration(nodeId: UInt32) throws(ConfigError) -> ReplicationConfiguration {
        _ = try member(id: nodeId)
        var members: [ClusterMember] = []
        for (index, member) in self.members.enumerated() {
            let address: IPv4SocketAddress
            do { address = try IPv4SocketAddress(member.replication) } catch {
                throw .invalidValue(.config, key: "member[\(index)].replication", value: "\"\(member.replication)\"",
                                    allowed: "an IPv4 HOST:PORT (\(error))")
            }
            members.append(ClusterMember(nodeId: member.id, replicationAddress: address, clientAddress: member.client))
        }
        let mode: BatonReplication.ReplicationMode = replication == .chain ? .chain : .raft
        var configuration = ReplicationConfiguration(clusterId: clusterId, epoch: epoch, mode: mode, members: members, nodeId: nodeId)
        if let batch = udp.batch { configuration.udpBatch = batch }
        if let mtu = udp.mtu { configuration.mtu = mtu }
        if let bytes = udp.socketBufferBytes { configuration.socketBufferBytes = bytes }
        if let bytes = udp.receiverWindowBytes { configuration.receiverWindowBytes = bytes }
        if let micros = udp.nakDelayMicros { configuration.nakDelayNanos = Int64(micros) * 1_000 }
        if let millis = udp.heartbeatIntervalMillis { configuration.heartbeatIntervalNanos = Int64(millis) * 1_000_000 }
        if let millis = raft?.electionTimeoutMinimumMillis { configuration.electionTimeoutMinimumNanos = Int64(millis) * 1_000_000 }
        if let millis = raft?.electionTimeoutMaximumMillis { configuration.electionTimeoutMaximumNanos = Int64(millis) * 1_000_000 }
        if failoverEnabled, let failover {
            configuration.failover = failover.chainFailoverConfiguration(heartbeatMillis: udp.heartbeatIntervalMillis)
            if let millis = failover.electionTimeoutMinimumMillis { configuration.electionTimeoutMinimumNanos = Int64(millis) * 1_000_000 }
            if let millis = failover.electionTimeoutMaximumMillis { configuration.electionTimeoutMaximumNanos = Int64(millis) * 1_000_000 }
        }
        // `validate()` checked all of this already; a file changed in code since may still fail here.
        do { try configuration.validate() } catch {
            if case let .invalid(key, reason) = error { throw .conflict(.config, key: key, reason: reason) }
        }
        return configuration
    }

    /// Sets member `nodeId`'s identity, client address, data directory and
    /// replication settings in `configuration`; the rest is left as is.
    public func apply(nodeId: UInt32, to configuration: inout NodeConfiguration) throws(ConfigError) {
        let (_, member) = try member(id: nodeId)
        configuration.nodeId = nodeId
        configuration.listen = member.client
        configuration.log.directory = member.data
        if let bytes = log.retentionBytes { configuration.log.retention.maximumBytes = Int64(bytes) }
        if let millis = log.retentionMillis { configuration.log.retention.maximumAgeNanos = Int64(millis) * 1_000_000 }
        configuration.replication = try replicationConfiguration(nodeId: nodeId)
    }

    /// A cluster of `nodes` members on 127.0.0.1 replicating by `replication`,
    /// as `baton cluster` runs it: member i (id i; 0 = a chain's head) listens
    /// for clients on `basePort + i` and for replication on
    /// `basePort + 100 + i`, with its data in `dataDirectory/node-i`;
    /// `failover` is its `[failover]` table (a chain's only).
    public static func localCluster(nodes: Int, basePort: Int, dataDirectory: String, clusterId: UInt64 = 1,
                                    replication: ReplicationMode = .chain, failover: Failover? = nil) -> ClusterConfigFile {
        let members = (0..<nodes).map { index in
            Member(id: UInt32(index),
                   replication: HostAndPort(host: "127.0.0.1", port: UInt16(basePort + 100 + index)),
                   client: HostAndPort(host: "127.0.0.1", port: UInt16(basePort + index)),
                   data: dataDirectory + "/node-\(index)")
        }
        return ClusterConfigFile(clusterId: clusterId, replication: replication, members: members, failover: failover)
    }
}
