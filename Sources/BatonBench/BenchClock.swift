#if canImport(Glibc)
import Glibc
#endif

/// The harness's clocks: `CLOCK_MONOTONIC` nanoseconds for every latency and
/// schedule (never jumps), and the wall clock only to stamp logs.
///
/// Stateless; any thread; no allocation (vDSO calls).
public enum BenchClock {
    /// Nanoseconds on the monotonic clock.
    @inline(__always)
    public static func monotonicNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// Nanoseconds since 1970 (wall clock).
    public static func wallNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// The wall-clock time at which the monotonic clock reads (or read) `monotonic`.
    public static func wallNanos(atMonotonic monotonic: Int64) -> Int64 {
        let wall = wallNanos()
        let now = monotonicNanos()
        return wall &- (now &- monotonic)
    }

    /// Sleeps until the monotonic clock reaches `deadline` (returns at once if it has).
    /// For pacing a sampler; never used to wait for another thread's work.
    public static func sleep(untilMonotonic deadline: Int64) {
        var target = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &target, nil) == EINTR {}
    }
}
