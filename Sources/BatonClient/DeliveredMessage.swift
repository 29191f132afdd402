import BatonCodec

/// One delivered message as `Subscriber.poll` hands it out: a view of a
/// checked log frame where it lies in the receive buffer (zero copy).
///
/// Invariant: the frame passed `FrameHeader.check` (length, version, CRC32C,
/// position) before the view was made. `payload` is valid only during the
/// handler call that received it: copy what must outlive it (`Message`).
/// Threading: a view of memory the subscriber's thread owns; not `Sendable`.
@frozen
public struct DeliveredMessage {
    /// The frame's log position.
    public let position: Int64
    public let streamId: UInt32
    public let producerId: UInt64
    public let sequence: UInt64
    /// When the broker ordered the message (nanoseconds since 1970).
    public let timestampNanos: Int64
    /// The message bytes, in place.
    public let payload: UnsafeRawBufferPointer

    @inlinable
    public init(position: Int64, streamId: UInt32, producerId: UInt64, sequence: UInt64, timestampNanos: Int64,
                payload: UnsafeRawBufferPointer) {
        self.position = position
        self.streamId = streamId
        self.producerId = producerId
        self.sequence = sequence
        self.timestampNanos = timestampNanos
        self.payload = payload
    }

    /// The log position just past this frame (where a resumed subscription continues).
    @inlinable
    public var nextPosition: Int64 {
        position &+ Int64(FrameDescriptor.alignedFrameLength(payloadLength: payload.count))
    }
}

/// A delivered message copied out of the receive buffer, for code that keeps
/// it (`Subscriber.messages()`). A plain value: `Sendable`.
public struct Message: Equatable, Sendable {
    public let position: Int64
    public let streamId: UInt32
    public let producerId: UInt64
    public let sequence: UInt64
    public let timestampNanos: Int64
    public let payload: [UInt8]

    public init(position: Int64, streamId: UInt32, producerId: UInt64, sequence: UInt64, timestampNanos: Int64,
                payload: [UInt8]) {
        self.position = position
        self.streamId = streamId
        self.producerId = producerId
        self.sequence = sequence
        self.timestampNanos = timestampNanos
        self.payload = payload
    }

    /// A copy of `delivered`.
    public init(_ delivered: DeliveredMessage) {
        self.init(position: delivered.position, streamId: delivered.streamId, producerId: delivered.producerId,
                  sequence: delivered.sequence, timestampNanos: delivered.timestampNanos,
                  payload: [UInt8](delivered.payload))
    }
}
