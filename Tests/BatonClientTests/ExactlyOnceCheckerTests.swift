import BatonClient
import XCTest

/// The exactly-once checker catches each kind of planted fault, and passes a clean stream.
final class ExactlyOnceCheckerTests: XCTestCase {
    private func payload(_ producer: UInt64, _ sequence: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeMutableBytes { GeneratedPayload.write(into: $0, producerId: producer, sequence: sequence) }
        return bytes
    }

    private func check(_ checker: inout ExactlyOnceChecker, _ position: Int64, _ producer: UInt64, _ sequence: UInt64,
                       payload bytes: [UInt8]? = nil) -> String? {
        (bytes ?? payload(producer, sequence)).withUnsafeBytes {
            checker.check(position: position, producerId: producer, sequence: sequence, payload: $0)
        }
    }

    func testACleanInterleavedStreamPasses() {
        var checker = ExactlyOnceChecker()
        var position: Int64 = 0
        for sequence in UInt64(5)..<105 {
            for producer in UInt64(1)...3 {
                XCTAssertNil(check(&checker, position, producer, sequence))
                position += 128
            }
        }
        XCTAssertEqual(checker.checked, 300)
        XCTAssertEqual(checker.producerCount, 3)
        XCTAssertEqual(checker.nextSequence[2], 105, "sequences may start anywhere")
        XCTAssertEqual(checker.firstPosition, 0)
    }

    func testEachPlantedFaultIsReported() {
        var checker = ExactlyOnceChecker()
        XCTAssertNil(check(&checker, 0, 1, 0))
        XCTAssertNil(check(&checker, 100, 1, 1))
        XCTAssertTrue(check(&checker, 200, 1, 1)?.contains("duplicate") == true, "a duplicate")
        XCTAssertTrue(check(&checker, 300, 1, 4)?.contains("gap, 2 messages missing") == true, "a gap")
        XCTAssertTrue(check(&checker, 400, 1, 3)?.contains("out of order") == true, "a reorder")
        XCTAssertTrue(check(&checker, 400, 2, 0)?.contains("position not after") == true, "a position going back")
        var damaged = payload(1, 5)
        damaged[40] ^= 0xFF
        XCTAssertNotNil(check(&checker, 500, 1, 5, payload: damaged), "a damaged payload")
        XCTAssertTrue(check(&checker, 600, 1, 5, payload: payload(9, 5))?.contains("names producer 9") == true,
                      "a payload of another producer")
    }
}
