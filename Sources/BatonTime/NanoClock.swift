/// Time as every layer reads it (the shape of Agrona's `NanoClock` and
/// `EpochNanoClock`): monotonic nanoseconds for intervals, deadlines and
/// timeouts, and wall-clock nanoseconds since 1970 for timestamps and
/// retention by age. Passed in wherever behaviour depends on time, so tests
/// and the simulator drive it (`ManualClock`); production reads the machine
/// (`SystemClock`). Components are generic over it: no dynamic dispatch.
///
/// Threading: an implementation states its own; `SystemClock` is stateless
/// and safe from any thread.
public protocol NanoClock {
    /// Monotonic nanoseconds (for intervals).
    func monotonicNanos() -> Int64
    /// Wall-clock nanoseconds since 1970.
    func wallNanos() -> Int64
}
