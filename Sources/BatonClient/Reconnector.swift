#if canImport(Glibc)
import Glibc
#endif

/// A client that can open its session again after a retryable failure
/// (`Publisher` resends what is unacknowledged; `Subscriber` resumes after
/// the last message it received).
public protocol ReconnectingClient: AnyObject {
    func reconnect() throws(BatonClientError)
}

extension Publisher: ReconnectingClient {}
extension Subscriber: ReconnectingClient {}

/// How many times to reconnect and how long to wait before each attempt:
/// `initialDelayMillis` doubling to at most `maximumDelayMillis` (the
/// defaults: 100 ms to 2 s, so ten attempts span about 12 s — a node restart).
///
/// Threading: a value; any thread.
public struct ReconnectPolicy: Sendable, Equatable {
    public var attempts: Int
    public var initialDelayMillis: Int = 100
    public var maximumDelayMillis: Int = 2_000

    public init(attempts: Int) { self.attempts = attempts }

    /// The pause before attempt `attempt` (1, 2, ...).
    public func delayMillis(attempt: Int) -> Int {
        precondition(attempt >= 1, "attempts count from 1")
        var delay = initialDelayMillis
        for _ in 1..<attempt where delay < maximumDelayMillis { delay *= 2 }
        return min(delay, maximumDelayMillis)
    }
}

/// The reconnect loop every client tool needs, once: after a retryable
/// failure it pauses (as the policy says) and reconnects, again while the
/// reconnect itself fails retryably, until it succeeds or the policy's
/// attempts are spent; a non-retryable error ends it at once. `reset()`
/// after progress gives a later outage every attempt again. The pause is
/// passed in (tests record it instead of sleeping).
///
/// Invariant: `attemptsUsed <= policy.attempts`. Threading: the client's thread.
public struct Reconnector {
    public let policy: ReconnectPolicy
    public private(set) var attemptsUsed = 0
    private let pause: (Int) -> Void

    public init(policy: ReconnectPolicy, pause: @escaping (_ millis: Int) -> Void = Reconnector.sleep) {
        self.policy = policy
        self.pause = pause
    }

    /// The client made progress: a later outage gets every attempt again.
    public mutating func reset() { attemptsUsed = 0 }

    /// Reconnects `client` after `error`. Returns nil once reconnected, or
    /// the error that ended the attempts (not retryable, or the last one).
    /// `willRetry(error, attempt)` is told before each attempt (to report it).
    public mutating func recover(_ client: some ReconnectingClient, after error: BatonClientError,
                                 willRetry: (BatonClientError, Int) -> Void = { _, _ in }) -> BatonClientError? {
        var error = error
        while error.isRetryable && attemptsUsed < policy.attempts {
            attemptsUsed += 1
            willRetry(error, attemptsUsed)
            pause(policy.delayMillis(attempt: attemptsUsed))
            do {
                try client.reconnect()
                return nil
            } catch let next {
                error = next
            }
        }
        return error
    }

    /// Waits `millis` (the default pause).
    public static func sleep(millis: Int) {
        var request = timespec(tv_sec: millis / 1_000, tv_nsec: (millis % 1_000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
