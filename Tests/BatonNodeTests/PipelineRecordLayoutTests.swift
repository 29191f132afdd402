import BatonCodec
import BatonNode
import BatonProtocol
import XCTest

/// Each pipeline record writes its fields at the offsets its doc comment in
/// `PipelineRecords.swift` gives, and its named offsets are those numbers.
final class PipelineRecordLayoutTests: XCTestCase {
    private func bytes(_ count: Int, _ fill: (UnsafeMutableRawPointer) -> Void) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { fill($0.baseAddress!) }
        return bytes
    }

    private func value<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as: T.Type) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    func testEachRecordWritesItsFieldsAtTheDocumentedOffsets() {
        let ack = bytes(AckRecord.length) {
            let record = AckRecord($0)
            record.sessionId = 1; record.producerId = 2; record.sequence = 3; record.framePosition = 4; record.endPosition = 5
        }
        XCTAssertEqual([0, 8, 16].map { value(ack, at: $0, as: UInt64.self) }, [1, 2, 3])
        XCTAssertEqual([24, 32].map { value(ack, at: $0, as: Int64.self) }, [4, 5])
        XCTAssertEqual([AckRecord.sessionIdFieldOffset, AckRecord.producerIdFieldOffset, AckRecord.sequenceFieldOffset,
                        AckRecord.framePositionFieldOffset, AckRecord.endPositionFieldOffset], [0, 8, 16, 24, 32])

        let text = RefusalRecord.encodedText("no")
        let refusal = bytes(RefusalRecord.length(textBytes: text.count)) {
            RefusalRecord($0).write(sessionId: 6, producerId: 7, code: .sequenceGap, text: text)
        }
        XCTAssertEqual(refusal.count, 30)
        XCTAssertEqual([0, 8].map { value(refusal, at: $0, as: UInt64.self) }, [6, 7])
        XCTAssertEqual(value(refusal, at: 16, as: UInt16.self), ClientErrorCode.sequenceGap.rawValue)
        XCTAssertEqual(value(refusal, at: 24, as: UInt32.self), 2)
        XCTAssertEqual(Array(refusal[28...]), Array("no".utf8))
        refusal.withUnsafeBytes { raw in
            let record = RefusalRecord(UnsafeMutableRawPointer(mutating: raw.baseAddress!))
            XCTAssertEqual(record.sessionId, 6); XCTAssertEqual(record.producerId, 7)
            XCTAssertEqual(record.code, ClientErrorCode.sequenceGap.rawValue); XCTAssertEqual(record.text, "no")
        }

        let payload: [UInt8] = [4, 0, 0, 0, 0xA, 0xB, 0xC, 0xD]
        let ingress = bytes(32 + payload.count) {
            let record = IngressPublishRecord($0, length: 32 + payload.count)
            record.sessionId = 8
            record.block.streamId = 9
            record.block.producerId = 10
            payload.withUnsafeBytes { (record.address + 32).copyMemory(from: $0.baseAddress!, byteCount: payload.count) }
        }
        XCTAssertEqual(value(ingress, at: 0, as: UInt64.self), 8)
        XCTAssertEqual(value(ingress, at: 8, as: UInt32.self), 9, "the Publish block's streamId at 8 + 0")
        XCTAssertEqual(value(ingress, at: 16, as: UInt64.self), 10, "the Publish block's producerId at 8 + 8")
        XCTAssertEqual([IngressPublishRecord.sessionIdFieldOffset, IngressPublishRecord.blockFieldOffset,
                        IngressPublishRecord.payloadsOffset], [0, 8, 32])

        let pending: [UInt8] = [1, 2, 3]
        let handoff = bytes(24 + pending.count) { address in
            for index in 0..<8 { address.storeBytes(of: 0xFF, toByteOffset: index, as: UInt8.self) }
            pending.withUnsafeBytes { HandoffRecord(address, length: 27).write(descriptor: 11, sessionId: 12, lastReceiveNanos: 13, pending: $0) }
        }
        XCTAssertEqual(value(handoff, at: 0, as: Int32.self), 11)
        XCTAssertEqual(value(handoff, at: 4, as: Int32.self), 0, "reserved, zeroed")
        XCTAssertEqual(value(handoff, at: 8, as: UInt64.self), 12)
        XCTAssertEqual(value(handoff, at: 16, as: Int64.self), 13)
        XCTAssertEqual(Array(handoff[24...]), pending)
        XCTAssertEqual([HandoffRecord.descriptorFieldOffset, HandoffRecord.reservedFieldOffset, HandoffRecord.sessionIdFieldOffset,
                        HandoffRecord.lastReceiveNanosFieldOffset, HandoffRecord.pendingOffset], [0, 4, 8, 16, 24])
    }
}
