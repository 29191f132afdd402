import BatonCodec

/// Raft, the leader → the follower it hands leadership to (a planned stop:
/// SIGTERM of the leader's process): stand for election now, without
/// waiting for a timeout or a pre-vote round; voters grant the vote even
/// while they still hear the leader (the vote request carries the transfer
/// flag). The header's `epoch` is the leader's term; the follower acts only
/// on its own leader of its own term.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch = the leader's term, sender)
///    24  reserved (8 bytes, written 0, ignored)
///    32  checksum (UInt32: CRC32C of bytes 0..<32), reserved (4 bytes, zero)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationTimeoutNow: ReplicationMessage {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 40 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .timeoutNow }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
}
