#if canImport(Glibc)
import Glibc
#endif
import BatonSimulation

/// The tests' one seeded generator is the simulator's (SplitMix64, Steele,
/// Lea, Flood 2014), so a fuzz or property test that fails replays exactly
/// from the seed it prints. A value; one per test thread.
public typealias SplitMix64 = SimulationRandom

extension SimulationRandom {
    /// Fills `buffer` with random bytes.
    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: next()) }
    }
}

/// The seed for randomized tests: `BATON_TEST_SEED` when set (to replay a
/// failure), else `fallback`.
public func testSeed(_ fallback: UInt64) -> UInt64 {
    if let text = getenv("BATON_TEST_SEED"), let seed = UInt64(String(cString: text)) { return seed }
    return fallback
}
