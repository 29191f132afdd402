import BatonCodec

/// Successor → predecessor: what the successor holds and how far the predecessor may send.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  receivedPosition (Int64: the end of the whole frames the member has (a frame boundary))
///    32  durablePosition (Int64: its own durable position)
///    40  chainDurablePosition (Int64: min(own durable, what its successor reported); the tail reports its own durable)
///    48  windowBytes (Int64: the predecessor may send up to `receivedPosition + windowBytes`)
///    56  receiveGeneration (Int64: the member's incarnation in the high 32 bits — a restart
///        changes it — and the resets of its received position since in the low 32 (a
///        discarded frame, a new predecessor); within one incarnation a Status with fewer
///        resets, or the same and a lower `receivedPosition`, is an older one arriving late,
///        not a reason to resend. 0 from a Raft follower: every lower position counts)
///    64  checksum (UInt32: CRC32C of bytes 0..<64), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationStatus: ReplicationMessage {
    public static let receivedPositionFieldOffset = 24
    public static let durablePositionFieldOffset = 32
    public static let chainDurablePositionFieldOffset = 40
    public static let windowBytesFieldOffset = 48
    public static let receiveGenerationFieldOffset = 56
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 72 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .status }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var receivedPosition: Int64 {
        get { load(Int64.self, at: Self.receivedPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.receivedPositionFieldOffset) }
    }
    @inlinable public var durablePosition: Int64 {
        get { load(Int64.self, at: Self.durablePositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.durablePositionFieldOffset) }
    }
    @inlinable public var chainDurablePosition: Int64 {
        get { load(Int64.self, at: Self.chainDurablePositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.chainDurablePositionFieldOffset) }
    }
    @inlinable public var windowBytes: Int64 {
        get { load(Int64.self, at: Self.windowBytesFieldOffset) }
        nonmutating set { store(newValue, at: Self.windowBytesFieldOffset) }
    }
    @inlinable public var receiveGeneration: Int64 {
        get { load(Int64.self, at: Self.receiveGenerationFieldOffset) }
        nonmutating set { store(newValue, at: Self.receiveGenerationFieldOffset) }
    }
}
