import Histogram

/// The figures of one latency histogram that a report shows: count, min,
/// mean, max, standard deviation and the standard percentiles, in
/// nanoseconds at histogram precision (each percentile is the highest value
/// equivalent to it, as HdrHistogram reports them).
///
/// A plain value: `Sendable`.
public struct LatencySummary: Equatable, Sendable {
    /// The percentiles every report gives.
    public static let percentiles: [Double] = [50, 90, 99, 99.9, 99.99, 99.999]
    /// Their names ("50", "99.9", ...), as JSON keys and column heads.
    public static let percentileNames = ["50", "90", "99", "99.9", "99.99", "99.999"]

    public let count: UInt64
    public let minNanos: UInt64
    public let maxNanos: UInt64
    public let meanNanos: Double
    public let standardDeviationNanos: Double
    /// The value at each of `percentiles`, in order (0 when empty).
    public let percentileNanos: [UInt64]

    public init(_ histogram: Histogram<UInt64>) {
        count = histogram.totalCount
        if count == 0 {
            minNanos = 0
            maxNanos = 0
            meanNanos = 0
            standardDeviationNanos = 0
            percentileNanos = Self.percentiles.map { _ in 0 }
        } else {
            minNanos = histogram.min
            maxNanos = histogram.max
            meanNanos = histogram.mean
            standardDeviationNanos = histogram.stdDeviation
            percentileNanos = Self.percentiles.map { histogram.valueAtPercentile($0) }
        }
    }

    /// The value at `percentile` (one of `percentiles`).
    public func nanos(atPercentile percentile: Double) -> UInt64 {
        guard let index = Self.percentiles.firstIndex(of: percentile) else {
            preconditionFailure("\(percentile) is not one of the reported percentiles")
        }
        return percentileNanos[index]
    }
}
