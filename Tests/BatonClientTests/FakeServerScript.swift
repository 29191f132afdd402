import BatonProtocol

/// An Error the fake server sends.
struct FakeError: Sendable, Equatable {
    var code: ClientErrorCode
    var text: String
}

/// One frame of the fake server's log (what a subscriber reads).
struct FakeFrame: Sendable, Equatable {
    var streamId: UInt32
    var producerId: UInt64
    var sequence: UInt64
    var payload: [UInt8]
}

/// What the fake server does: its limits, the faults it injects, the log it serves.
struct FakeServerScript: Sendable {
    var maxMessageLength = ClientProtocol.defaultMaxMessageLength
    var maxPayloadLength = ClientProtocol.defaultMaxPayloadLength
    var maxBatchCount = ClientProtocol.defaultMaxBatchCount
    var heartbeatIntervalMillis = 1_000
    /// Answer Hello with this Error (then close) instead of Welcome.
    var refuseHello: FakeError?
    /// Answer the first Publish with this Error (closing after it when fatal).
    var errorOnFirstPublish: FakeError?
    /// Refuse the first Publish with `backPressure` (and every later batch of
    /// that producer until the refused one is resent).
    var backPressureFirstPublish = false
    /// In the first session only: log this many Publish messages, then reset
    /// the connection without acknowledging them.
    var dropFirstSessionAfterPublishes: Int?
    /// Acknowledge publishes at once (else only after `setAcking(true)`).
    var acking = true
    /// The log served to subscribers.
    var frames: [FakeFrame] = []
    /// Insert a padding frame of this many bytes after frame `paddingAfterFrame`.
    var paddingAfterFrame: Int?
    var paddingBytes = 64
    /// Flip one payload byte of this frame after sealing it.
    var corruptFrame: Int?
    /// Frames per Deliver message.
    var framesPerDeliver = 4
    /// Send padding frames in Deliver (the protocol allows a client to find them).
    var deliverPadding = true

    init() {}
}
