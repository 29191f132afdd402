import BatonCodec

/// Publish (client → server): `count` messages of one producer on one stream with consecutive sequences from `firstSequence`; the payloads follow as (UInt32 length, bytes) pairs.
///
/// Fixed block (24 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  streamId (UInt32)
///     4  count (UInt32)
///     8  producerId (UInt64)
///    16  firstSequence (UInt64)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct PublishBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.publish.rawValue }
    @inlinable public var streamId: UInt32 {
        get { load(UInt32.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var count: UInt32 {
        get { load(UInt32.self, at: 4) }
        nonmutating set { store(newValue, at: 4) }
    }
    @inlinable public var producerId: UInt64 {
        get { load(UInt64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var firstSequence: UInt64 {
        get { load(UInt64.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
    }
}

/// PublishAck (server → client): every message of `producerId` up to `sequence` is committed; message `sequence` is at `position`.
///
/// Fixed block (24 bytes, little-endian), after the 8-byte message header:
///
/// ```
///     0  producerId (UInt64)
///     8  sequence (UInt64)
///    16  position (Int64)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct PublishAckBlock: MessageFlyweight {
    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.publishAck.rawValue }
    @inlinable public var producerId: UInt64 {
        get { load(UInt64.self, at: 0) }
        nonmutating set { store(newValue, at: 0) }
    }
    @inlinable public var sequence: UInt64 {
        get { load(UInt64.self, at: 8) }
        nonmutating set { store(newValue, at: 8) }
    }
    @inlinable public var position: Int64 {
        get { load(Int64.self, at: 16) }
        nonmutating set { store(newValue, at: 16) }
    }
}
