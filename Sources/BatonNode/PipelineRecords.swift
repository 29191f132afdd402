import BatonCodec
import BatonProtocol

/// Record types on the node's internal rings, and their layouts. Records are
/// flyweights over ring memory; every field is little-endian.
public enum PipelineRecordType {
    /// Client I/O → order (MPSC ingress ring): a validated Publish batch.
    public static let publish: Int32 = 1
    /// Order → commit (SPSC ack ring): what to ack once committed.
    public static let ackRequest: Int32 = 2
    /// Order or commit → client I/O (MPSC egress ring): a cumulative PublishAck.
    public static let publishAck: Int32 = 3
    /// Order → client I/O (egress ring): refuse a batch with an Error.
    public static let publishRefused: Int32 = 4
    /// Client I/O → execute (SPSC hand-off ring): a session became a subscriber session.
    public static let subscriberHandoff: Int32 = 5
}

/// A record that concerns one client I/O session and starts with its id
/// (`IngressPublishRecord`, `AckRecord`, `RefusalRecord`), so that field is
/// written once, here:
///
/// ```
///   0  sessionId (UInt64)            the client I/O session the record is from or for
/// ```
///
/// Threading: a view over ring memory, as thread-safe as that memory (the
/// ring hands a record to one reader once its writer committed it).
public protocol SessionRecord {
    /// The record's first byte in the ring.
    var address: UnsafeMutableRawPointer { get }
}

extension SessionRecord {
    @inlinable public static var sessionIdFieldOffset: Int { 0 }
    @inlinable public var sessionId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: Self.sessionIdFieldOffset, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: Self.sessionIdFieldOffset) }
    }
}

/// A session record about one producer (`AckRecord`, `RefusalRecord`): the
/// producer's id follows the session's.
///
/// ```
///   0  sessionId (UInt64)            see `SessionRecord`
///   8  producerId (UInt64)
/// ```
///
/// Threading: as `SessionRecord`.
public protocol ProducerRecord: SessionRecord {}

extension ProducerRecord {
    @inlinable public static var producerIdFieldOffset: Int { 8 }
    @inlinable public var producerId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: Self.producerIdFieldOffset, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: Self.producerIdFieldOffset) }
    }
}

/// A Publish batch on the ingress ring:
///
/// ```
///   0  sessionId (UInt64)            the client I/O session that sent it
///   8  Publish block (24 bytes)      streamId, count, producerId, firstSequence
///  32  payloads                      count x (UInt32 length, bytes), as received
/// ```
///
/// The payloads were validated (`PublishBatch.validate`) before the record was
/// written, so the order stage walks them without checks. A view of `length`
/// bytes of ring memory (a pointer and a length); as thread-safe as that memory.
@frozen
public struct IngressPublishRecord: SessionRecord {
    public static let blockFieldOffset = 8
    /// Where the payloads start: after the session id and the Publish block.
    public static let payloadsOffset = blockFieldOffset + PublishBlock.encodedLength

    public let address: UnsafeMutableRawPointer
    public let length: Int

    @inlinable public init(_ address: UnsafeMutableRawPointer, length: Int) {
        self.address = address
        self.length = length
    }

    @inlinable public var block: PublishBlock { PublishBlock(address + IngressPublishRecord.blockFieldOffset) }
    @inlinable public var payloads: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: address + IngressPublishRecord.payloadsOffset, count: length &- IngressPublishRecord.payloadsOffset)
    }
}

/// An ack request (order → commit), or a PublishAck to send (→ client I/O):
///
/// ```
///   0  sessionId (UInt64)
///   8  producerId (UInt64)
///  16  sequence (UInt64)       highest sequence of the producer logged so far
///  24  framePosition (Int64)   where that message's frame starts
///  32  endPosition (Int64)     the commit position that makes the ack true
///  40  generation (Int64)      the leadership generation it was ordered under
/// ```
///
/// A flyweight over ring memory (`sessionId`, `producerId` from
/// `ProducerRecord`): a pointer and nothing else; as thread-safe as that memory.
@frozen
public struct AckRecord: ProducerRecord, Flyweight {
    public static let sequenceFieldOffset = 16
    public static let framePositionFieldOffset = 24
    public static let endPositionFieldOffset = 32
    public static let generationFieldOffset = 40
    public static let length = 48
    public let address: UnsafeMutableRawPointer

    @inlinable public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public var sequence: UInt64 {
        get { load(UInt64.self, at: Self.sequenceFieldOffset) }
        nonmutating set { store(newValue, at: Self.sequenceFieldOffset) }
    }
    @inlinable public var framePosition: Int64 {
        get { load(Int64.self, at: Self.framePositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.framePositionFieldOffset) }
    }
    @inlinable public var endPosition: Int64 {
        get { load(Int64.self, at: Self.endPositionFieldOffset) }
        nonmutating set { store(newValue, at: Self.endPositionFieldOffset) }
    }
    /// The leadership generation the request was ordered under (`LeadershipGate`).
    @inlinable public var generation: Int64 {
        get { load(Int64.self, at: Self.generationFieldOffset) }
        nonmutating set { store(newValue, at: Self.generationFieldOffset) }
    }
}

/// A refused Publish (order → client I/O):
///
/// ```
///   0  sessionId (UInt64)
///   8  producerId (UInt64)
///  16  code (UInt16), reserved (6 bytes, not written)
///  24  textLength (UInt32)
///  28  text (textLength bytes of UTF-8)
/// ```
///
/// A flyweight over ring memory (`sessionId`, `producerId` from
/// `ProducerRecord`): a pointer and nothing else; as thread-safe as that memory.
@frozen
public struct RefusalRecord: ProducerRecord, Flyweight {
    public static let codeFieldOffset = 16
    public static let textLengthFieldOffset = 24
    public static let textOffset = 28
    public static let maximumTextLength = 200
    public let address: UnsafeMutableRawPointer

    @inlinable public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public var code: UInt16 { load(UInt16.self, at: Self.codeFieldOffset) }
    public var text: String {
        let length = Int(load(UInt32.self, at: Self.textLengthFieldOffset))
        return String(decoding: UnsafeRawBufferPointer(start: address + RefusalRecord.textOffset, count: length), as: UTF8.self)
    }

    /// Fills a record of `RefusalRecord.length(textBytes:)` bytes.
    public func write(sessionId: UInt64, producerId: UInt64, code: ClientErrorCode, text: Array<UInt8>) {
        self.sessionId = sessionId
        self.producerId = producerId
        store(code.rawValue, at: Self.codeFieldOffset)
        store(UInt32(text.count), at: Self.textLengthFieldOffset)
        text.withUnsafeBytes { (address + RefusalRecord.textOffset).copyMemory(from: $0.baseAddress!, byteCount: text.count) }
    }

    public static func encodedText(_ text: String) -> [UInt8] { Array(text.utf8.prefix(maximumTextLength)) }
    public static func length(textBytes: Int) -> Int { textOffset + textBytes }
}

/// A session handed from client I/O to the delivery stage:
///
/// ```
///   0  descriptor (Int32: the socket), reserved (4 bytes, zero)
///   8  sessionId (UInt64)
///  16  lastReceiveNanos (Int64)
///  24  pending: bytes already received and not yet handled (the Subscribe and what followed)
/// ```
///
/// A view of `length` bytes of ring memory (a pointer and a length); as
/// thread-safe as that memory.
@frozen
public struct HandoffRecord {
    public static let descriptorFieldOffset = 0
    public static let reservedFieldOffset = 4
    public static let sessionIdFieldOffset = 8
    public static let lastReceiveNanosFieldOffset = 16
    public static let pendingOffset = 24
    public let address: UnsafeMutableRawPointer
    public let length: Int

    @inlinable public init(_ address: UnsafeMutableRawPointer, length: Int) {
        self.address = address
        self.length = length
    }

    @inlinable public var descriptor: Int32 {
        address.loadLittleEndian(fromByteOffset: HandoffRecord.descriptorFieldOffset, as: Int32.self)
    }
    @inlinable public var sessionId: UInt64 {
        address.loadLittleEndian(fromByteOffset: HandoffRecord.sessionIdFieldOffset, as: UInt64.self)
    }
    @inlinable public var lastReceiveNanos: Int64 {
        address.loadLittleEndian(fromByteOffset: HandoffRecord.lastReceiveNanosFieldOffset, as: Int64.self)
    }
    @inlinable public var pending: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: address + HandoffRecord.pendingOffset, count: length &- HandoffRecord.pendingOffset)
    }

    public func write(descriptor: Int32, sessionId: UInt64, lastReceiveNanos: Int64, pending: UnsafeRawBufferPointer) {
        address.storeLittleEndian(descriptor, toByteOffset: HandoffRecord.descriptorFieldOffset)
        address.storeLittleEndian(Int32(0), toByteOffset: HandoffRecord.reservedFieldOffset)
        address.storeLittleEndian(sessionId, toByteOffset: HandoffRecord.sessionIdFieldOffset)
        address.storeLittleEndian(lastReceiveNanos, toByteOffset: HandoffRecord.lastReceiveNanosFieldOffset)
        if let base = pending.baseAddress, pending.count > 0 {
            (address + HandoffRecord.pendingOffset).copyMemory(from: base, byteCount: pending.count)
        }
    }
}
