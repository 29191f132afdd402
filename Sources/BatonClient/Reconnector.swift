#if canImport(Glibc)
import Glibc
#endif

/// A client that can open its session again after a retryable failure
/// (`Publisher` resends what is unacknowledged; `Subscriber` resumes after
/// the last message it received), at the same broker or another of its
/// cluster.
public protocol ReconnectingClient: AnyObject {
    /// Opens a new session, at the broker `prepareReconnect` chose.
    func reconnect() throws(BatonClientError)
    /// Chooses the broker the next `reconnect()` goes to after `error` (see
    /// `BrokerList`), and says whether to pause first: true once a whole
    /// round of brokers has failed since the client last made progress.
    /// Default: the same broker, always pausing (a client of one broker).
    func prepareReconnect(after error: BatonClientError) -> Bool
    /// Whether reconnecting can help after `error`. Default: `error.isRetryable`.
    func canRetry(after error: BatonClientError) -> Bool
}

extension ReconnectingClient {
    public func prepareReconnect(after error: BatonClientError) -> Bool { true }
    public func canRetry(after error: BatonClientError) -> Bool { error.isRetryable }
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
/// failure it lets the client choose its next broker and reconnects, again
/// while the reconnect itself fails retryably, until it succeeds or the
/// policy's attempts are spent; a non-retryable error ends it at once.
/// A reconnect the client says needs a pause (for a client of several
/// brokers: once a whole round of them failed; for one broker: every time)
/// is an attempt — the policy's delay first; moving on to a broker not yet
/// tried in the round is immediate and uses no attempt (but at most
/// `maximumMovesWithoutPause` in a row). With 0 attempts nothing is
/// retried. `reset()` after progress gives a later outage every attempt
/// again. The pause is passed in (tests record it instead of sleeping).
///
/// Invariant: `attemptsUsed <= policy.attempts`. Threading: the client's thread.
public struct Reconnector {
    public let policy: ReconnectPolicy
    public private(set) var attemptsUsed = 0
    private let pause: (Int) -> Void

    /// Immediate moves in a row at most (a cluster's members, at most 16):
    /// a client that never asks for a pause still gets one this often.
    public static let maximumMovesWithoutPause = BrokerList.maximumCount

    public init(policy: ReconnectPolicy, pause: @escaping (_ millis: Int) -> Void = Reconnector.sleep) {
        self.policy = policy
        self.pause = pause
    }

    /// The client made progress: a later outage gets every attempt again.
    public mutating func reset() { attemptsUsed = 0 }

    /// Reconnects `client` after `error`. Returns nil once reconnected, or
    /// the error that ended the attempts (not retryable, or the last one).
    /// `willRetry(error, attempt)` is told before each reconnect, once the
    /// client has chosen its broker (to report it); `attempt` is the
    /// attempts used so far, the one about to be made included (a move
    /// within a round uses none).
    public mutating func recover(_ client: some ReconnectingClient, after error: BatonClientError,
                                 willRetry: (BatonClientError, Int) -> Void = { _, _ in }) -> BatonClientError? {
        var error = error
        var movesWithoutPause = 0
        while policy.attempts > 0 && client.canRetry(after: error) {
            let pauses = client.prepareReconnect(after: error)
            if pauses || movesWithoutPause >= Self.maximumMovesWithoutPause {
                guard attemptsUsed < policy.attempts else { break }
                attemptsUsed += 1
                movesWithoutPause = 0
                willRetry(error, attemptsUsed)
                pause(policy.delayMillis(attempt: attemptsUsed))
            } else {
                movesWithoutPause += 1
                willRetry(error, attemptsUsed)
            }
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
