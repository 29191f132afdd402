import CBatonSys
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Idles in three phases that get cheaper and slower: spin (CPU pause hint)
/// for `maxSpins` idle steps, then yield (`sched_yield`) for `maxYields`
/// steps, then park (`nanosleep`) for a period that starts at `minParkNanos`
/// and doubles on every further step up to `maxParkNanos`. Any duty cycle that
/// did work resets it to the start.
///
/// Trade-off: a burst of work right after the previous one is seen with
/// busy-spin latency, while a long idle costs almost no CPU (one wake-up per
/// `maxParkNanos`). The price is latency after a long idle: up to
/// `maxParkNanos` (plus the kernel's timer slack) before the first message of
/// a new burst is seen, and `stop()` waits up to that long. The default for
/// Baton's stages; Agrona's defaults (10 spins, 5 yields, 1 µs to 1 ms).
///
/// Steps after a reset, numbered from 1: steps 1...maxSpins spin, the next
/// maxYields steps yield, every later step parks.
///
/// Invariant: `0 <= maxSpins`, `0 <= maxYields`,
/// `1 <= minParkNanos <= maxParkNanos <= 1 s`; while parking,
/// `minParkNanos <= parkPeriodNanos <= maxParkNanos`.
/// Threading: a value owned by one runner; called only on that runner's
/// thread. Read its `phase`/`parkCount` from elsewhere only once the runner
/// has stopped (`AgentRunner.idleStrategyAfterStop`).
@frozen
public struct BackoffIdleStrategy: IdleStrategy, Sendable {
    /// What the last idle step did.
    @frozen
    public enum Phase: Int, Sendable, Equatable, CustomStringConvertible {
        /// No idle step since the last reset (work was done).
        case notIdle = 0
        /// The last step executed a CPU pause hint.
        case spinning = 1
        /// The last step yielded the CPU (`sched_yield`).
        case yielding = 2
        /// The last step slept (`nanosleep`).
        case parking = 3

        public var description: String {
            switch self {
            case .notIdle: return "not-idle"
            case .spinning: return "spinning"
            case .yielding: return "yielding"
            case .parking: return "parking"
            }
        }
    }

    public static let defaultMaxSpins = 10
    public static let defaultMaxYields = 5
    public static let defaultMinParkNanos: Int64 = 1_000
    public static let defaultMaxParkNanos: Int64 = 1_000_000
    /// The longest park accepted: a runner's `stop()` may wait this long.
    public static let limitParkNanos: Int64 = 1_000_000_000

    public let maxSpins: Int
    public let maxYields: Int
    public let minParkNanos: Int64
    public let maxParkNanos: Int64

    /// What the last idle step did.
    @inlinable public var phase: Phase { lastPhase }
    /// Spin steps since the last reset (at most `maxSpins`).
    @inlinable public var spinCount: Int { spinsSinceReset }
    /// Yield steps since the last reset (at most `maxYields`).
    @inlinable public var yieldCount: Int { yieldsSinceReset }
    /// The period the next park will sleep.
    @inlinable public var parkPeriodNanos: Int64 { nextParkNanos }
    /// Parks since this strategy was created (never reset): a statistic.
    @inlinable public var parkCount: Int { parksTotal }

    @usableFromInline var lastPhase: Phase
    @usableFromInline var spinsSinceReset: Int
    @usableFromInline var yieldsSinceReset: Int
    @usableFromInline var nextParkNanos: Int64
    @usableFromInline var parksTotal: Int

    @inlinable
    public init(maxSpins: Int = BackoffIdleStrategy.defaultMaxSpins,
                maxYields: Int = BackoffIdleStrategy.defaultMaxYields,
                minParkNanos: Int64 = BackoffIdleStrategy.defaultMinParkNanos,
                maxParkNanos: Int64 = BackoffIdleStrategy.defaultMaxParkNanos) {
        precondition(maxSpins >= 0, "backoff maxSpins must be >= 0, got \(maxSpins)")
        precondition(maxYields >= 0, "backoff maxYields must be >= 0, got \(maxYields)")
        precondition(minParkNanos >= 1, "backoff minPark must be >= 1 ns, got \(minParkNanos)")
        precondition(minParkNanos <= maxParkNanos,
                     "backoff minPark (\(minParkNanos) ns) must be <= maxPark (\(maxParkNanos) ns)")
        precondition(maxParkNanos <= Self.limitParkNanos,
                     "backoff maxPark must be <= 1 s, got \(maxParkNanos) ns")
        self.maxSpins = maxSpins
        self.maxYields = maxYields
        self.minParkNanos = minParkNanos
        self.maxParkNanos = maxParkNanos
        self.lastPhase = .notIdle
        self.spinsSinceReset = 0
        self.yieldsSinceReset = 0
        self.nextParkNanos = minParkNanos
        self.parksTotal = 0
    }

    @inlinable
    public var name: String { "backoff" }

    @inlinable
    public mutating func idle() {
        if spinsSinceReset < maxSpins {
            spinsSinceReset &+= 1
            lastPhase = .spinning
            baton_cpu_pause()
        } else if yieldsSinceReset < maxYields {
            yieldsSinceReset &+= 1
            lastPhase = .yielding
            sched_yield()
        } else {
            park()
        }
    }

    /// The parking step, out of line: it is about to sleep anyway.
    @inlinable @inline(never)
    mutating func park() {
        if lastPhase != .parking {
            lastPhase = .parking
            nextParkNanos = minParkNanos
        }
        SleepingIdleStrategy.sleep(nanos: nextParkNanos)
        parksTotal &+= 1
        nextParkNanos = Swift.min(nextParkNanos &* 2, maxParkNanos)
    }

    @inlinable @inline(__always)
    public mutating func reset() {
        spinsSinceReset = 0
        yieldsSinceReset = 0
        lastPhase = .notIdle
    }
}
