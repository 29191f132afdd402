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

/// A Publish batch on the ingress ring:
///
/// ```
///   0  sessionId (UInt64)            the client I/O session that sent it
///   8  Publish block (24 bytes)      streamId, count, producerId, firstSequence
///  32  payloads                      count x (UInt32 length, bytes), as received
/// ```
///
/// The payloads were validated (`PublishBatch.validate`) before the record was
/// written, so the order stage walks them without checks.
@frozen
public struct IngressPublishRecord {
    public static let sessionIdOffset = 0
    public static let blockOffset = 8
    public static let payloadsOffset = 8 + 24

    public let address: UnsafeMutableRawPointer
    public let length: Int

    @inlinable public init(_ address: UnsafeMutableRawPointer, length: Int) {
        self.address = address
        self.length = length
    }

    @inlinable public var sessionId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: 0, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 0) }
    }
    @inlinable public var block: PublishBlock { PublishBlock(address + IngressPublishRecord.blockOffset) }
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
/// ```
@frozen
public struct AckRecord {
    public static let length = 40
    public let address: UnsafeMutableRawPointer

    @inlinable public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public var sessionId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: 0, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 0) }
    }
    @inlinable public var producerId: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: 8, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 8) }
    }
    @inlinable public var sequence: UInt64 {
        get { address.loadLittleEndian(fromByteOffset: 16, as: UInt64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 16) }
    }
    @inlinable public var framePosition: Int64 {
        get { address.loadLittleEndian(fromByteOffset: 24, as: Int64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 24) }
    }
    @inlinable public var endPosition: Int64 {
        get { address.loadLittleEndian(fromByteOffset: 32, as: Int64.self) }
        nonmutating set { address.storeLittleEndian(newValue, toByteOffset: 32) }
    }
}

/// A refused Publish (order → client I/O):
///
/// ```
///   0  sessionId (UInt64)
///   8  producerId (UInt64)
///  16  code (UInt16), reserved (6 bytes)
///  24  text length (UInt32), then UTF-8 text
/// ```
@frozen
public struct RefusalRecord {
    public static let textOffset = 28
    public static let maximumTextLength = 200
    public let address: UnsafeMutableRawPointer

    @inlinable public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public var sessionId: UInt64 { address.loadLittleEndian(fromByteOffset: 0, as: UInt64.self) }
    @inlinable public var producerId: UInt64 { address.loadLittleEndian(fromByteOffset: 8, as: UInt64.self) }
    @inlinable public var code: UInt16 { address.loadLittleEndian(fromByteOffset: 16, as: UInt16.self) }
    public var text: String {
        let length = Int(address.loadLittleEndian(fromByteOffset: 24, as: UInt32.self))
        return String(decoding: UnsafeRawBufferPointer(start: address + RefusalRecord.textOffset, count: length), as: UTF8.self)
    }

    /// Fills a record of `RefusalRecord.length(of:)` bytes.
    public func write(sessionId: UInt64, producerId: UInt64, code: ClientErrorCode, text: Array<UInt8>) {
        address.storeLittleEndian(sessionId, toByteOffset: 0)
        address.storeLittleEndian(producerId, toByteOffset: 8)
        address.storeLittleEndian(code.rawValue, toByteOffset: 16)
        address.storeLittleEndian(UInt32(text.count), toByteOffset: 24)
        text.withUnsafeBytes { (address + RefusalRecord.textOffset).copyMemory(from: $0.baseAddress!, byteCount: text.count) }
    }

    public static func encodedText(_ text: String) -> [UInt8] { Array(text.utf8.prefix(maximumTextLength)) }
    public static func length(textBytes: Int) -> Int { textOffset + textBytes }
}

/// A session handed from client I/O to the execute stage:
///
/// ```
///   0  socket descriptor (Int32), reserved (4 bytes)
///   8  sessionId (UInt64)
///  16  lastReceiveNanos (Int64)
///  24  bytes already received and not yet handled (the Subscribe and what followed)
/// ```
@frozen
public struct HandoffRecord {
    public static let pendingOffset = 24
    public let address: UnsafeMutableRawPointer
    public let length: Int

    @inlinable public init(_ address: UnsafeMutableRawPointer, length: Int) {
        self.address = address
        self.length = length
    }

    @inlinable public var descriptor: Int32 { address.loadLittleEndian(fromByteOffset: 0, as: Int32.self) }
    @inlinable public var sessionId: UInt64 { address.loadLittleEndian(fromByteOffset: 8, as: UInt64.self) }
    @inlinable public var lastReceiveNanos: Int64 { address.loadLittleEndian(fromByteOffset: 16, as: Int64.self) }
    @inlinable public var pending: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: address + HandoffRecord.pendingOffset, count: length &- HandoffRecord.pendingOffset)
    }

    public func write(descriptor: Int32, sessionId: UInt64, lastReceiveNanos: Int64, pending: UnsafeRawBufferPointer) {
        address.storeLittleEndian(descriptor, toByteOffset: 0)
        address.storeLittleEndian(Int32(0), toByteOffset: 4)
        address.storeLittleEndian(sessionId, toByteOffset: 8)
        address.storeLittleEndian(lastReceiveNanos, toByteOffset: 16)
        if let base = pending.baseAddress, pending.count > 0 {
            (address + HandoffRecord.pendingOffset).copyMemory(from: base, byteCount: pending.count)
        }
    }
}
