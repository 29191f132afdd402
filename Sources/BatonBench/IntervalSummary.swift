/// One measured interval of a latency run in figures: when (seconds after
/// measurement started), how many messages, and the interval's corrected
/// p99 and max for ack and delivery. A plain value: `Sendable`.
public struct IntervalSummary: Equatable, Sendable {
    public var startSeconds: Double
    public var lengthSeconds: Double
    public var sent: Int64
    public var acked: Int64
    public var delivered: Int64
    public var ackP99Nanos: UInt64
    public var ackMaxNanos: UInt64
    public var deliveryP99Nanos: UInt64
    public var deliveryMaxNanos: UInt64

    public init(startSeconds: Double, lengthSeconds: Double, sent: Int64, acked: Int64, delivered: Int64,
                ackP99Nanos: UInt64, ackMaxNanos: UInt64, deliveryP99Nanos: UInt64, deliveryMaxNanos: UInt64) {
        self.startSeconds = startSeconds
        self.lengthSeconds = lengthSeconds
        self.sent = sent
        self.acked = acked
        self.delivered = delivered
        self.ackP99Nanos = ackP99Nanos
        self.ackMaxNanos = ackMaxNanos
        self.deliveryP99Nanos = deliveryP99Nanos
        self.deliveryMaxNanos = deliveryMaxNanos
    }
}
