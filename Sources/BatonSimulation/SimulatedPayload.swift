/// The bytes a simulated publisher sends as message `sequence` of
/// `producerId`: a function of the two alone, so the checker knows what every
/// delivered message must contain without keeping a copy. 16 to 300 bytes:
/// producer id, sequence, then filler from a mix of both.
public enum SimulatedPayload {
    public static func length(producerId: UInt64, sequence: UInt64) -> Int {
        16 + Int(mix(producerId &* 31 &+ sequence) % 285)
    }

    /// Writes the payload into `target` (which holds `length(...)` bytes).
    public static func write(producerId: UInt64, sequence: UInt64, into target: UnsafeMutableRawPointer) {
        let count = length(producerId: producerId, sequence: sequence)
        target.storeBytes(of: producerId.littleEndian, toByteOffset: 0, as: UInt64.self)
        target.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        var state = mix(producerId ^ (sequence &<< 20))
        for index in 16..<count {
            if index % 8 == 0 { state = mix(state) }
            target.storeBytes(of: UInt8(truncatingIfNeeded: state >> ((index % 8) * 8)), toByteOffset: index, as: UInt8.self)
        }
    }

    /// Whether `payload` is exactly message `sequence` of `producerId`.
    public static func matches(_ payload: UnsafeRawBufferPointer, producerId: UInt64, sequence: UInt64) -> Bool {
        let count = length(producerId: producerId, sequence: sequence)
        guard payload.count == count else { return false }
        let expected = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 8)
        defer { expected.deallocate() }
        write(producerId: producerId, sequence: sequence, into: expected)
        return memcmp(expected, payload.baseAddress!, count) == 0
    }

    /// SplitMix64's output for `value`: the simulator's generator, seeded with it.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var random = SimulationRandom(seed: value)
        return random.next()
    }
}

#if canImport(Glibc)
import Glibc
#endif
