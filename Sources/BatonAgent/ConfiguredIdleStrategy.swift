/// An idle strategy chosen at run time (from an `IdleStrategyConfiguration`)
/// that is still a concrete value type: each idle step is one `switch` over
/// the cases and a statically dispatched, inlinable call — no existential,
/// no allocation.
///
/// Use `AgentRunner<A, ConfiguredIdleStrategy>` when the tuning file decides;
/// use a concrete strategy type when the code decides.
///
/// Invariant: the case never changes after creation; only the payload's idle
/// state does.
/// Threading: a value owned by one runner; called only on that runner's thread.
@frozen
public enum ConfiguredIdleStrategy: IdleStrategy, Sendable {
    case busySpin(BusySpinIdleStrategy)
    case yielding(YieldingIdleStrategy)
    case backoff(BackoffIdleStrategy)
    case sleeping(SleepingIdleStrategy)
    case noOp(NoOpIdleStrategy)

    @inlinable
    public init(_ configuration: IdleStrategyConfiguration) {
        self = configuration.makeStrategy()
    }

    @inlinable
    public var name: String {
        switch self {
        case .busySpin(let strategy): return strategy.name
        case .yielding(let strategy): return strategy.name
        case .backoff(let strategy): return strategy.name
        case .sleeping(let strategy): return strategy.name
        case .noOp(let strategy): return strategy.name
        }
    }

    @inlinable
    public mutating func idle(workCount: Int) {
        switch self {
        case .busySpin(var strategy): strategy.idle(workCount: workCount)
        case .yielding(var strategy): strategy.idle(workCount: workCount)
        case .backoff(var strategy):
            strategy.idle(workCount: workCount)
            self = .backoff(strategy)
        case .sleeping(var strategy): strategy.idle(workCount: workCount)
        case .noOp(var strategy): strategy.idle(workCount: workCount)
        }
    }

    @inlinable
    public mutating func idle() {
        switch self {
        case .busySpin(var strategy): strategy.idle()
        case .yielding(var strategy): strategy.idle()
        case .backoff(var strategy):
            strategy.idle()
            self = .backoff(strategy)
        case .sleeping(var strategy): strategy.idle()
        case .noOp(var strategy): strategy.idle()
        }
    }

    @inlinable
    public mutating func reset() {
        if case .backoff(var strategy) = self {
            strategy.reset()
            self = .backoff(strategy)
        }
    }

    /// The backoff strategy's state when this is `.backoff`, else nil.
    @inlinable
    public var backoff: BackoffIdleStrategy? {
        if case .backoff(let strategy) = self { return strategy }
        return nil
    }
}
