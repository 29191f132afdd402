import BatonCodec

/// Raft, a follower → its leader: where does my log agree with yours? The
/// follower describes the last term of its log — the term, where it starts
/// in the follower's log, and the log's end — and the leader answers with a
/// `ReplicationSync` (see `RaftTermIndex.matchPosition`). Sent when a
/// follower hears a new leader, and again after each Sync until it is in step.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = the follower's term, sender)
///    24  lastTerm (UInt64: term of the follower's last log byte; 0 for an empty log)
///    32  lastTermStart (Int64: where that term starts in the follower's log; 0 when none)
///    40  endPosition (Int64: the follower's log end)
///    48  durablePosition (Int64: the follower's durable position)
///    56  checksum (UInt32: CRC32C of bytes 0..<56), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationSyncRequest: ReplicationMessage {
    public static let lastTermFieldOffset = 24
    public static let lastTermStartFieldOffset = 32
    public static let endPositionFieldOffset = 40
    public static let durablePositionFieldOffset = 48

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 64 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .syncRequest }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var lastTerm: UInt64 {
        get { load(UInt64.self, at: Self.lastTermFieldOffset) }
        nonmutating set { store(newValue, at: Self.lastTermFieldOffset) }
    }
    @inlinable public var lastTermStart: Int64 {
        get { load(Int64.self, at: Self.lastTermStartFieldOffset) }
        nonmutating set { store(newValue, at: Self.lastTermStartFieldOffset) }
    }
    @inlinable public var endPosition: Int64 {
        get { load(Int64.self, at: Self.endPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.endPositionFieldOffset) }
    }
    @inlinable public var durablePosition: Int64 {
        get { load(Int64.self, at: Self.durablePositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.durablePositionFieldOffset) }
    }
}
