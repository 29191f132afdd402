import BatonBench
import BatonTestSupport
import Histogram
import XCTest

/// The V2 encoding against the reference implementations (byte-for-byte
/// against what the Python `hdrhistogram` package, i.e. HdrHistogram_c,
/// encodes for the same histograms), round trips, and malformed input.
final class HistogramV2EncodingTests: XCTestCase {
    /// Recorded with `HdrHistogram(1000, 60_000_000_000, 3)` in Python 3.11, hdrhistogram 0.10.8.
    static let referenceValues: [(UInt64, UInt64)] = [
        (1_000, 1), (2_047, 3), (5_000, 10), (123_456, 7), (1_000_000, 2), (100_000_000, 1), (59_000_000_000, 1),
    ]
    /// Its uncompressed V2 encoding (zlib-inflated from the reference's output).
    static let referencePayloadHex = "1c84931300000013000000000000000300000000000003e80000000df84758003ff0000000000000"
        + "010201060914cd030edd1a04a56902cf930102"
    /// The reference's compressed, base64 encoding of it (an .hlog field).
    static let referenceBase64 = "HISTFAAAADR4nJNpmSzMwMAAwiDADKVeAAneH+4RDPYfICKMTIxsnCJnmfnuSrEszWQ6P5mRCQDi9gmQ"
    /// `HdrHistogram(1, 3_600_000_000, 2)` with 0 x5, 1, 3, 3_000_000_000 x2: zero runs of one and of thousands.
    static let secondReferenceBase64 = "HISTFAAAACd4nJNpmSzMwMDAzgABTFCaEURcm7yEwf4DRICLiZHpthELAHTbBa0="
    static let secondReferencePayloadHex = "1c849313000000070000000000000002000000000000000100000000d693a4003ff0000000000000"
        + "0a020102db3204"

    static func referenceHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 60_000_000_000,
                                          numberOfSignificantValueDigits: .three)
        for (value, count) in referenceValues { histogram.record(value, count: count) }
        return histogram
    }

    static func secondReferenceHistogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                          numberOfSignificantValueDigits: .two)
        histogram.record(0, count: 5)
        histogram.record(1)
        histogram.record(3)
        histogram.record(3_000_000_000, count: 2)
        return histogram
    }

    func testUncompressedEncodingMatchesTheReferenceByteForByte() {
        XCTAssertEqual(hex(HistogramV2.encode(Self.referenceHistogram())), Self.referencePayloadHex)
        XCTAssertEqual(hex(HistogramV2.encode(Self.secondReferenceHistogram())), Self.secondReferencePayloadHex)
    }

    func testDecodesTheReferenceEncoding() throws {
        XCTAssertEqual(try HistogramV2.decodeCompressedBase64(Self.referenceBase64), Self.referenceHistogram())
        XCTAssertEqual(try HistogramV2.decodeCompressedBase64(Self.secondReferenceBase64), Self.secondReferenceHistogram())
    }

    func testCompressedEncodingStartsWithTheReferenceCookie() throws {
        let base64 = try HistogramV2.encodeCompressedBase64(Self.referenceHistogram())
        XCTAssertTrue(base64.hasPrefix("HISTFAAA"), "0x1c849314 then a length below 2^16: \(base64.prefix(12))")
        let bytes = try HistogramV2.encodeCompressed(Self.referenceHistogram())
        XCTAssertEqual(Array(bytes[0..<4]), [0x1c, 0x84, 0x93, 0x14])
        XCTAssertEqual(hex(try Zlib.decompress(Array(bytes[8...]))), hex(HistogramV2.encode(Self.referenceHistogram())))
    }

    func testRandomHistogramsRoundTrip() throws {
        var random = SplitMix64(seed: testSeed(0x6B15_7A3E))
        let layouts: [(UInt64, UInt64, SignificantDigits)] = [
            (1, 3_600_000_000_000, .three), (1_000, 60_000_000_000, .three), (1, 1 << 20, .one), (7, 1 << 30, .five),
            (1_024, 1 << 50, .two), (1, 2, .zero),
        ]
        for (lowest, highest, digits) in layouts {
            for round in 0..<10 {
                var histogram = Histogram<UInt64>(lowestDiscernibleValue: lowest, highestTrackableValue: highest,
                                                  numberOfSignificantValueDigits: digits)
                let records = Int(random.next() % 2_000)
                for _ in 0..<records {
                    // Log-uniform values, counts mostly 1, sometimes huge (9-byte LEB128).
                    let bits = random.next() % UInt64(64 - highest.leadingZeroBitCount)
                    let value = min(highest, random.next() & ((1 << bits) | ((1 << bits) - 1)))
                    let count: UInt64 = random.next() % 50 == 0 ? random.next() >> 8 : 1 + random.next() % 3
                    histogram.record(value, count: count)
                }
                let decoded = try HistogramV2.decodeCompressed(HistogramV2.encodeCompressed(histogram))
                XCTAssertNil(histogramDifference(decoded, histogram), "layout \(lowest)/\(highest)/\(digits) round \(round)")
                XCTAssertEqual(decoded.totalCount, histogram.totalCount)
                XCTAssertEqual(decoded.highestTrackableValue, histogram.highestTrackableValue)
            }
        }
    }

    func testEmptyHistogramEncodesToAHeaderOnly() throws {
        let empty = Histogram<UInt64>(lowestDiscernibleValue: 1_000, highestTrackableValue: 60_000_000_000,
                                      numberOfSignificantValueDigits: .three)
        let bytes = HistogramV2.encode(empty)
        XCTAssertEqual(bytes.count, HistogramV2.headerBytes)
        XCTAssertEqual(Array(bytes[4..<8]), [0, 0, 0, 0])
        let decoded = try HistogramV2.decodeCompressed(HistogramV2.encodeCompressed(empty))
        XCTAssertEqual(decoded.totalCount, 0)
    }

    func testZigZagLEB128() {
        let cases: [(Int64, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
            (-3_246, [0xDB, 0x32]),
            (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
        ]
        for (value, expected) in cases {
            var bytes: [UInt8] = []
            ZigZagLEB128.append(value, to: &bytes)
            XCTAssertEqual(bytes, expected, "\(value)")
            var offset = 0
            XCTAssertEqual(ZigZagLEB128.read(bytes, at: &offset), value)
            XCTAssertEqual(offset, bytes.count)
        }
        var random = SplitMix64(seed: testSeed(0x1EB1_28))
        for _ in 0..<10_000 {
            let value = Int64(bitPattern: random.next()) >> (random.next() % 64)
            var bytes: [UInt8] = []
            ZigZagLEB128.append(value, to: &bytes)
            XCTAssertLessThanOrEqual(bytes.count, ZigZagLEB128.maximumBytes)
            var offset = 0
            XCTAssertEqual(ZigZagLEB128.read(bytes, at: &offset), value)
        }
        var offset = 0
        XCTAssertNil(ZigZagLEB128.read([0x80, 0x80], at: &offset), "a value cut short")
    }

    func testBase64MatchesRFC4648() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
                       ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8))
        }
        let all = (0...255).map { UInt8($0) }
        XCTAssertEqual(Base64.decode(Base64.encode(all)), all)
        for bad in ["Zg=", "Zm9v!", "Z===", "=Zm9", "Zg==Zg=="] { XCTAssertNil(Base64.decode(bad), bad) }
    }

    func testMalformedEncodingsAreRefused() throws {
        let good = HistogramV2.encode(Self.referenceHistogram())
        var badCookie = good
        badCookie[3] = 0x05
        XCTAssertThrowsError(try HistogramV2.decode(badCookie))
        XCTAssertThrowsError(try HistogramV2.decode(Array(good[0..<30])), "shorter than the header")
        XCTAssertThrowsError(try HistogramV2.decode(Array(good.dropLast(2))), "payload cut short")
        XCTAssertThrowsError(try HistogramV2.decodeCompressed(good), "uncompressed bytes where compressed are expected")
        XCTAssertThrowsError(try HistogramV2.decodeCompressedBase64("not base64!"))
        var compressed = try HistogramV2.encodeCompressed(Self.referenceHistogram())
        compressed[compressed.count - 3] ^= 0xFF
        XCTAssertThrowsError(try HistogramV2.decodeCompressed(compressed), "a corrupted zlib stream (its checksum)")
    }

    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
