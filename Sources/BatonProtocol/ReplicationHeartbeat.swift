import BatonCodec

/// Predecessor → successor when it has had nothing else to send for a heartbeat interval.
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  sentPosition (Int64: the sender has sent everything below (lets the receiver see a lost tail))
///    32  commitPosition (Int64: the commit position, repeated)
/// ```
///
/// A flyweight over one datagram: a pointer and nothing else; as thread-safe
/// as the memory it views. Wrap only a datagram `ReplicationDatagramCheck`
/// found valid as this type (or a buffer of `encodedLength` bytes being written).
@frozen
public struct ReplicationHeartbeat: ReplicationMessage {
    public static let sentPositionFieldOffset = 24
    public static let commitPositionFieldOffset = 32
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 48 }
    /// The message type this flyweight reads and writes.
    @inlinable public static var messageType: ReplicationProtocol.MessageType { .heartbeat }
    @inlinable public var header: ReplicationHeader { ReplicationHeader(address) }
    @inlinable public var sentPosition: Int64 {
        get { load(Int64.self, at: Self.sentPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.sentPositionFieldOffset) }
    }
    @inlinable public var commitPosition: Int64 {
        get { load(Int64.self, at: Self.commitPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.commitPositionFieldOffset) }
    }
}
