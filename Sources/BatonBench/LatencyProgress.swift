/// The live figures of a latency run after each interval: what the
/// progress line on stderr shows. Rates are per second over the interval;
/// the p99s are of everything measured so far (nil in the warm-up and
/// before the first value). A plain value: `Sendable`.
public struct LatencyProgress: Equatable, Sendable {
    /// Seconds since the first due time at the interval's end.
    public var elapsedSeconds: Double
    /// The interval's length (the last one of a run is usually short: the drain).
    public var intervalSeconds: Double
    public var isWarmup: Bool
    public var sentPerSecond: Double
    public var ackedPerSecond: Double
    public var deliveredPerSecond: Double
    public var ackP99SoFarNanos: UInt64?
    public var deliveryP99SoFarNanos: UInt64?

    public init(elapsedSeconds: Double, intervalSeconds: Double, isWarmup: Bool, sentPerSecond: Double,
                ackedPerSecond: Double, deliveredPerSecond: Double, ackP99SoFarNanos: UInt64?, deliveryP99SoFarNanos: UInt64?) {
        self.elapsedSeconds = elapsedSeconds
        self.intervalSeconds = intervalSeconds
        self.isWarmup = isWarmup
        self.sentPerSecond = sentPerSecond
        self.ackedPerSecond = ackedPerSecond
        self.deliveredPerSecond = deliveredPerSecond
        self.ackP99SoFarNanos = ackP99SoFarNanos
        self.deliveryP99SoFarNanos = deliveryP99SoFarNanos
    }

    /// "[   3.0 s] sent 20,000/s acked 20,001/s delivered 19,998/s | p99 so far: ack 210.4 µs, delivery 388.1 µs";
    /// an interval under half a second (the drain at the end) gives counts, not
    /// rates: "[   7.0 s] last 3.2 ms: sent 0 acked 17 delivered 17 | ...".
    public var line: String {
        var text = "[" + Self.padded(DecimalText.fixed(elapsedSeconds, 1), 6) + " s] "
        if intervalSeconds < 0.5 {
            func count(_ perSecond: Double) -> String { DecimalText.grouped(Int64((perSecond * intervalSeconds).rounded())) }
            text += "last " + DecimalText.latency(UInt64(max(0, intervalSeconds * 1e9))) + ": sent " + count(sentPerSecond)
            text += " acked " + count(ackedPerSecond) + " delivered " + count(deliveredPerSecond)
        } else {
            text += "sent " + DecimalText.grouped(Int64(sentPerSecond.rounded())) + "/s"
            text += " acked " + DecimalText.grouped(Int64(ackedPerSecond.rounded())) + "/s"
            text += " delivered " + DecimalText.grouped(Int64(deliveredPerSecond.rounded())) + "/s"
        }
        if isWarmup { return text + " (warm-up)" }
        text += " | p99 so far: ack " + (ackP99SoFarNanos.map(DecimalText.latency) ?? "-")
        text += ", delivery " + (deliveryP99SoFarNanos.map(DecimalText.latency) ?? "-")
        return text
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
