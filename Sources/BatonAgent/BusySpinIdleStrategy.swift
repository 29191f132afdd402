import CBatonSys

/// Idles by executing one CPU pause hint (`pause` on x86, `yield` on ARM) and
/// returning at once.
///
/// Trade-off: the lowest wake-up latency there is — the thread never leaves
/// the CPU, so new work is seen within one duty cycle — at the price of a
/// whole core at 100 % forever, idle or not. The pause hint lets a sibling
/// hyper-thread run and saves a little power, nothing more. Use it only on a
/// core pinned for this agent alone; never on a shared or oversubscribed
/// machine (two busy-spinning agents on one core starve each other until the
/// scheduler's time slice ends).
///
/// Invariant: stateless; `idle()` never blocks, yields or sleeps.
/// Threading: a value owned by one runner; called only on that runner's thread.
@frozen
public struct BusySpinIdleStrategy: IdleStrategy, Sendable, Equatable {
    @inlinable
    public init() {}

    @inlinable
    public var name: String { "busy-spin" }

    @inlinable @inline(__always)
    public mutating func idle(workCount: Int) {
        if workCount <= 0 { baton_cpu_pause() }
    }

    @inlinable @inline(__always)
    public mutating func idle() { baton_cpu_pause() }

    @inlinable @inline(__always)
    public mutating func reset() {}
}
