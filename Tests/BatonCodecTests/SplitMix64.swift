/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, so a fuzz or
/// property test that fails replays exactly from the seed it prints.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Fills `buffer` with random bytes.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for index in buffer.indices { buffer[index] = UInt8(truncatingIfNeeded: next()) }
    }
}

/// The seed for randomized tests: `BATON_TEST_SEED` when set (to replay a
/// failure), else `fallback`.
func testSeed(_ fallback: UInt64) -> UInt64 {
    if let text = getenv("BATON_TEST_SEED"), let seed = UInt64(String(cString: text)) { return seed }
    return fallback
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exactly sized heap buffer (so an overrun is caught by AddressSanitizer),
/// freed when the body returns.
func withExactBuffer<R>(count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
    let base = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 1)
    defer { base.deallocate() }
    return try body(UnsafeMutableRawBufferPointer(start: count == 0 ? nil : base, count: count))
}
