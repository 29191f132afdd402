import BatonNet

/// How a `bench throughput` run goes: P publishers (a thread and connection
/// each) on `publishTo`, one subscriber per entry of `subscribeTo` (a thread
/// and connection each), the payload size, how long (a measured duration
/// after the warm-up, and/or a message count per publisher), the window of
/// unacknowledged messages per publisher, and how long to wait for the last
/// deliveries. Checked by `validate()`. A plain value: `Sendable`.
public struct ThroughputConfiguration: Sendable {
    public var publishTo: IPv4SocketAddress
    public var subscribeTo: [IPv4SocketAddress]
    public var publishers: Int
    public var payloadLength: Int
    /// Publishing stops this long after the warm-up (nil: only `countPerPublisher` ends it).
    public var durationNanos: Int64?
    /// Each publisher stops after this many messages (nil: only the duration ends it).
    public var countPerPublisher: Int?
    public var warmupNanos: Int64 = 0
    public var windowMessages: Int = 65_536
    public var streamId: UInt32 = 1
    /// How long to wait for the last acknowledgements and deliveries; also the
    /// longest the run goes on with no acknowledgement at all before it fails.
    public var drainTimeoutNanos: Int64 = 30_000_000_000
    /// Producer ids are `runTag | publisher index`: the subscribers count only these.
    public var runTag: UInt64

    public init(publishTo: IPv4SocketAddress, subscribeTo: [IPv4SocketAddress], publishers: Int, payloadLength: Int,
                durationNanos: Int64?, countPerPublisher: Int?, runTag: UInt64) {
        self.publishTo = publishTo
        self.subscribeTo = subscribeTo
        self.publishers = publishers
        self.payloadLength = payloadLength
        self.durationNanos = durationNanos
        self.countPerPublisher = countPerPublisher
        self.runTag = runTag & ~0xFFFF
    }

    public func validate() throws(BenchError) {
        guard publishers >= 1 && publishers <= 1_024 else { throw BenchError("--publishers \(publishers) must be 1 to 1024") }
        guard subscribeTo.count <= 1_024 else { throw BenchError("--subscribers \(subscribeTo.count) must be 0 to 1024") }
        guard payloadLength >= 24 else {
            throw BenchError("--size \(payloadLength): throughput messages are self-verifying generated payloads of at least 24 bytes")
        }
        guard durationNanos != nil || countPerPublisher != nil else { throw BenchError("give --duration, --count or both") }
        if let durationNanos, durationNanos <= 0 { throw BenchError("--duration must be positive") }
        if let countPerPublisher, countPerPublisher <= 0 { throw BenchError("--count must be positive") }
        guard warmupNanos >= 0 else { throw BenchError("--warmup must not be negative") }
        guard windowMessages >= 1 else { throw BenchError("--window must be at least 1") }
    }
}
