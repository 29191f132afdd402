/// The variable-length integers of HdrHistogram's V2 encoding: ZigZag
/// (small magnitudes of either sign stay small), then LEB128 with at most 9
/// bytes ("LEB128-64b9B"): eight groups of 7 bits, each byte's top bit
/// saying another follows, and a ninth byte carrying the last 8 bits whole.
///
/// Stateless; any thread.
public enum ZigZagLEB128 {
    /// The longest encoding.
    public static let maximumBytes = 9

    @inline(__always)
    static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    @inline(__always)
    static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1)
    }

    /// Appends the encoding of `value` (1 to 9 bytes).
    public static func append(_ value: Int64, to bytes: inout [UInt8]) {
        var rest = zigZag(value)
        for _ in 0..<8 {
            if rest < 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: rest))
                return
            }
            bytes.append(UInt8(truncatingIfNeeded: rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))  // the ninth byte: the last 8 bits, no flag
    }

    /// Reads one value at `offset`, moving `offset` past it; nil when
    /// `bytes` ends inside the value.
    public static func read(_ bytes: [UInt8], at offset: inout Int) -> Int64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for _ in 0..<8 {
            guard offset < bytes.count else { return nil }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return unZigZag(result) }
            shift += 7
        }
        guard offset < bytes.count else { return nil }
        result |= UInt64(bytes[offset]) << 56
        offset += 1
        return unZigZag(result)
    }
}
