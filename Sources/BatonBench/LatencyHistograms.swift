import Histogram

/// One histogram per `LatencySeries`, all of the same layout: nanoseconds
/// from 1 µs discernible to 60 s trackable at 3 significant digits
/// (longer values are clamped to 60 s and counted by the recorder).
///
/// Invariant: the four share one layout, so any two `LatencyHistograms`
/// add. A value type (the arrays inside are copy-on-write); `Sendable`.
public struct LatencyHistograms: Sendable {
    public static let lowestDiscernibleNanos: UInt64 = 1_000
    public static let highestTrackableNanos: UInt64 = 60_000_000_000

    public var ackCorrected: Histogram<UInt64>
    public var ackUncorrected: Histogram<UInt64>
    public var deliveryCorrected: Histogram<UInt64>
    public var deliveryUncorrected: Histogram<UInt64>

    /// Four empty histograms.
    public init() {
        ackCorrected = Self.makeHistogram()
        ackUncorrected = Self.makeHistogram()
        deliveryCorrected = Self.makeHistogram()
        deliveryUncorrected = Self.makeHistogram()
    }

    /// An empty histogram of the shared layout.
    public static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(lowestDiscernibleValue: lowestDiscernibleNanos, highestTrackableValue: highestTrackableNanos,
                          numberOfSignificantValueDigits: .three)
    }

    public subscript(series: LatencySeries) -> Histogram<UInt64> {
        get {
            switch series {
            case .ackCorrected: return ackCorrected
            case .ackUncorrected: return ackUncorrected
            case .deliveryCorrected: return deliveryCorrected
            case .deliveryUncorrected: return deliveryUncorrected
            }
        }
        set {
            switch series {
            case .ackCorrected: ackCorrected = newValue
            case .ackUncorrected: ackUncorrected = newValue
            case .deliveryCorrected: deliveryCorrected = newValue
            case .deliveryUncorrected: deliveryUncorrected = newValue
            }
        }
    }

    /// Adds every count of `other`, series by series.
    public mutating func add(_ other: LatencyHistograms) {
        ackCorrected.add(other.ackCorrected)
        ackUncorrected.add(other.ackUncorrected)
        deliveryCorrected.add(other.deliveryCorrected)
        deliveryUncorrected.add(other.deliveryUncorrected)
    }

    /// Empties all four (in place: no allocation when the storage is not shared).
    public mutating func reset() {
        ackCorrected.reset()
        ackUncorrected.reset()
        deliveryCorrected.reset()
        deliveryUncorrected.reset()
    }
}
