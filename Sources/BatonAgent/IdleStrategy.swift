/// What an agent's thread does after a duty cycle, in the manner of Agrona's
/// `IdleStrategy`.
///
/// Strategies are value types owned by exactly one runner (one thread); the
/// runner is generic over its strategy so `idle(workCount:)` is statically
/// dispatched and inlined. The metatype is `Sendable` so a runner can name
/// `I` on the agent's thread.
public protocol IdleStrategy: SendableMetatype {
    /// A short name for logs and `baton stat` (`busy-spin`, `backoff`, ...).
    var name: String { get }
    /// Called after every duty cycle with the work it did: a positive count
    /// resets the strategy, 0 advances it one step towards its deepest idle.
    mutating func idle(workCount: Int)
    /// Advance one idle step unconditionally.
    mutating func idle()
    /// Return to the first (most eager) idle step.
    mutating func reset()
}

extension IdleStrategy {
    @inlinable
    public mutating func idle(workCount: Int) {
        if workCount > 0 {
            reset()
        } else {
            idle()
        }
    }
}
