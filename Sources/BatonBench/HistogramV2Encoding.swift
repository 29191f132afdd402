import Histogram

/// HdrHistogram's V2 binary encoding of a histogram, and its compressed
/// form — what `.hlog` interval lines carry, readable by the Java, C and
/// Python implementations.
///
/// ```
/// uncompressed (big-endian):
///     0  cookie (UInt32): 0x1c849303 | 0x10 (the references set 0x10: "TLZE" counts)
///     4  payload length (Int32): bytes of counts that follow the header
///     8  normalizing index offset (Int32): always 0 here
///    12  significant digits (Int32)
///    16  lowest discernible value (Int64)
///    24  highest trackable value (Int64)
///    32  integer-to-double conversion ratio (Float64): 1.0
///    40  counts by index, each a ZigZag LEB128-64b9B value; a run of k
///        zero counts is the single value -k; ends at the last non-zero count
///
/// compressed (big-endian):
///     0  cookie (UInt32): 0x1c849304 | 0x10
///     4  length (Int32) of the zlib stream that follows
///     8  zlib (RFC 1950) deflate of the whole uncompressed encoding
/// ```
///
/// Zero runs are always written as negative run lengths, even a run of one
/// (as HdrHistogram_c and the Python package do; Java writes a lone zero as
/// 0 — every decoder reads both). So for the same histogram the
/// uncompressed bytes equal the Python package's, byte for byte (a test).
///
/// Stateless; any thread. Not for the per-message path: it allocates.
public enum HistogramV2 {
    public static let encodingCookieBase: UInt32 = 0x1c84_9303
    public static let compressedCookieBase: UInt32 = 0x1c84_9304
    /// The cookie the references write: the base with 0x10 set.
    public static let encodingCookie: UInt32 = encodingCookieBase | 0x10
    public static let compressedCookie: UInt32 = compressedCookieBase | 0x10
    /// Bits of a cookie that carry a word size, not the format (ignored when checking).
    static let cookieWordSizeBits: UInt32 = 0xf0
    public static let headerBytes = 40
    public static let compressedHeaderBytes = 8

    /// The uncompressed V2 encoding of `histogram`.
    public static func encode(_ histogram: Histogram<UInt64>) -> [UInt8] {
        let layout = HistogramLayout(lowestDiscernibleValue: histogram.lowestDiscernibleValue,
                                     significantDigits: Int(histogram.numberOfSignificantValueDigits.rawValue))
        // Index by index up to the last count (not through the library's
        // iterators, whose running value sums overflow for huge counts).
        var counts: [UInt8] = []
        var zeros: Int64 = 0
        var remaining = histogram.totalCount
        var index = 0
        while remaining > 0 {
            let count = histogram.countForValue(layout.value(atIndex: index))
            if count == 0 {
                zeros += 1
            } else {
                if zeros > 0 { ZigZagLEB128.append(-zeros, to: &counts) }
                zeros = 0
                precondition(count <= UInt64(Int64.max), "a count above 2^63 has no V2 encoding")
                ZigZagLEB128.append(Int64(count), to: &counts)
                remaining -= min(remaining, count)
            }
            index += 1
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerBytes + counts.count)
        appendBigEndian(encodingCookie, to: &bytes)
        appendBigEndian(UInt32(counts.count), to: &bytes)
        appendBigEndian(UInt32(0), to: &bytes)
        appendBigEndian(UInt32(histogram.numberOfSignificantValueDigits.rawValue), to: &bytes)
        appendBigEndian(histogram.lowestDiscernibleValue, to: &bytes)
        appendBigEndian(histogram.highestTrackableValue, to: &bytes)
        appendBigEndian(Double(1).bitPattern, to: &bytes)
        bytes += counts
        return bytes
    }

    /// The compressed V2 encoding of `histogram`.
    public static func encodeCompressed(_ histogram: Histogram<UInt64>) throws(HistogramCodecError) -> [UInt8] {
        let deflated = try Zlib.compress(encode(histogram))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(compressedHeaderBytes + deflated.count)
        appendBigEndian(compressedCookie, to: &bytes)
        appendBigEndian(UInt32(deflated.count), to: &bytes)
        bytes += deflated
        return bytes
    }

    /// The compressed V2 encoding of `histogram` in base64: an `.hlog` line's last field.
    public static func encodeCompressedBase64(_ histogram: Histogram<UInt64>) throws(HistogramCodecError) -> String {
        Base64.encode(try encodeCompressed(histogram))
    }

    static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var shift = T.bitWidth - 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> T(shift)))
            shift -= 8
        }
    }
}
