/// How an open-loop latency run goes: the rate, how long it warms up and
/// measures, how far sends may run ahead of acknowledgements, the interval
/// of the live line and of the `.hlog`, and how long to wait for stragglers.
/// Checked by `validate()` (the message names the field). A plain value.
public struct OpenLoopConfiguration: Equatable, Sendable {
    public var ratePerSecond: Int
    public var warmupNanos: Int64
    public var durationNanos: Int64
    /// Messages sent but not acknowledged, at most (rounded up to a power of two).
    public var windowMessages: Int = 65_536
    public var intervalNanos: Int64 = 1_000_000_000
    /// After the last due time, how long to wait for acknowledgements and deliveries.
    public var drainTimeoutNanos: Int64 = 10_000_000_000
    /// Keep every interval's histograms, encoded, for an `.hlog`.
    public var keepsIntervalLog = true
    /// From the call to the first due time (time to start the reporter thread).
    public var startDelayNanos: Int64 = 10_000_000

    public init(ratePerSecond: Int, warmupNanos: Int64, durationNanos: Int64) {
        self.ratePerSecond = ratePerSecond
        self.warmupNanos = warmupNanos
        self.durationNanos = durationNanos
    }

    /// Messages sent in the warm-up (not measured).
    public var warmupMessages: Int64 { Int64((Double(warmupNanos) * Double(ratePerSecond) / 1e9).rounded()) }
    /// Messages measured.
    public var measuredMessages: Int64 { Int64((Double(durationNanos) * Double(ratePerSecond) / 1e9).rounded()) }

    public func validate() throws(BenchError) {
        guard ratePerSecond > 0 && ratePerSecond <= 100_000_000 else {
            throw BenchError("rate \(ratePerSecond) msgs/s must be 1 to 100,000,000")
        }
        guard durationNanos > 0, measuredMessages >= 1 else {
            throw BenchError("duration must be long enough for at least one message at \(ratePerSecond) msgs/s")
        }
        guard warmupNanos >= 0 else { throw BenchError("warm-up must not be negative") }
        guard warmupMessages + measuredMessages < 1 << 40 else { throw BenchError("rate x duration is too many messages") }
        guard windowMessages >= 1 && windowMessages <= 1 << 24 else {
            throw BenchError("window \(windowMessages) must be 1 to 16,777,216 messages")
        }
        guard intervalNanos >= 10_000_000 else { throw BenchError("interval must be at least 10 ms") }
        guard drainTimeoutNanos >= 0 else { throw BenchError("drain timeout must not be negative") }
    }
}
