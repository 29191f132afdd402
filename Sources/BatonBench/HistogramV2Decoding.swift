import Histogram

extension HistogramV2 {
    /// The histogram an uncompressed V2 encoding describes. Each count is
    /// recorded at the lowest value of its index, so counts, totals and
    /// percentiles are exact; values below the lowest discernible unit (index
    /// 0) come back as 0, as in every reference decoder.
    public static func decode(_ bytes: [UInt8]) throws(HistogramCodecError) -> Histogram<UInt64> {
        guard bytes.count >= headerBytes else { throw .truncated("\(bytes.count) bytes, shorter than the 40-byte header") }
        let cookie = UInt32(truncatingIfNeeded: readBigEndian(bytes, at: 0, bytes: 4))
        guard cookie & ~cookieWordSizeBits == encodingCookieBase else {
            throw .badCookie(found: cookie, expected: "the V2 encoding cookie 0x1c849303")
        }
        let payloadLength = Int(readBigEndian(bytes, at: 4, bytes: 4))
        let normalizingOffset = readBigEndian(bytes, at: 8, bytes: 4)
        let digits = Int(readBigEndian(bytes, at: 12, bytes: 4))
        let lowest = readBigEndian(bytes, at: 16, bytes: 8)
        let highest = readBigEndian(bytes, at: 24, bytes: 8)
        let ratio = Double(bitPattern: readBigEndian(bytes, at: 32, bytes: 8))
        guard headerBytes + payloadLength <= bytes.count else {
            throw .truncated("payload of \(payloadLength) bytes, \(bytes.count - headerBytes) present")
        }
        guard normalizingOffset == 0 else { throw .unsupported("normalizing index offset \(normalizingOffset)") }
        guard ratio == 1 else { throw .unsupported("integer-to-double conversion ratio \(ratio)") }
        guard let significant = SignificantDigits(rawValue: Int8(clamping: digits)), (0...5).contains(digits) else {
            throw .unsupported("\(digits) significant digits")
        }
        guard lowest >= 1, lowest <= UInt64.max / 2, highest >= 2 * lowest else {
            throw .unsupported("value range \(lowest) to \(highest)")
        }
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest,
                                          numberOfSignificantValueDigits: significant)
        let layout = HistogramLayout(lowestDiscernibleValue: lowest, significantDigits: digits)
        let counts = Array(bytes[headerBytes..<(headerBytes + payloadLength)])
        var offset = 0
        var index = 0
        while offset < counts.count {
            guard let value = ZigZagLEB128.read(counts, at: &offset) else { throw .truncated("a count at byte \(offset)") }
            if value < 0 {
                index += Int(value.magnitude)
                continue
            }
            if value > 0 {
                guard histogram.record(layout.value(atIndex: index), count: UInt64(value)) else {
                    throw .countOutOfRange(index: index)
                }
            }
            index += 1
        }
        return histogram
    }

    /// The histogram a compressed V2 encoding describes.
    public static func decodeCompressed(_ bytes: [UInt8]) throws(HistogramCodecError) -> Histogram<UInt64> {
        guard bytes.count >= compressedHeaderBytes else { throw .truncated("\(bytes.count) bytes, shorter than the 8-byte header") }
        let cookie = UInt32(truncatingIfNeeded: readBigEndian(bytes, at: 0, bytes: 4))
        guard cookie & ~cookieWordSizeBits == compressedCookieBase else {
            throw .badCookie(found: cookie, expected: "the V2 compressed cookie 0x1c849304")
        }
        let length = Int(readBigEndian(bytes, at: 4, bytes: 4))
        guard compressedHeaderBytes + length <= bytes.count else {
            throw .truncated("zlib stream of \(length) bytes, \(bytes.count - compressedHeaderBytes) present")
        }
        return try decode(Zlib.decompress(Array(bytes[compressedHeaderBytes..<(compressedHeaderBytes + length)])))
    }

    /// The histogram of an `.hlog` line's base64 field.
    public static func decodeCompressedBase64(_ text: some StringProtocol) throws(HistogramCodecError) -> Histogram<UInt64> {
        guard let bytes = Base64.decode(text) else { throw .badBase64 }
        return try decodeCompressed(bytes)
    }

    static func readBigEndian(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + count) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }
}
