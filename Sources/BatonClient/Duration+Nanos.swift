#if canImport(Glibc)
import Glibc
#endif

extension Duration {
    /// The duration in whole nanoseconds, clamped to `0...Int64.max`.
    var clampedNanos: Int64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        if seconds >= Int64.max / 1_000_000_000 - 1 { return Int64.max }
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Milliseconds from `now` until `deadline`, between 0 and `cap` (a poll slice).
@inline(__always)
func millisUntil(_ deadline: Int64, from now: Int64, cap: Int32) -> Int32 {
    let nanos = deadline &- now
    if nanos <= 0 { return 0 }
    let left = (nanos &+ 999_999) / 1_000_000  // round up: never spin on a 0 ms wait before the deadline
    return Int32(min(Int64(cap), left))
}
