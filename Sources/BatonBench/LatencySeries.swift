/// The four latency series a `bench latency` run records. "Corrected"
/// measures from when a message *should* have been sent (its slot in the
/// schedule fixed in advance), so a stall is charged to every message it
/// delayed; "uncorrected" from when it was actually sent, the figure a
/// closed-loop tool would report (coordinated omission).
///
/// A plain value: `Sendable`.
public enum LatencySeries: Int, CaseIterable, Sendable {
    case ackCorrected
    case ackUncorrected
    case deliveryCorrected
    case deliveryUncorrected

    /// The `.hlog` tag: the headline series (ack, corrected) is untagged, so
    /// tools that read only untagged intervals see it.
    public var logTag: String? {
        switch self {
        case .ackCorrected: return nil
        case .ackUncorrected: return "ack-uncorrected"
        case .deliveryCorrected: return "delivery"
        case .deliveryUncorrected: return "delivery-uncorrected"
        }
    }

    /// Words for people: "publish→ack (corrected)".
    public var title: String {
        switch self {
        case .ackCorrected: return "publish→ack (corrected)"
        case .ackUncorrected: return "publish→ack (uncorrected)"
        case .deliveryCorrected: return "publish→delivery (corrected)"
        case .deliveryUncorrected: return "publish→delivery (uncorrected)"
        }
    }

    /// A key for file names and JSON: "ack", "ack-uncorrected", "delivery", "delivery-uncorrected".
    public var key: String { logTag ?? "ack" }

    public var isDelivery: Bool { self == .deliveryCorrected || self == .deliveryUncorrected }
    public var isCorrected: Bool { self == .ackCorrected || self == .deliveryCorrected }
}
