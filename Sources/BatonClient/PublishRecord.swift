/// One Publish message (a batch) held in a `PublishBuffer` until the broker
/// acknowledges its last sequence.
///
/// Invariant: `count >= 1` once closed; `[offset, offset + length)` lies in
/// the buffer's byte ring and holds the whole length-prefixed message.
/// A plain value.
struct PublishRecord {
    /// Where the message starts in the byte ring.
    var offset: Int
    /// Bytes of the message, length prefix included (0 while open).
    var length: Int
    var firstSequence: UInt64
    /// Messages in the batch (0 while open; the open count is `PublishBuffer.openCount`).
    var count: Int

    var lastSequence: UInt64 { firstSequence &+ UInt64(truncatingIfNeeded: count) &- 1 }
}
