/// What an open-loop latency run measured: the four histograms over the
/// measured period (the sum of its intervals), each interval summarised
/// and (optionally) encoded for the `.hlog`, and how the sends went against
/// the schedule. A plain value: `Sendable`.
public struct OpenLoopResult: Sendable {
    public var configuration: OpenLoopConfiguration
    public var schedule: OpenLoopSchedule
    public var histograms: LatencyHistograms
    public var intervals: [IntervalSummary]
    /// One entry per interval and series, in time order (empty unless `keepsIntervalLog`).
    public var log: [HistogramLogEntry]
    /// Wall-clock nanoseconds when measurement started (the `.hlog` base time).
    public var measureStartWallNanos: Int64
    public var deliveriesPerMessage: Int
    /// Messages sent (all, and of the measured period).
    public var sent: Int64
    public var sentMeasured: Int64
    /// Messages acknowledged, and deliveries received (all subscribers), warm-up included.
    public var acked: Int64
    public var delivered: Int64
    /// Sends later than one period after their due time.
    public var lateSends: Int64
    /// The latest a send went out after its due time.
    public var maxSendLagNanos: Int64
    /// Loop rounds in which the target refused an offer (back-pressure).
    public var offersRefused: Int64
    /// Loop rounds in which the window of unacknowledged messages was full.
    public var windowFullRounds: Int64
    /// Latencies outside the histograms' range, recorded clamped.
    public var clampedValues: Int64
    /// Seconds from the first measured due time to the last measured send, plus one period.
    public var measuredSendSeconds: Double
    /// Seconds from the first due time to the end of the run (drain included).
    public var totalSeconds: Double

    /// Messages the schedule held (warm-up included).
    public var scheduled: Int64 { schedule.messageCount }
    /// Measured messages sent per second.
    public var achievedRatePerSecond: Double {
        measuredSendSeconds > 0 ? Double(sentMeasured) / measuredSendSeconds : 0
    }
    public var unsent: Int64 { scheduled - sent }
    public var missingAcks: Int64 { scheduled - acked }
    public var missingDeliveries: Int64 { scheduled * Int64(deliveriesPerMessage) - delivered }
    /// Every message was sent, acknowledged and delivered.
    public var isComplete: Bool { unsent == 0 && missingAcks == 0 && missingDeliveries == 0 }
}
