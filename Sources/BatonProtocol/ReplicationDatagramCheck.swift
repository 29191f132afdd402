import BatonCodec

/// Why a replication datagram was not applied. Each reason has its own counter.
public enum ReplicationDropReason: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// Too short, another schema or version, unknown type, a block length or
    /// datagram length wrong for the type, a negative position (or a Sync's
    /// entries out of order or past its slots), or cut by the socket.
    case malformed = 0
    /// Another cluster's datagram.
    case wrongCluster = 1
    /// An epoch other than this node's (older: a stale member; newer: this
    /// node missed a reconfiguration — it must not apply either). Chain mode
    /// only: Raft's check leaves terms to the replicator.
    case wrongEpoch = 2
    /// From a node id that is not this node's predecessor or successor (in
    /// Raft: not a member), or a message type that peer does not send.
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
    /// id, epoch, no field out of range (`hasInvalidField`); the checksum
    /// trailer first (before any field is believed; Data's covers its fixed
    /// part, not its log bytes). Which peer may send which type is
    /// the receiver's check (it knows the chain). Chain replication's check.
    @inlinable
    public static func check(_ datagram: UnsafeRawBufferPointer, clusterId: UInt64, epoch: UInt32) -> ReplicationDatagramCheck {
        check(datagram, clusterId: clusterId, requiredEpoch: epoch)
    }

    /// The same check without the epoch comparison: Raft's, where the header's
    /// epoch is the sender's term and the replicator compares terms itself (a
    /// higher one moves it to that term, a lower one is answered or ignored,
    /// by type). Never `.dropped(.wrongEpoch)`.
    @inlinable
    public static func check(_ datagram: UnsafeRawBufferPointer, clusterId: UInt64) -> ReplicationDatagramCheck {
        check(datagram, clusterId: clusterId, requiredEpoch: nil)
    }

    /// Both checks' body: `requiredEpoch` nil skips the epoch comparison.
    @inlinable
    static func check(_ datagram: UnsafeRawBufferPointer, clusterId: UInt64, requiredEpoch: UInt32?) -> ReplicationDatagramCheck {
        guard let base = datagram.baseAddress, datagram.count >= ReplicationProtocol.headerLength else {
            return .dropped(.malformed)
        }
        let header = ReplicationHeader(UnsafeMutableRawPointer(mutating: base))
        guard header.schemaId == ReplicationProtocol.schemaId, header.version == ReplicationProtocol.version,
              let type = ReplicationProtocol.MessageType(rawValue: header.templateId),
              Int(header.blockLength) == type.blockLength else { return .dropped(.malformed) }
        if type == .data ? datagram.count < type.fixedLength : datagram.count != type.fixedLength {
            return .dropped(.malformed)
        }
        // Data's trailer covers its fixed part only (its log bytes carry their own frame CRCs).
        if !ReplicationChecksum.isValid(base, length: type.fixedLength) { return .dropped(.badChecksum) }
        if header.clusterId != clusterId { return .dropped(.wrongCluster) }
        if let requiredEpoch, header.epoch != requiredEpoch, !type.crossesEpochs { return .dropped(.wrongEpoch) }
        return hasInvalidField(type, base) ? .dropped(.malformed) : .valid(type, fromNode: header.fromNode)
    }

    /// Whether a field of the message is out of range: a negative position or
    /// length (never valid); for a Sync, also an `entryCount` past its slots
    /// or listed entries whose terms or starts do not strictly increase.
    @inlinable
    static func hasInvalidField(_ type: ReplicationProtocol.MessageType, _ base: UnsafeRawPointer) -> Bool {
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
        case .voteRequest:
            return ReplicationVoteRequest(address).lastPosition < 0
        case .voteResponse, .timeoutNow:
            return false
        case .syncRequest:
            let request = ReplicationSyncRequest(address)
            return request.lastTermStart < 0 || request.endPosition < 0 || request.durablePosition < 0
        case .sync:
            return hasInvalidEntries(ReplicationSync(address))
        case .configAppend:
            let append = ReplicationConfigAppend(address)
            return append.entryMembership.hasInvalidField || append.committedMembership.hasInvalidField
                || append.entryIndex < 1 || append.committedIndex > append.entryIndex
        case .configAppendAck:
            return false
        case .probe:
            return ReplicationProbe.Kind(rawValue: ReplicationProbe(address).kindCode) == nil
        }
    }

    @inlinable
    static func hasNegativeRange<Message: ReplicationRangeMessage>(_ message: Message) -> Bool {
        message.position < 0 || message.length < 0
    }

    /// A Sync's positions negative, its count past its slots, or its listed
    /// entries not strictly increasing in term and in start (the first term
    /// above 0, "no term"): a follower may append them to its term index as they come.
    @inlinable
    static func hasInvalidEntries(_ sync: ReplicationSync) -> Bool {
        guard sync.matchPosition >= 0, sync.validUpTo >= 0, sync.entryCount <= UInt32(ReplicationSync.maximumEntries) else { return true }
        var previousTerm: UInt64 = 0
        var previousStart: Int64 = -1
        for index in 0..<Int(sync.entryCount) {
            let term = sync.entryTerm(at: index)
            let start = sync.entryStart(at: index)
            if start < 0 || start <= previousStart || term <= previousTerm { return true }
            previousTerm = term
            previousStart = start
        }
        return false
    }
}
