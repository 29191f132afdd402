/// What a throughput run measured: the per-second samples and the overall
/// rates over the measured window (after the warm-up, until publishing
/// stopped — or, with only `--count`, until the last acknowledgement, and
/// for delivery the last delivery). MB are 10^6 bytes of payload.
/// A plain value: `Sendable`.
public struct ThroughputResult: Sendable {
    public var samples: [ThroughputSample]
    public var publishers: Int
    public var subscribers: Int
    public var payloadLength: Int
    /// The measured windows, in seconds.
    public var ackedSeconds: Double
    public var deliveredSeconds: Double
    /// Messages acknowledged / delivered inside the windows.
    public var ackedInWindow: Int64
    public var deliveredInWindow: Int64
    public var deliveredBytesInWindow: Int64
    /// Totals over the whole run.
    public var totalAcked: Int64
    public var totalDelivered: Int64

    public var ackedPerSecond: Double { ackedSeconds > 0 ? Double(ackedInWindow) / ackedSeconds : 0 }
    public var ackedMegabytesPerSecond: Double { ackedPerSecond * Double(payloadLength) / 1e6 }
    public var deliveredPerSecond: Double { deliveredSeconds > 0 ? Double(deliveredInWindow) / deliveredSeconds : 0 }
    public var deliveredMegabytesPerSecond: Double {
        deliveredSeconds > 0 ? Double(deliveredBytesInWindow) / deliveredSeconds / 1e6 : 0
    }
    /// Every acknowledged message reached every subscriber.
    public var isComplete: Bool { totalDelivered == totalAcked * Int64(subscribers) }

    /// The overall lines of the report.
    public var summaryLines: [String] {
        var lines = ["acknowledged: \(DecimalText.grouped(ackedInWindow)) messages in \(DecimalText.fixed(ackedSeconds, 2)) s: "
            + "\(DecimalText.grouped(Int64(ackedPerSecond.rounded()))) msgs/s, \(DecimalText.fixed(ackedMegabytesPerSecond, 1)) MB/s "
            + "(\(publishers) publishers x \(payloadLength) bytes)"]
        if subscribers > 0 {
            lines.append("delivered:    \(DecimalText.grouped(deliveredInWindow)) messages in \(DecimalText.fixed(deliveredSeconds, 2)) s: "
                + "\(DecimalText.grouped(Int64(deliveredPerSecond.rounded()))) msgs/s, "
                + "\(DecimalText.fixed(deliveredMegabytesPerSecond, 1)) MB/s ("
                + (subscribers == 1 ? "1 subscriber)" : "\(subscribers) subscribers together)"))
            if !isComplete {
                lines.append("incomplete: \(DecimalText.grouped(totalDelivered)) deliveries of \(DecimalText.grouped(totalAcked * Int64(subscribers))) expected")
            }
        }
        return lines
    }
}
