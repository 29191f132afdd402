import BatonProtocol

/// How a `Publisher` publishes. Checked when the publisher is made
/// (`invalidArgument` names the bad field). A plain value: `Sendable`.
///
/// Memory: `bufferBytes` (the unacknowledged batches, encoded) plus 32 bytes
/// per batch slot (at most `windowMessages`, capped at 65,536), allocated
/// once when the publisher is made.
public struct PublisherConfiguration: Sendable {
    /// The stream every message of this publisher goes to.
    public var streamId: UInt32
    /// The producer id; nil picks a random 64-bit one. Kept across reconnects.
    public var producerId: UInt64?
    /// The sequence of the first message (the broker drops any message whose
    /// sequence is not above the last it logged for this producer).
    public var firstSequence: UInt64 = 0
    /// Messages sent but not acknowledged, at most; `offer` reports
    /// `.backPressured` beyond.
    public var windowMessages: Int = 65_536
    /// Bytes of the buffer holding unacknowledged batches.
    public var bufferBytes: Int = 16 * 1_024 * 1_024
    /// Upper bound of one Publish message's bytes (also capped by the broker's `maxMessageLength`).
    public var batchBytesMax: Int = 256 * 1_024
    /// Upper bound of messages per batch; nil uses the broker's `maxBatchCount`.
    public var batchCountMax: Int?
    /// How long a batch waits for more messages after its first before it is
    /// sent (checked by `offer` and `poll`); `flush()` sends at once.
    public var linger: Duration = .microseconds(20)
    /// How long to wait before resending after the broker answered `backPressure`.
    public var backPressureRetryDelay: Duration = .milliseconds(1)
    public var connection = ConnectionOptions()

    public init(streamId: UInt32) {
        self.streamId = streamId
    }

    func validate() throws(BatonClientError) {
        if streamId == ClientProtocol.allStreams {
            throw .invalidArgument("stream \(streamId) means every stream: a publisher needs one stream")
        }
        if windowMessages < 1 { throw .invalidArgument("windowMessages \(windowMessages) must be at least 1") }
        if bufferBytes < 64 * 1_024 { throw .invalidArgument("bufferBytes \(bufferBytes) must be at least 65536") }
        if batchBytesMax < 1_024 || batchBytesMax > bufferBytes / 2 {
            throw .invalidArgument("batchBytesMax \(batchBytesMax) must be 1024 to bufferBytes / 2 (\(bufferBytes / 2))")
        }
        if linger > .seconds(10) { throw .invalidArgument("linger \(linger) must be at most 10 seconds") }
        if backPressureRetryDelay > .seconds(10) {
            throw .invalidArgument("backPressureRetryDelay \(backPressureRetryDelay) must be at most 10 seconds")
        }
        if let batchCountMax, batchCountMax < 1 { throw .invalidArgument("batchCountMax \(batchCountMax) must be at least 1") }
    }
}
