import BatonCodec

/// Predecessor → successor, sent only by a restarted head whose successor
/// holds more log than it does: send me your log from `position` (the head's
/// published end); `length` is how far past it the successor reported
/// holding. The successor answers with Data upstream. Layout:
/// `ReplicationRangeMessage`.
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationPull: ReplicationRangeMessage {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .pull }
}
