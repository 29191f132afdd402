import BatonCodec

/// Successor → predecessor: resend from `position` (go-back-N).
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  position (Int64: a frame boundary: the receiver's published end)
///    32  length (Int64: how far past `position` the receiver knows data exists)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationNak: ReplicationMessage {
    public static let positionFieldOffset = 24
    public static let lengthFieldOffset = 32
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 40 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .nak }
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
