import BatonRing
import XCTest

final class RingBufferDescriptorTests: XCTestCase {
    func testTrailerPositionsEachOwnA128ByteSlot() {
        let offsets = [
            RingBufferDescriptor.tailPositionOffset,
            RingBufferDescriptor.headCachePositionOffset,
            RingBufferDescriptor.headPositionOffset,
        ]
        XCTAssertEqual(RingBufferDescriptor.slotLength, 128)
        XCTAssertEqual(offsets, [0, 128, 256])
        XCTAssertEqual(RingBufferDescriptor.trailerLength, offsets.count * RingBufferDescriptor.slotLength)
        XCTAssertEqual(RingBufferDescriptor.totalLength(capacity: 4096), 4096 + 384)
        XCTAssertEqual(RingBufferDescriptor.memoryAlignment, 128)
    }

    func testCapacityRules() {
        XCTAssertTrue(RingBufferDescriptor.isValidCapacity(128))
        XCTAssertTrue(RingBufferDescriptor.isValidCapacity(1 << 20))
        XCTAssertTrue(RingBufferDescriptor.isValidCapacity(1 << 30))
        XCTAssertFalse(RingBufferDescriptor.isValidCapacity(0))
        XCTAssertFalse(RingBufferDescriptor.isValidCapacity(64), "below the minimum")
        XCTAssertFalse(RingBufferDescriptor.isValidCapacity(1000), "not a power of two")
        XCTAssertFalse(RingBufferDescriptor.isValidCapacity(1 << 31), "record lengths are Int32")
        XCTAssertFalse(RingBufferDescriptor.isValidCapacity(-1024))
        XCTAssertEqual(RingBufferDescriptor.maxMessageLength(capacity: 1024), 128)
    }

    func testRecordLayoutAndAlignment() {
        XCTAssertEqual(RecordDescriptor.headerLength, 8)
        XCTAssertEqual(RecordDescriptor.lengthOffset, 0)
        XCTAssertEqual(RecordDescriptor.typeIdOffset, 4)
        XCTAssertEqual(RecordDescriptor.alignment, 8)
        XCTAssertEqual(RecordDescriptor.paddingTypeId, -1)
        XCTAssertEqual(RecordDescriptor.alignedRecordLength(payloadLength: 0), 8)
        XCTAssertEqual(RecordDescriptor.alignedRecordLength(payloadLength: 1), 16)
        XCTAssertEqual(RecordDescriptor.alignedRecordLength(payloadLength: 8), 16)
        XCTAssertEqual(RecordDescriptor.alignedRecordLength(payloadLength: 9), 24)
        XCTAssertEqual(RecordDescriptor.alignedRecordLength(payloadLength: 64), 72)
        XCTAssertTrue(RecordDescriptor.isValidTypeId(1))
        XCTAssertFalse(RecordDescriptor.isValidTypeId(0))
        XCTAssertFalse(RecordDescriptor.isValidTypeId(RecordDescriptor.paddingTypeId))
    }

    func testErrorDescriptionsNameTheLimits() {
        let tooLong = RingBufferError.messageTooLong(length: 129, maxMessageLength: 128)
        XCTAssertTrue(tooLong.description.contains("129"), tooLong.description)
        XCTAssertTrue(tooLong.description.contains("128"), tooLong.description)
        XCTAssertTrue(RingBufferError.invalidTypeId(typeId: 0).description.contains("type id 0"))
        XCTAssertTrue(RingBufferError.negativeLength(length: -5).description.contains("-5"))
    }
}
