import BatonCodec

/// The first position at which the compared logs do not hold byte-identical
/// frames: what each log has there and what differs.
///
/// Invariant: `frames`, `absence` have one entry per log (the order given);
/// exactly one of `frames[i]` and `absence[i]` is non-nil; `differing` never
/// contains 0 (log 0 is the reference) and is empty only when no log has a
/// frame at `position` (all ended before the comparison's `upTo`).
/// Threading: an immutable value.
public struct LogComparisonDifference: Sendable, Equatable {
    /// A part of a frame that can differ.
    public enum Field: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
        /// One log has a frame here, the other none (it ended, or this is not a frame boundary in it).
        case missing
        case type
        case length
        case flags
        case stream
        case producer
        case sequence
        case timestamp
        /// The payload bytes (the frames' payload CRCs say by how much).
        case payload

        public var description: String { rawValue }
    }

    /// The frame position the logs disagree at.
    public var position: Int64
    /// Each log's frame at `position`, or nil when it has none.
    public var frames: [Frame?]
    /// Why a log has no frame at `position` (e.g. "the log ends at 4096"), or nil when it has one.
    public var absence: [String?]
    /// Indexes of the logs whose frame here is not byte-identical to log 0's.
    public var differing: [Int]
    /// What differs between log 0's frame and the differing logs' (union, in `Field` order).
    public var fields: [Field]
    /// The first payload byte (index from the payload's start) at which log
    /// 0's frame and the first differing log's disagree, when both are data
    /// frames and their payloads differ within the shorter one.
    public var firstDifferingPayloadByte: Int?

    public init(position: Int64, frames: [Frame?], absence: [String?], differing: [Int], fields: [Field],
                firstDifferingPayloadByte: Int?) {
        self.position = position
        self.frames = frames
        self.absence = absence
        self.differing = differing
        self.fields = fields
        self.firstDifferingPayloadByte = firstDifferingPayloadByte
    }

    /// The header fields of one frame and its payload's CRC32C: enough to say
    /// what differs without printing payloads.
    /// Threading: an immutable value.
    public struct Frame: Sendable, Equatable, CustomStringConvertible {
        public var type: FrameType
        /// Header + payload bytes (for padding: the whole gap).
        public var length: Int
        public var flags: UInt8
        public var streamId: UInt32
        public var producerId: UInt64
        public var sequence: UInt64
        public var timestampNanos: Int64
        /// The frame's stored CRC32C (covers header and payload).
        public var checksum: UInt32
        /// CRC32C of the payload alone (0 for padding).
        public var payloadChecksum: UInt32

        /// Reads the frame at `header`, which `FrameHeader.check` found valid.
        init(_ header: FrameHeader, type: FrameType, length: Int) {
            self.type = type
            self.length = length
            flags = header.flags
            streamId = header.streamId
            producerId = header.producerId
            sequence = header.sequence
            timestampNanos = header.timestampNanos
            checksum = header.checksum
            payloadChecksum = type == .data ? CRC32C.update(0, UnsafeRawPointer(header.payload), header.payloadLength) : 0
        }

        /// The fields in which `self` and `other` differ, in `Field` order.
        func differences(from other: Frame) -> [Field] {
            var fields: [Field] = []
            if type != other.type { fields.append(.type) }
            if length != other.length { fields.append(.length) }
            if flags != other.flags { fields.append(.flags) }
            if streamId != other.streamId { fields.append(.stream) }
            if producerId != other.producerId { fields.append(.producer) }
            if sequence != other.sequence { fields.append(.sequence) }
            if timestampNanos != other.timestampNanos { fields.append(.timestamp) }
            if payloadChecksum != other.payloadChecksum { fields.append(.payload) }
            return fields
        }

        public var description: String {
            let crc = "crc=0x\(String(checksum, radix: 16))"
            guard type == .data else { return "padding length=\(length) \(crc)" }
            return "data length=\(length) stream=\(streamId) producer=\(producerId) sequence=\(sequence) "
                + "timestamp=\(timestampNanos) flags=\(flags) \(crc) payload[\(length - FrameDescriptor.headerLength)] "
                + "crc=0x\(String(payloadChecksum, radix: 16))"
        }
    }
}
