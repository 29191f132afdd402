import BatonTime

/// The simulation's one true time: nanoseconds since the run began. Only the
/// simulation loop advances it.
///
/// Invariant: `now` never decreases. Threading: the simulation's thread.
public final class SimulationTime: @unchecked Sendable {
    public private(set) var now: Int64 = 0

    public init() {}

    /// Moves time to `target` (a precondition: not backwards).
    public func advance(to target: Int64) {
        precondition(target >= now, "simulated time goes back from \(now) to \(target)")
        now = target
    }
}

/// One member's clock: the true time seen through this machine's drift (a
/// rate off by up to a few hundred ppm) and offset, with jumps — the wall
/// clock may jump either way (an NTP step), the monotonic clock only forward
/// (a suspended VM). The member's stages read it; the simulation changes it.
///
/// Invariant: `monotonicNanos()` never decreases.
/// Threading: the simulation's thread (`@unchecked Sendable` only because
/// `NodeEnvironment.Clock` must be; nothing reads it from another thread).
public final class SimulatedClock: NanoClock, @unchecked Sendable {
    private let time: SimulationTime
    /// Parts per million this clock runs fast (positive) or slow (negative).
    public let driftPPM: Int64
    private var monotonicOffset: Int64
    private var wallOffset: Int64
    private var lastMonotonic: Int64 = 0

    /// A clock starting at monotonic `1 s + offset` and a wall time in 2026.
    public init(time: SimulationTime, driftPPM: Int64, offsetNanos: Int64) {
        self.time = time
        self.driftPPM = driftPPM
        monotonicOffset = 1_000_000_000 + offsetNanos
        wallOffset = 1_780_000_000_000_000_000 + offsetNanos
    }

    @inline(__always)
    private var drifted: Int64 { time.now &+ time.now / 1_000_000 &* driftPPM }

    public func monotonicNanos() -> Int64 {
        let value = max(lastMonotonic, drifted &+ monotonicOffset)
        lastMonotonic = value
        return value
    }

    public func wallNanos() -> Int64 { drifted &+ wallOffset }

    /// An NTP step of the wall clock (either way).
    public func jumpWall(by nanos: Int64) { wallOffset &+= nanos }

    /// The monotonic clock leaps forward (the machine was suspended).
    public func jumpMonotonic(forwardBy nanos: Int64) {
        precondition(nanos >= 0, "a monotonic clock does not go back")
        monotonicOffset &+= nanos
    }
}
