/// How the simulated network mistreats datagrams while faults are on (per
/// seed, drawn by `FaultPlan`): every probability is per datagram and per
/// direction of a link; latency is `baseLatency + jitter` where the jitter is
/// drawn up to `maximumJitterNanos` (a datagram overtakes another when its
/// draw is smaller: that is the reordering).
///
/// A value; the simulation's thread.
public struct NetworkFaults: Sendable, Equatable {
    public var dropProbability = 0.0
    public var duplicateProbability = 0.0
    /// One byte of the datagram flipped on the wire (the frame and header checks must catch it).
    public var corruptProbability = 0.0
    public var baseLatencyNanos: Int64 = 20_000
    public var maximumJitterNanos: Int64 = 10_000
    /// The chance a datagram is held back far longer (up to `maximumDelayNanos`): a long reorder.
    public var delayProbability = 0.0
    public var maximumDelayNanos: Int64 = 5_000_000

    public init() {}

    /// A calm network: every datagram arrives once, intact, in 20–30 µs.
    public static let calm = NetworkFaults()
}
