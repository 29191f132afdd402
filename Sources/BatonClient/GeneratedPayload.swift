import BatonCodec

/// Self-verifying generated payloads: each names its producer and sequence
/// and carries a checksum, so a subscriber can prove that what it received
/// is what was published (`baton publish --count`, `baton subscribe --verify`).
///
/// ```
///     0  producerId (UInt64, little-endian)
///     8  sequence (UInt64)
///    16  length (UInt32): the payload's own length
///    20  checksum (UInt32): CRC32C of bytes [0, 20) then [24, length)
///    24  fill: SplitMix64 words seeded from (producerId, sequence), to the end
/// ```
///
/// Invariant: `length >= minimumLength`; the same (producerId, sequence,
/// length) always gives the same bytes. Stateless: any thread; no allocation.
public enum GeneratedPayload {
    /// The shortest generated payload: the fixed fields.
    public static let minimumLength = 24
    static let checksumOffset = 20

    /// Fills all of `buffer` (at least `minimumLength` bytes) with the payload of (`producerId`, `sequence`).
    @inlinable
    public static func write(into buffer: UnsafeMutableRawBufferPointer, producerId: UInt64, sequence: UInt64) {
        precondition(buffer.count >= minimumLength && buffer.count <= Int(UInt32.max),
                     "a generated payload needs \(minimumLength) to \(UInt32.max) bytes, not \(buffer.count)")
        let base = buffer.baseAddress.unsafelyUnwrapped
        base.storeLittleEndian(producerId, toByteOffset: 0)
        base.storeLittleEndian(sequence, toByteOffset: 8)
        base.storeLittleEndian(UInt32(truncatingIfNeeded: buffer.count), toByteOffset: 16)
        var state = seed(producerId: producerId, sequence: sequence)
        var offset = minimumLength
        let end = buffer.count
        while offset &+ 8 <= end {
            base.storeLittleEndian(nextWord(&state), toByteOffset: offset)
            offset &+= 8
        }
        if offset < end {
            var word = nextWord(&state)
            while offset < end {
                base.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: offset, as: UInt8.self)
                word >>= 8
                offset &+= 1
            }
        }
        base.storeLittleEndian(checksum(UnsafeRawPointer(base), length: end), toByteOffset: 20)
    }

    /// A new array holding the payload of (`producerId`, `sequence`) of `length` bytes.
    public static func make(producerId: UInt64, sequence: UInt64, length: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { bytes, initialized in
            write(into: UnsafeMutableRawBufferPointer(bytes), producerId: producerId, sequence: sequence)
            initialized = length
        }
    }

    /// Checks a payload: its length field, then its checksum. Never traps.
    public static func verify(_ payload: UnsafeRawBufferPointer) -> GeneratedPayloadCheck {
        guard payload.count >= minimumLength, let base = payload.baseAddress else {
            return .tooShort(length: payload.count)
        }
        let stated = Int(base.loadLittleEndian(fromByteOffset: 16, as: UInt32.self))
        guard stated == payload.count else { return .lengthMismatch(stated: stated, actual: payload.count) }
        let stored = base.loadLittleEndian(fromByteOffset: 20, as: UInt32.self)
        let computed = checksum(base, length: payload.count)
        guard stored == computed else { return .badChecksum(stored: stored, computed: computed) }
        return .valid(producerId: base.loadLittleEndian(fromByteOffset: 0, as: UInt64.self),
                      sequence: base.loadLittleEndian(fromByteOffset: 8, as: UInt64.self))
    }

    @inlinable @inline(__always)
    static func checksum(_ base: UnsafeRawPointer, length: Int) -> UInt32 {
        let head = CRC32C.update(0, base, 20)
        return CRC32C.update(head, base + minimumLength, length &- minimumLength)
    }

    @inlinable @inline(__always)
    static func seed(producerId: UInt64, sequence: UInt64) -> UInt64 {
        producerId ^ (sequence &* 0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03
    }

    /// SplitMix64: one 64-bit word per step.
    @inlinable @inline(__always)
    static func nextWord(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The verdict of `GeneratedPayload.verify`. A plain value: `Sendable`.
public enum GeneratedPayloadCheck: Equatable, Sendable, CustomStringConvertible {
    /// Intact: it was generated for this producer and sequence.
    case valid(producerId: UInt64, sequence: UInt64)
    /// Shorter than the fixed fields.
    case tooShort(length: Int)
    /// The length field disagrees with the bytes received (truncated or extended).
    case lengthMismatch(stated: Int, actual: Int)
    /// The bytes changed after they were generated.
    case badChecksum(stored: UInt32, computed: UInt32)

    public var description: String {
        switch self {
        case let .valid(producerId, sequence):
            return "valid payload of producer \(producerId) sequence \(sequence)"
        case let .tooShort(length):
            return "payload of \(length) bytes is shorter than the \(GeneratedPayload.minimumLength)-byte generated header"
        case let .lengthMismatch(stated, actual):
            return "payload says it has \(stated) bytes but \(actual) arrived"
        case let .badChecksum(stored, computed):
            return "payload checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
        }
    }
}
