import BatonCodec

/// Predecessor → successor, sent only by a restarted head whose successor holds more log than it does: send me your log from `position`. The successor answers with Data upstream.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  position (Int64: the head's published end (a frame boundary))
///    32  length (Int64: how far past `position` the successor reported holding)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationPull: ReplicationMessage {
    public static let positionFieldOffset = 24
    public static let lengthFieldOffset = 32
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 40 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .pull }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var position: Int64 {
        get { load(Int64.self, at: Self.positionFieldOffset) }
        nonmutating set { store(newValue, at: Self.positionFieldOffset) }
    }
    @inlinable public var length: Int64 {
        get { load(Int64.self, at: Self.lengthFieldOffset) }
        nonmutating set { store(newValue, at: Self.lengthFieldOffset) }
    }
}
