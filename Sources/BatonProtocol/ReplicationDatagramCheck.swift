import BatonCodec

/// Why a replication datagram was not applied. Each reason has its own counter.
public enum ReplicationDropReason: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Too short, another schema or version, unknown type, a block length or
    /// datagram length wrong for the type, a negative position, or cut by the socket.
    case malformed = 0
    /// Another cluster's datagram.
    case wrongCluster = 1
    /// An epoch other than this node's (older: a stale member; newer: this
    /// node missed a reconfiguration — it must not apply either).
    case wrongEpoch = 2
    /// From a node id that is not this node's predecessor or successor, or a
    /// message type that peer does not send.
    case notPeer = 3

    public var description: String {
        switch self {
        case .malformed: return "malformed"
        case .wrongCluster: return "wrong-cluster"
        case .wrongEpoch: return "wrong-epoch"
        case .notPeer: return "not-peer"
        }
    }
}

/// The verdict on one datagram's header.
public enum ReplicationDatagramCheck: Equatable, Sendable {
    case valid(ReplicationProtocol.MessageType, fromNode: UInt32)
    case dropped(ReplicationDropReason)

    /// Checks the header of `datagram` against this node's cluster and epoch:
    /// schema id and version, type, block length == the type's, datagram
    /// length == the type's fixed length (Data: at least its header), cluster
    /// id, epoch, positions not negative. Which peer may send which type is
    /// the receiver's check (it knows the chain).
    @inlinable
    public static func check(_ datagram: UnsafeRawBufferPointer, clusterId: UInt64, epoch: UInt32) -> ReplicationDatagramCheck {
        guard let base = datagram.baseAddress, datagram.count >= ReplicationProtocol.headerLength else {
            return .dropped(.malformed)
        }
        let header = ReplicationHeader(UnsafeMutableRawPointer(mutating: base))
        guard header.schemaId == ReplicationProtocol.schemaId, header.version == ReplicationProtocol.version,
              let type = ReplicationProtocol.MessageType(rawValue: header.templateId),
              Int(header.blockLength) == type.blockLength else { return .dropped(.malformed) }
        if type == .data {
            if datagram.count < type.fixedLength { return .dropped(.malformed) }
        } else if datagram.count != type.fixedLength {
            return .dropped(.malformed)
        }
        if header.clusterId != clusterId { return .dropped(.wrongCluster) }
        if header.epoch != epoch { return .dropped(.wrongEpoch) }
        // Positions are never negative.
        if header.int64(at: 24) < 0 { return .dropped(.malformed) }
        if type == .status || type == .nak || type == .heartbeat, header.int64(at: 32) < 0 { return .dropped(.malformed) }
        return .valid(type, fromNode: header.fromNode)
    }
}
