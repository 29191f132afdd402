#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Idles by giving the rest of the time slice back to the kernel
/// (`sched_yield`).
///
/// Trade-off: almost busy-spin latency (the thread stays runnable and comes
/// back as soon as nothing else wants the CPU), and lets other runnable
/// threads on the same core make progress. On an otherwise idle core it still
/// burns 100 % of it — and a system call per idle step.
///
/// Invariant: stateless; `idle()` never sleeps.
/// Threading: a value owned by one runner; called only on that runner's thread.
@frozen
public struct YieldingIdleStrategy: IdleStrategy, Sendable, Equatable {
    @inlinable
    public init() {}

    @inlinable
    public var name: String { "yielding" }

    @inlinable @inline(__always)
    public mutating func idle(workCount: Int) {
        if workCount <= 0 { sched_yield() }
    }

    @inlinable @inline(__always)
    public mutating func idle() { sched_yield() }

    @inlinable @inline(__always)
    public mutating func reset() {}
}
