import BatonCodec

/// A replication message that names a range of the log — `position` and
/// `length` — and nothing else (`ReplicationNak`, `ReplicationPull`). Their
/// layout is one, so it is written once:
///
/// ```
///     0  ReplicationHeader (24 bytes: message header, cluster id, epoch, sender)
///    24  position (Int64: a frame boundary)
///    32  length (Int64: how far past `position` the sender knows data exists)
/// ```
///
/// Threading: a flyweight, as thread-safe as the memory it views.
public protocol ReplicationRangeMessage: ReplicationMessage {}

extension ReplicationRangeMessage {
    @inlinable public static var positionFieldOffset: Int { 24 }
    @inlinable public static var lengthFieldOffset: Int { 32 }
    /// The datagram's length.
    @inlinable public static var encodedLength: Int { 48 }
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
