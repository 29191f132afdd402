import BatonClient
import XCTest

final class GeneratedPayloadTests: XCTestCase {
    /// Payloads of every interesting size verify and name their producer and sequence.
    func testRoundTrip() {
        for length in [24, 25, 31, 32, 33, 100, 1_000, 4_099] {
            let producer: UInt64 = 0xDEAD_BEEF_0000_0000 | UInt64(length)
            let sequence = UInt64(length) * 7
            let payload = GeneratedPayload.make(producerId: producer, sequence: sequence, length: length)
            XCTAssertEqual(payload.count, length)
            let check = payload.withUnsafeBytes { GeneratedPayload.verify($0) }
            XCTAssertEqual(check, .valid(producerId: producer, sequence: sequence), "length \(length)")
            XCTAssertEqual(payload, GeneratedPayload.make(producerId: producer, sequence: sequence, length: length),
                           "deterministic")
        }
    }

    /// Different sequences fill differently (the fill is seeded by producer and sequence).
    func testFillDependsOnProducerAndSequence() {
        let a = GeneratedPayload.make(producerId: 1, sequence: 1, length: 64)
        let b = GeneratedPayload.make(producerId: 1, sequence: 2, length: 64)
        let c = GeneratedPayload.make(producerId: 2, sequence: 1, length: 64)
        XCTAssertNotEqual(a[24...], b[24...])
        XCTAssertNotEqual(a[24...], c[24...])
    }

    /// Flipping any bit of any byte is detected; so are truncation, extension and short payloads.
    func testTamperDetection() {
        let original = GeneratedPayload.make(producerId: 42, sequence: 9, length: 100)
        for index in 0..<original.count {
            for bit in [0, 3, 7] {
                var tampered = original
                tampered[index] ^= UInt8(1 << bit)
                let check = tampered.withUnsafeBytes { GeneratedPayload.verify($0) }
                switch check {
                case .badChecksum, .lengthMismatch: break
                default: XCTFail("flip of bit \(bit) in byte \(index) not detected: \(check)")
                }
            }
        }
        let truncated = Array(original[0..<99])
        XCTAssertEqual(truncated.withUnsafeBytes { GeneratedPayload.verify($0) }, .lengthMismatch(stated: 100, actual: 99))
        let extended = original + [0]
        XCTAssertEqual(extended.withUnsafeBytes { GeneratedPayload.verify($0) }, .lengthMismatch(stated: 100, actual: 101))
        let short = [UInt8](repeating: 0, count: 23)
        XCTAssertEqual(short.withUnsafeBytes { GeneratedPayload.verify($0) }, .tooShort(length: 23))
        XCTAssertEqual([UInt8]().withUnsafeBytes { GeneratedPayload.verify($0) }, .tooShort(length: 0))
        let text = "\(GeneratedPayloadCheck.badChecksum(stored: 1, computed: 2))"
        XCTAssertTrue(text.contains("checksum"), text)
    }
}
