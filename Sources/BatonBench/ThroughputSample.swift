/// The counters of a throughput run at one moment, and the rates since the
/// sample before: one per-second line. A plain value: `Sendable`.
public struct ThroughputSample: Equatable, Sendable {
    /// Seconds since publishing started.
    public var elapsedSeconds: Double
    /// Seconds since the previous sample.
    public var intervalSeconds: Double
    /// Whether the interval began inside the warm-up.
    public var isWarmup: Bool
    /// Running totals: messages acknowledged (all publishers), delivered (all subscribers), payload bytes delivered.
    public var acked: Int64
    public var delivered: Int64
    public var deliveredBytes: Int64
    /// Rates over the interval.
    public var ackedPerSecond: Double
    public var ackedMegabytesPerSecond: Double
    public var deliveredPerSecond: Double
    public var deliveredMegabytesPerSecond: Double

    public init(elapsedSeconds: Double, intervalSeconds: Double, isWarmup: Bool, acked: Int64, delivered: Int64,
                deliveredBytes: Int64, ackedPerSecond: Double, ackedMegabytesPerSecond: Double, deliveredPerSecond: Double,
                deliveredMegabytesPerSecond: Double) {
        self.elapsedSeconds = elapsedSeconds
        self.intervalSeconds = intervalSeconds
        self.isWarmup = isWarmup
        self.acked = acked
        self.delivered = delivered
        self.deliveredBytes = deliveredBytes
        self.ackedPerSecond = ackedPerSecond
        self.ackedMegabytesPerSecond = ackedMegabytesPerSecond
        self.deliveredPerSecond = deliveredPerSecond
        self.deliveredMegabytesPerSecond = deliveredMegabytesPerSecond
    }

    /// "[   3.0 s] acked 512,345 msgs/s 51.2 MB/s | delivered 510,000 msgs/s 51.0 MB/s"
    public var line: String {
        var text = "[" + LatencyProgress.padded(DecimalText.fixed(elapsedSeconds, 1), 6) + " s] "
        text += "acked " + LatencyProgress.padded(DecimalText.grouped(Int64(ackedPerSecond.rounded())), 11) + " msgs/s "
        text += LatencyProgress.padded(DecimalText.fixed(ackedMegabytesPerSecond, 1), 7) + " MB/s"
        text += " | delivered " + LatencyProgress.padded(DecimalText.grouped(Int64(deliveredPerSecond.rounded())), 11) + " msgs/s "
        text += LatencyProgress.padded(DecimalText.fixed(deliveredMegabytesPerSecond, 1), 7) + " MB/s"
        return isWarmup ? text + " (warm-up)" : text
    }
}
