#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Idles by sleeping a fixed period (`nanosleep`).
///
/// Trade-off: close to zero CPU at idle, but every idle step adds up to one
/// period of latency before new work is seen — in practice more, because
/// Linux rounds short sleeps up by the thread's timer slack (50 µs by
/// default), so periods below ~50 µs all behave about the same. Suits
/// background agents (retention, metrics) and small or shared machines; for
/// latency-critical stages prefer `BackoffIdleStrategy`, which only sleeps
/// after spinning and yielding first.
///
/// Invariant: `periodNanos` is in 1...1_000_000_000; `idle()` sleeps at least
/// that long (or returns early only on a signal).
/// Threading: a value owned by one runner; called only on that runner's thread.
@frozen
public struct SleepingIdleStrategy: IdleStrategy, Sendable, Equatable {
    /// Agrona's default period: 1 µs (which Linux rounds up to its timer slack).
    public static let defaultPeriodNanos: Int64 = 1_000

    /// How long one idle step sleeps.
    public let periodNanos: Int64

    @inlinable
    public init(periodNanos: Int64 = SleepingIdleStrategy.defaultPeriodNanos) {
        precondition(periodNanos >= 1 && periodNanos <= 1_000_000_000,
                     "sleeping idle period must be in 1ns...1s, got \(periodNanos) ns")
        self.periodNanos = periodNanos
    }

    @inlinable
    public var name: String { "sleeping" }

    @inlinable
    public mutating func idle() { Self.sleep(nanos: periodNanos) }

    @inlinable @inline(__always)
    public mutating func reset() {}

    /// Sleeps the calling thread for `nanos` nanoseconds (one `nanosleep`; an
    /// interrupted sleep is not resumed — the duty cycle will idle again).
    @inlinable
    static func sleep(nanos: Int64) {
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000),
                               tv_nsec: Int(nanos % 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
