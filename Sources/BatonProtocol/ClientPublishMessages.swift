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
///    24  payloads: count x (payloadLength UInt32, payload bytes)
/// ```
///
/// A flyweight: a pointer and nothing else; as thread-safe as the memory it views.
@frozen
public struct PublishBlock: MessageFlyweight {
    public static let streamIdFieldOffset = 0
    public static let countFieldOffset = 4
    public static let producerIdFieldOffset = 8
    public static let firstSequenceFieldOffset = 16
    /// Bytes of the length in front of each payload in the variable part.
    public static let payloadLengthBytes = MemoryLayout<UInt32>.size

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.publish.rawValue }
    @inlinable public var streamId: UInt32 {
        get { load(UInt32.self, at: Self.streamIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.streamIdFieldOffset) }
    }
    @inlinable public var count: UInt32 {
        get { load(UInt32.self, at: Self.countFieldOffset) }
        nonmutating set { store(newValue, at: Self.countFieldOffset) }
    }
    @inlinable public var producerId: UInt64 {
        get { load(UInt64.self, at: Self.producerIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.producerIdFieldOffset) }
    }
    @inlinable public var firstSequence: UInt64 {
        get { load(UInt64.self, at: Self.firstSequenceFieldOffset) }
        nonmutating set { store(newValue, at: Self.firstSequenceFieldOffset) }
    }

    /// Calls `body(index, payload)` for each of the `count` (length, bytes)
    /// pairs in `payloads`, in order, without checks: only on bytes
    /// `PublishBatch.validate` accepted (or a copy of them). The one walk of a
    /// Publish's variable part, for the I/O and the order stage alike.
    @inlinable @inline(__always)
    public static func forEachPayload(in payloads: UnsafeRawBufferPointer, count: Int,
                                      _ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard let base = payloads.baseAddress else { return }
        var offset = 0
        for index in 0..<count {
            let length = Int(base.loadLittleEndian(fromByteOffset: offset, as: UInt32.self))
            try body(index, UnsafeRawBufferPointer(start: base + (offset &+ payloadLengthBytes), count: length))
            offset &+= payloadLengthBytes &+ length
        }
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
    public static let producerIdFieldOffset = 0
    public static let sequenceFieldOffset = 8
    public static let positionFieldOffset = 16

    public let address: UnsafeMutableRawPointer
    @inlinable @inline(__always) public init(_ address: UnsafeMutableRawPointer) { self.address = address }
    @inlinable public static var encodedLength: Int { 24 }
    @inlinable public static var templateId: UInt16 { ClientProtocol.Template.publishAck.rawValue }
    @inlinable public var producerId: UInt64 {
        get { load(UInt64.self, at: Self.producerIdFieldOffset) }
        nonmutating set { store(newValue, at: Self.producerIdFieldOffset) }
    }
    @inlinable public var sequence: UInt64 {
        get { load(UInt64.self, at: Self.sequenceFieldOffset) }
        nonmutating set { store(newValue, at: Self.sequenceFieldOffset) }
    }
    @inlinable public var position: Int64 {
        get { load(Int64.self, at: Self.positionFieldOffset) }
        nonmutating set { store(newValue, at: Self.positionFieldOffset) }
    }
}
