#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64 (Steele, Lea, Flood 2014): the tests' one seeded generator, so
/// a fuzz or property test that fails replays exactly from the seed it prints.
/// A value; one per test thread.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
