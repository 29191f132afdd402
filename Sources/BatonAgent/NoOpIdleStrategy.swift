/// Does nothing when idle: the next duty cycle starts at once.
///
/// Trade-off: no latency added and no instruction spent, but also no pause
/// hint, so a sibling hyper-thread is slowed and the core runs hot. Meant for
/// agents driven by something else that already waits (an `AgentInvoker` in a
/// test or simulation, an agent that blocks in its own `doWork`), not for a
/// runner's thread that may idle.
///
/// Invariant: stateless; every method is empty.
/// Threading: a value owned by one runner; called only on that runner's thread.
@frozen
public struct NoOpIdleStrategy: IdleStrategy, Sendable, Equatable {
    @inlinable
    public init() {}

    @inlinable
    public var name: String { "no-op" }

    @inlinable @inline(__always)
    public mutating func idle(workCount: Int) {}

    @inlinable @inline(__always)
    public mutating func idle() {}

    @inlinable @inline(__always)
    public mutating func reset() {}
}
