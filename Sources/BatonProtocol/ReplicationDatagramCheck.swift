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
    /// The checksum trailer does not match the message's bytes (damaged on the way).
    case badChecksum = 4

    public var description: String {
        switch self {
        case .malformed: return "malformed"
        case .wrongCluster: return "wrong-cluster"
        case .wrongEpoch: return "wrong-epoch"
        case .notPeer: return "not-peer"
        case .badChecksum: return "bad-checksum"
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
    /// id, epoch, no negative position or length field; for every type but
    /// Data, the checksum trailer first (before any field is believed). Which peer may send which type is
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
        } else if !ReplicationChecksum.isValid(base, length: datagram.count) {
            return .dropped(.badChecksum)
        }
        if header.clusterId != clusterId { return .dropped(.wrongCluster) }
        if header.epoch != epoch { return .dropped(.wrongEpoch) }
        return hasNegativePosition(type, base) ? .dropped(.malformed) : .valid(type, fromNode: header.fromNode)
    }

    /// Whether a position or length field of the message is negative (never valid).
    @inlinable
    static func hasNegativePosition(_ type: ReplicationProtocol.MessageType, _ base: UnsafeRawPointer) -> Bool {
        let address = UnsafeMutableRawPointer(mutating: base)
        switch type {
        case .data:
            return ReplicationData(address).position < 0
        case .status:
            let status = ReplicationStatus(address)
            return status.receivedPosition < 0 || status.durablePosition < 0
                || status.chainDurablePosition < 0 || status.windowBytes < 0
        case .nak:
            return hasNegativeRange(ReplicationNak(address))
        case .commit:
            return ReplicationCommit(address).commitPosition < 0
        case .heartbeat:
            let heartbeat = ReplicationHeartbeat(address)
            return heartbeat.sentPosition < 0 || heartbeat.commitPosition < 0
        case .pull:
            return hasNegativeRange(ReplicationPull(address))
        }
    }

    @inlinable
    static func hasNegativeRange<Message: ReplicationRangeMessage>(_ message: Message) -> Bool {
        message.position < 0 || message.length < 0
    }
}
