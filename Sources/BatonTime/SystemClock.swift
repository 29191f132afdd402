#if canImport(Glibc)
import Glibc
#endif

/// The real clocks: `CLOCK_MONOTONIC` and `CLOCK_REALTIME`. Stateless; any thread.
@frozen
public struct SystemClock: NanoClock, Sendable {
    @inlinable public init() {}

    @inlinable @inline(__always)
    public func monotonicNanos() -> Int64 { SystemClock.read(CLOCK_MONOTONIC) }

    @inlinable @inline(__always)
    public func wallNanos() -> Int64 { SystemClock.read(CLOCK_REALTIME) }

    @inlinable @inline(__always)
    public static func read(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
