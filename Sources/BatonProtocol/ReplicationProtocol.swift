import BatonCodec

/// Constants of the replication protocol (UDP, node to node, schema 2). Every
/// datagram starts with the common 8-byte SBE-style message header (block
/// length, template = message type, schema id 2, version 6) followed by the
/// cluster id, the epoch and the sending member's id (`ReplicationHeader`);
/// the type's fields follow, read and written through one flyweight per type
/// (`ReplicationData`, `ReplicationStatus`, `ReplicationNak`,
/// `ReplicationCommit`, `ReplicationHeartbeat`, `ReplicationPull`,
/// `ReplicationVoteRequest`, `ReplicationVoteResponse`,
/// `ReplicationSyncRequest`, `ReplicationSync`), each naming its field
/// offsets. Byte layouts are in docs/PROTOCOL.md ("Replication protocol").
///
/// Version 6: Data's fixed part (position, sender incarnation) ends with a
/// checksum trailer too; a chain member's Nak names one hole, `[position, position +
/// length)` from any byte position, and the predecessor resends only those
/// bytes (selective repeat; Raft's Nak keeps the go-back-N meaning).
/// Version 5 adds the chain's configuration log and failure detector
/// (types 12–14: ConfigAppend, ConfigAppendAck, Probe); in chain mode
/// VoteRequest and VoteResponse are the configuration log's elections, and
/// they and the ConfigAppends carry the configuration term in the header's
/// `epoch`. Version 4 adds Raft's messages (types 7–10: VoteRequest, VoteResponse,
/// SyncRequest, Sync); in Raft mode the header's `epoch` carries the sender's
/// term. Version 3 ends every message but Data with a CRC32C of its bytes
/// (the checksum trailer, `ReplicationChecksum`): a position flipped on the
/// wire must not move a commit (Data's log bytes carry their own frame CRCs
/// and positions). Version 2 gave the pull its own type (6); version 1 sent
/// it as a Nak travelling the other way.
public enum ReplicationProtocol {
    /// `MessageHeader.schemaId` of every replication datagram.
    public static let schemaId: UInt16 = 2
    /// The schema version this build speaks; another version is malformed.
    public static let version: UInt16 = 6
    /// Bytes of the message header plus the common fields.
    public static let headerLength = 24
    /// Where a Data datagram's log bytes start (header, common fields,
    /// position), 32-byte aligned like log frames.
    public static let dataBytesOffset = ReplicationData.bytesOffset

    /// The message types (the header's `templateId`).
    public enum MessageType: UInt16, Sendable, CaseIterable, CustomStringConvertible {
        /// Predecessor → successor: log bytes at a position.
        case data = 1
        /// Successor → predecessor: received, durable and chain-durable positions and the receive window.
        case status = 2
        /// Successor → predecessor: resend from a position.
        case nak = 3
        /// Predecessor → successor: the commit position.
        case commit = 4
        /// Predecessor → successor when idle: how far the sender has sent, and the commit position.
        case heartbeat = 5
        /// A restarted head → its successor: send your log back from a position.
        case pull = 6
        /// Raft, a candidate → every other voter: vote for me (or, pre-vote: would you?).
        case voteRequest = 7
        /// Raft, a voter → the candidate: granted or not.
        case voteResponse = 8
        /// Raft, a follower → its leader: my last term, where it starts, my end.
        case syncRequest = 9
        /// Raft, the leader → a follower: where your log agrees with mine, and my term starts from there.
        case sync = 10
        /// Raft leader → a follower: stand for election now (a leadership hand-over).
        case timeoutNow = 11
        /// Chain, the configuration log's leader → a member: its last entry and commit (also its heartbeat).
        case configAppend = 12
        /// Chain, a member → the configuration log's leader: the entry it holds.
        case configAppendAck = 13
        /// Chain, any member → any member: the failure detector's probe, answer or indirect-probe request.
        case probe = 14

        /// Whether the header's `epoch` is not the chain's epoch (the
        /// configuration log's term, or informational): chain mode does not
        /// drop these for an epoch other than its own.
        public var crossesEpochs: Bool {
            switch self {
            case .voteRequest, .voteResponse, .configAppend, .configAppendAck, .probe: return true
            case .data, .status, .nak, .commit, .heartbeat, .pull, .syncRequest, .sync, .timeoutNow: return false
            }
        }

        /// The exact datagram length of each fixed-size type (Data: the least).
        public var fixedLength: Int {
            switch self {
            case .data: return ReplicationData.encodedLength
            case .status: return ReplicationStatus.encodedLength
            case .nak: return ReplicationNak.encodedLength
            case .commit: return ReplicationCommit.encodedLength
            case .heartbeat: return ReplicationHeartbeat.encodedLength
            case .pull: return ReplicationPull.encodedLength
            case .voteRequest: return ReplicationVoteRequest.encodedLength
            case .voteResponse: return ReplicationVoteResponse.encodedLength
            case .syncRequest: return ReplicationSyncRequest.encodedLength
            case .sync: return ReplicationSync.encodedLength
            case .timeoutNow: return ReplicationTimeoutNow.encodedLength
            case .configAppend: return ReplicationConfigAppend.encodedLength
            case .configAppendAck: return ReplicationConfigAppendAck.encodedLength
            case .probe: return ReplicationProbe.encodedLength
            }
        }

        /// The header's `blockLength`: every byte after the 8-byte message header
        /// up to the variable part (Data: up to its log bytes), the checksum trailer included.
        public var blockLength: Int { fixedLength - 8 }

        /// Whether the message's fixed part ends with a checksum trailer:
        /// every type (Data's since version 6: its position and sender
        /// incarnation; its log bytes carry their own frame CRCs).
        public var hasChecksum: Bool { true }

        public var description: String {
            switch self {
            case .data: return "Data"
            case .status: return "Status"
            case .nak: return "Nak"
            case .commit: return "Commit"
            case .heartbeat: return "Heartbeat"
            case .pull: return "Pull"
            case .voteRequest: return "VoteRequest"
            case .voteResponse: return "VoteResponse"
            case .syncRequest: return "SyncRequest"
            case .sync: return "Sync"
            case .timeoutNow: return "TimeoutNow"
            case .configAppend: return "ConfigAppend"
            case .configAppendAck: return "ConfigAppendAck"
            case .probe: return "Probe"
            }
        }
    }
}

/// The common header of every replication datagram.
///
/// ```
///     0  blockLength (UInt16: bytes after these 8 up to the variable part)
///     2  templateId (UInt16: 1 Data, 2 Status, 3 Nak, 4 Commit, 5 Heartbeat, 6 Pull,
///                  7 VoteRequest, 8 VoteResponse, 9 SyncRequest, 10 Sync, 11 TimeoutNow,
///                  12 ConfigAppend, 13 ConfigAppendAck, 14 Probe)
///     4  schemaId (UInt16 = 2)
///     6  version (UInt16 = 6)
///     8  clusterId (UInt64)
///    16  epoch (UInt32: the configuration epoch in chain mode; the sender's term in Raft mode)
///    20  fromNode (UInt32: the sending member's id)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct ReplicationHeader: FixedLengthFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { ReplicationProtocol.headerLength }
    @inlinable public var blockLength: UInt16 {
        get { load(UInt16.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var templateId: UInt16 {
        get { load(UInt16.self, at: 2) }
        nonmutating set { store(newValue, at: 2) }
    }
    @inlinable public var schemaId: UInt16 {
        get { load(UInt16.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var version: UInt16 {
        get { load(UInt16.self, at: 6) }
        nonmutating set { store(newValue, at: 6) }
    }
    @inlinable public var clusterId: UInt64 {
        get { load(UInt64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var epoch: UInt32 {
        get { load(UInt32.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
    }
    @inlinable public var fromNode: UInt32 {
        get { load(UInt32.self, at: 20) }
        nonmutating set { store(newValue, at: 20) }
    }

    /// Writes a whole header for a message of `type`.
    @inlinable
    public func write(type: ReplicationProtocol.MessageType, fromNode: UInt32, clusterId: UInt64, epoch: UInt32) {
        blockLength = UInt16(type.blockLength)
        templateId = type.rawValue
        schemaId = ReplicationProtocol.schemaId
        version = ReplicationProtocol.version
        self.clusterId = clusterId
        self.epoch = epoch
        self.fromNode = fromNode
    }
}

/// A replication message flyweight: its type, so a writer can fill in the
/// common header (`ReplicationOutbox.begin`) and a reader can wrap a checked datagram.
public protocol ReplicationMessage: FixedLengthFlyweight {
    static var messageType: ReplicationProtocol.MessageType { get }
}
