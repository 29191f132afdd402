/// What the sender thread records during one interval of a run: the four
/// latency histograms and the interval's message counts. At each interval
/// boundary the whole value is swapped with the `IntervalReporter`'s (no
/// copy, no allocation) and the reporter summarises, logs and empties it.
///
/// Invariant: owned by exactly one thread at a time — the sender while it
/// records, the reporter between a hand-off and the release of the slot.
public struct IntervalRecording: Sendable {
    public var histograms = LatencyHistograms()
    /// Monotonic nanoseconds when the interval began and ended (end set at hand-off).
    public var startNanos: Int64 = 0
    public var endNanos: Int64 = 0
    /// True for intervals of the warm-up (nothing is recorded in them; only counts).
    public var isWarmup = false
    /// Messages sent, acknowledged and delivered (each delivery to each subscriber) during the interval,
    /// counting only messages of the interval's own phase: a warm-up message whose send, ack or delivery
    /// falls after measurement began (a slow machine makes them straggle) is in no measured interval.
    public var sent: Int64 = 0
    public var acked: Int64 = 0
    public var delivered: Int64 = 0
    /// Values outside the histograms' range, recorded clamped to it.
    public var clampedValues: Int64 = 0

    public init() {}

    /// Starts the interval at `nanos` (the histograms must already be empty).
    mutating func begin(at nanos: Int64, isWarmup: Bool) {
        startNanos = nanos
        endNanos = nanos
        self.isWarmup = isWarmup
        sent = 0
        acked = 0
        delivered = 0
        clampedValues = 0
    }
}
