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
