import BatonCodec

/// Successor → predecessor (chain), follower → leader (Raft): resend bytes
/// the receiver lacks. Chain (selective repeat): `[position, position + length)`
/// is one hole — any byte position — and the sender resends just those bytes.
/// Raft (go-back-N): `position` is the follower's published end (a frame
/// boundary), `length` how far past it the follower knows data exists.
/// Layout: `ReplicationRangeMessage`.
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
