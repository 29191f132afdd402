import BatonNet

/// One member of a cluster as the configuration file lists it.
/// Threading: a plain value.
public struct ClusterMember: Sendable, Equatable {
    /// The member's id: unique in the cluster, carried in every datagram it sends.
    public var nodeId: UInt32
    /// UDP address the member receives replication datagrams on.
    public var replicationAddress: IPv4SocketAddress
    /// TCP address clients connect to.
    public var clientAddress: HostAndPort

    public init(nodeId: UInt32, replicationAddress: IPv4SocketAddress, clientAddress: HostAndPort) {
        self.nodeId = nodeId
        self.replicationAddress = replicationAddress
        self.clientAddress = clientAddress
    }
}

extension ClusterMember {
    /// A chain on 127.0.0.1, member `i` with id `i`, receiving replication on
    /// `replicationPorts[i]` and clients on `clientPorts[i]` (port 0, the
    /// kernel's pick, when not given) — the local clusters of `baton
    /// cluster`, `baton bench --embedded` and the tests.
    public static func loopbackChain(replicationPorts: [UInt16], clientPorts: [UInt16]? = nil) -> [ClusterMember] {
        precondition(clientPorts == nil || clientPorts!.count == replicationPorts.count, "one client port per member")
        return replicationPorts.indices.map { index in
            ClusterMember(nodeId: UInt32(index), replicationAddress: IPv4SocketAddress(127, 0, 0, 1, port: replicationPorts[index]),
                          clientAddress: HostAndPort(host: "127.0.0.1", port: clientPorts?[index] ?? 0))
        }
    }
}
