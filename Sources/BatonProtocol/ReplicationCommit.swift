import BatonCodec

/// Predecessor → successor: the commit position (durable on every member).
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  commitPosition (Int64: durable on every member)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationCommit: ReplicationMessage {
    public static let commitPositionFieldOffset = 24
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 40 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .commit }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: Self.commitPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.commitPositionFieldOffset) }
    }
}
