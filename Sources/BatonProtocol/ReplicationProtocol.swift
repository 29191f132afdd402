import BatonCodec

/// Constants of the replication protocol (UDP, node to node, schema 2). Every
/// datagram starts with the common 8-byte SBE-style message header (block
/// length, template = message type, schema id 2, version 1) followed by the
/// cluster id, the configuration epoch and the sending member's id; the
/// type's fields follow. Byte layouts are in docs/PROTOCOL.md ("Replication
/// protocol").
public enum ReplicationProtocol {
    /// `MessageHeader.schemaId` of every replication datagram.
    public static let schemaId: UInt16 = 2
    /// The schema version this build speaks; another version is malformed.
    public static let version: UInt16 = 1
    /// Bytes of the message header plus the common fields.
    public static let headerLength = 24
    /// Where a Data datagram's log bytes start (header, common fields,
    /// position), 32-byte aligned like log frames.
    public static let dataBytesOffset = 32

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

        /// The exact datagram length of each fixed-size type (Data: the least).
        public var fixedLength: Int {
            switch self {
            case .data: return ReplicationProtocol.dataBytesOffset
            case .status: return 56
            case .nak: return 40
            case .commit: return 32
            case .heartbeat: return 40
            }
        }

        /// The header's `blockLength`: every byte after the 8-byte message header
        /// up to the variable part (Data: up to its log bytes).
        public var blockLength: Int { fixedLength - 8 }

        public var description: String {
            switch self {
            case .data: return "Data"
            case .status: return "Status"
            case .nak: return "Nak"
            case .commit: return "Commit"
            case .heartbeat: return "Heartbeat"
            }
        }
    }
}

/// The common header of every replication datagram.
///
/// ```
///     0  blockLength (UInt16: bytes after these 8 up to the variable part)
///     2  templateId (UInt16: 1 Data, 2 Status, 3 Nak, 4 Commit, 5 Heartbeat)
///     4  schemaId (UInt16 = 2)
///     6  version (UInt16 = 1)
///     8  clusterId (UInt64)
///    16  epoch (UInt32: configuration epoch)
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

    /// The 8-byte little-endian field at `offset` of the body (offsets count from the datagram's start).
    @inlinable public func int64(at offset: Int) -> Int64 { load(Int64.self, at: offset) }
    @inlinable public func setInt64(_ value: Int64, at offset: Int) { store(value, at: offset) }
}

/// Field offsets of the message bodies (from the datagram's first byte).
///
/// ```
/// Data       24 position (Int64)          32.. log bytes (any length ≥ 0, up to the MTU)
/// Status     24 receivedPosition (Int64)  32 durablePosition (Int64)
///            40 chainDurablePosition (Int64: min of this node's durable and its successor's report)
///            48 windowBytes (Int64: how far past receivedPosition the sender may send)
/// Nak        24 position (Int64)          32 length (Int64)
/// Commit     24 commitPosition (Int64)
/// Heartbeat  24 sentPosition (Int64: the sender has sent everything below)   32 commitPosition (Int64)
/// ```
public enum ReplicationField {
    public static let dataPosition = 24
    public static let statusReceived = 24
    public static let statusDurable = 32
    public static let statusChainDurable = 40
    public static let statusWindow = 48
    public static let nakPosition = 24
    public static let nakLength = 32
    public static let commitPosition = 24
    public static let heartbeatSent = 24
    public static let heartbeatCommit = 32
}
