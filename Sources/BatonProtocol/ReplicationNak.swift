import BatonCodec

/// Successor → predecessor: resend from `position` (go-back-N); `position`
/// is the receiver's published end, `length` how far past it the receiver
/// knows data exists. Layout: `ReplicationRangeMessage`.
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationNak: ReplicationRangeMessage {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .nak }
}
