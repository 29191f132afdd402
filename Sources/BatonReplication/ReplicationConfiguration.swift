import BatonNet

/// Everything a member needs to take part in chain replication: the cluster
/// (id, epoch, members in chain order), which member this node is, and the
/// UDP transport's limits.
///
/// Invariant after `validate()`: `members` is non-empty, ids and replication
/// addresses are unique, `nodeId` is one of them, every limit is in range.
/// Threading: a plain value; build it on one thread and hand it to the node.
public struct ReplicationConfiguration: Sendable, Equatable {
    /// Identifies the cluster; a datagram with another id is dropped.
    public var clusterId: UInt64
    /// The configuration epoch; a datagram of another epoch is dropped.
    /// Static membership in this version: every member starts with the same epoch.
    public var epoch: UInt32
    public var mode: ReplicationMode
    /// The chain in order: head first, tail last.
    public var members: [ClusterMember]
    /// This node's id (one of `members`).
    public var nodeId: UInt32
    /// Datagrams per `sendmmsg`/`recvmmsg`.
    public var udpBatch: Int = 64
    /// Largest datagram in bytes (header included). 1,472 fits an Ethernet MTU;
    /// loopback and jumbo-frame networks can use up to 65,507.
    public var mtu: Int = 8_192
    /// `SO_SNDBUF`/`SO_RCVBUF` requested for the replication socket (a warning
    /// is logged when the kernel caps it lower).
    public var socketBufferBytes: Int = 4 << 20
    /// How far past its received position a member lets its predecessor send.
    public var receiverWindowBytes: Int = 4 << 20
    /// A gap must persist this long before the first Nak (reordering usually
    /// fills it first); later Naks for the same gap back off, doubling up to
    /// `heartbeatIntervalNanos`.
    public var nakDelayNanos: Int64 = 200_000
    /// Heartbeats (and Status when nothing changes) go out at least this often;
    /// a successor that has not acknowledged sent data for 4 intervals gets it again.
    public var heartbeatIntervalNanos: Int64 = ReplicationConfiguration.defaultHeartbeatIntervalNanos
    /// Raft: a follower that hears no leader for a timeout drawn uniformly
    /// from this range stands for election (after a pre-vote); a leader that
    /// has not heard from a majority for the minimum steps down.
    public var electionTimeoutMinimumNanos: Int64 = ReplicationConfiguration.defaultElectionTimeoutMinimumNanos
    public var electionTimeoutMaximumNanos: Int64 = ReplicationConfiguration.defaultElectionTimeoutMaximumNanos

    /// Chain mode: automatic failover (a configuration log among the members
    /// and a failure detector); nil keeps the chain as the cluster file lists it.
    public var failover: ChainFailoverConfiguration?

    /// The election timeout range a Raft member uses unless told otherwise
    /// (150–300 ms, the Raft paper's; the cluster file's `[raft]` defaults).
    public static let defaultElectionTimeoutMinimumNanos: Int64 = 150_000_000
    public static let defaultElectionTimeoutMaximumNanos: Int64 = 300_000_000
    /// The heartbeat interval unless told otherwise (the cluster file's `udp.heartbeat_interval_ms` default).
    public static let defaultHeartbeatIntervalNanos: Int64 = 10_000_000

    public init(clusterId: UInt64, epoch: UInt32 = 1, mode: ReplicationMode = .chain, members: [ClusterMember], nodeId: UInt32) {
        self.clusterId = clusterId
        self.epoch = epoch
        self.mode = mode
        self.members = members
        self.nodeId = nodeId
    }

    /// This node's index in the chain (0 = head).
    public var chainIndex: Int? { members.firstIndex { $0.nodeId == nodeId } }

    /// The member before this one (nil for the head).
    public var predecessor: ClusterMember? {
        guard let index = chainIndex, index > 0 else { return nil }
        return members[index - 1]
    }

    /// The member after this one (nil for the tail).
    public var successor: ClusterMember? {
        guard let index = chainIndex, index + 1 < members.count else { return nil }
        return members[index + 1]
    }

    /// This member's role, for logs and `baton stat`.
    public var role: ChainRole {
        guard let index = chainIndex else { return .single }
        if members.count == 1 { return .single }
        if index == 0 { return .head }
        return index == members.count - 1 ? .tail : .middle
    }

    /// Checks every value; the error names the key and what is allowed.
    public func validate() throws(ReplicationConfigurationError) {
        if mode == .raft && (members.count % 2 == 0 || members.count > 7) {
            throw .invalid(key: "member", reason: "\(members.count) members: a Raft cluster has an odd number of members, at most 7 (3 or 5 usually)")
        }
        if clusterId == 0 { throw .invalid(key: "cluster_id", reason: "must be at least 1") }
        if epoch == 0 { throw .invalid(key: "epoch", reason: "must be at least 1") }
        if members.isEmpty || members.count > 16 {
            throw .invalid(key: "member", reason: "\(members.count) members: a chain has 1 to 16")
        }
        for (index, member) in members.enumerated() {
            for other in members[(index + 1)...] {
                if other.nodeId == member.nodeId {
                    throw .invalid(key: "member.id", reason: "id \(member.nodeId) appears twice")
                }
                if other.replicationAddress == member.replicationAddress {
                    throw .invalid(key: "member.replication", reason: "\(member.replicationAddress) appears twice")
                }
            }
        }
        if chainIndex == nil {
            throw .invalid(key: "node", reason: "node \(nodeId) is not a member (members: \(members.map { String($0.nodeId) }.joined(separator: ", ")))")
        }
        if udpBatch < 1 || udpBatch > 1024 { throw .invalid(key: "udp.batch", reason: "\(udpBatch) must be 1 to 1024") }
        if mtu < 576 || mtu > 65_507 { throw .invalid(key: "udp.mtu", reason: "\(mtu) must be 576 to 65507") }
        if socketBufferBytes < 64 << 10 || socketBufferBytes > 1 << 30 {
            throw .invalid(key: "udp.socket_buffer_bytes", reason: "\(socketBufferBytes) must be 64 KiB to 1 GiB")
        }
        if receiverWindowBytes < 64 << 10 || receiverWindowBytes > 1 << 30 {
            throw .invalid(key: "udp.receiver_window_bytes", reason: "\(receiverWindowBytes) must be 64 KiB to 1 GiB")
        }
        if nakDelayNanos < 1_000 || nakDelayNanos > 1_000_000_000 {
            throw .invalid(key: "udp.nak_delay_us", reason: "must be 1 µs to 1 s")
        }
        if heartbeatIntervalNanos < 1_000_000 || heartbeatIntervalNanos > 10_000_000_000 {
            throw .invalid(key: "udp.heartbeat_interval_ms", reason: "must be 1 ms to 10 s")
        }
        if let failover {
            if mode == .raft { throw .invalid(key: "failover", reason: "automatic failover is chain replication's; Raft elects its leader itself") }
            try failover.validate()
        }
        if mode == .raft || failover != nil {
            // The cluster file's table that sets them: [raft], or a chain's [failover] (its configuration log's elections).
            let table = mode == .raft ? "raft" : "failover"
            if electionTimeoutMinimumNanos < 3 * heartbeatIntervalNanos || electionTimeoutMinimumNanos > 60_000_000_000 {
                throw .invalid(key: "\(table).election_timeout_min_ms", reason: "must be at least 3 heartbeat intervals and at most 60 s")
            }
            if electionTimeoutMaximumNanos < electionTimeoutMinimumNanos || electionTimeoutMaximumNanos > 120_000_000_000 {
                throw .invalid(key: "\(table).election_timeout_max_ms", reason: "must be at least the minimum and at most 120 s")
            }
        }
    }
}

/// A member's place in the chain.
public enum ChainRole: String, Sendable {
    /// Orders publishes; sends to its successor; acks publishers at the commit position.
    case head
    /// Receives from its predecessor, logs, forwards to its successor.
    case middle
    /// Receives and logs; its durable position starts the commit fold.
    case tail
    /// A chain of one: head and tail at once.
    case single
    /// Removed from the chain by a reconfiguration: replicates and commits nothing.
    case outside

    /// The value stored in the `replication.role` counter.
    public var code: Int64 {
        switch self {
        case .single: return 0
        case .head: return 1
        case .middle: return 2
        case .tail: return 3
        case .outside: return 4
        }
    }

    public init?(code: Int64) {
        switch code {
        case 0: self = .single
        case 1: self = .head
        case 2: self = .middle
        case 3: self = .tail
        case 4: self = .outside
        default: return nil
        }
    }
}

/// A replication setting that is out of range or inconsistent.
public enum ReplicationConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(key: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(key, reason): return "replication setting '\(key)': \(reason)"
        }
    }
}
