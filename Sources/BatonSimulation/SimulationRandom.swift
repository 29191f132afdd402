/// The simulator's one source of randomness: SplitMix64 (Steele, Lea, Flood
/// 2014), seeded per run, so the same seed draws the same faults and the same
/// schedule. Every random choice of a run goes through one of these (each
/// part of the world forks its own from the run's, so adding a draw in one
/// part does not reshuffle the others).
///
/// A value; owned by the simulation's thread.
public struct SimulationRandom: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An independent generator for one part of the world, derived from this one and `salt`.
    public mutating func fork(_ salt: UInt64) -> SimulationRandom {
        SimulationRandom(seed: next() ^ (salt &* 0xD6E8_FEB8_6659_FD93))
    }

    /// True with probability `p` (0...1).
    public mutating func chance(_ p: Double) -> Bool {
        p > 0 && Double(next() >> 11) * 0x1.0p-53 < p
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if span == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next() % span)
    }

    /// A uniform double in `0..<1`.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
