import BatonRing
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Single-threaded behaviour, identical for both rings: every test below runs
/// once per ring type through the generic scenarios in `RingScenarios`.
final class OneToOneRingBufferTests: XCTestCase {
    func testWriteThenReadOneMessage() { RingScenarios.writeThenReadOneMessage(OneToOneRingBuffer.self) }
    func testWrapAroundInsertsPaddingRecordThatReadSkips() { RingScenarios.wrapAroundWithPadding(OneToOneRingBuffer.self) }
    func testClaimAtWrapReturnsIndexAfterPadding() { RingScenarios.claimAtWrap(OneToOneRingBuffer.self) }
    func testFullRingRefusesThenNothingIsLost() { RingScenarios.fullRingRefusesThenNothingIsLost(OneToOneRingBuffer.self) }
    func testRepeatedFillAndDrainKeepsEveryMessage() { RingScenarios.repeatedFillAndDrain(OneToOneRingBuffer.self) }
    func testMessageLongerThanMaximumThrowsNamingTheLimits() { RingScenarios.messageTooLong(OneToOneRingBuffer.self) }
    func testInvalidTypeIdAndNegativeLengthThrow() { RingScenarios.invalidTypeIdAndLength(OneToOneRingBuffer.self) }
    func testClaimCommit() { RingScenarios.claimCommit(OneToOneRingBuffer.self) }
    func testClaimAbortBecomesPadding() { RingScenarios.claimAbort(OneToOneRingBuffer.self) }
    func testUncommittedClaimBlocksLaterRecords() { RingScenarios.uncommittedClaimBlocksLaterRecords(OneToOneRingBuffer.self) }
    func testReadLimit() { RingScenarios.readLimit(OneToOneRingBuffer.self) }
    func testThrowingHandlerConsumesUpToTheThrowingRecord() { RingScenarios.throwingHandler(OneToOneRingBuffer.self) }
    func testRingOverCallerMemoryUsesTheDescribedLayout() { RingScenarios.callerMemoryLayout(OneToOneRingBuffer.self) }
    func testControlledReadAbortLeavesTheRecordForTheNextRead() { RingScenarios.controlledReadAbort(OneToOneRingBuffer.self) }
}

final class ManyToOneRingBufferTests: XCTestCase {
    func testWriteThenReadOneMessage() { RingScenarios.writeThenReadOneMessage(ManyToOneRingBuffer.self) }
    func testWrapAroundInsertsPaddingRecordThatReadSkips() { RingScenarios.wrapAroundWithPadding(ManyToOneRingBuffer.self) }
    func testClaimAtWrapReturnsIndexAfterPadding() { RingScenarios.claimAtWrap(ManyToOneRingBuffer.self) }
    func testFullRingRefusesThenNothingIsLost() { RingScenarios.fullRingRefusesThenNothingIsLost(ManyToOneRingBuffer.self) }
    func testRepeatedFillAndDrainKeepsEveryMessage() { RingScenarios.repeatedFillAndDrain(ManyToOneRingBuffer.self) }
    func testMessageLongerThanMaximumThrowsNamingTheLimits() { RingScenarios.messageTooLong(ManyToOneRingBuffer.self) }
    func testInvalidTypeIdAndNegativeLengthThrow() { RingScenarios.invalidTypeIdAndLength(ManyToOneRingBuffer.self) }
    func testClaimCommit() { RingScenarios.claimCommit(ManyToOneRingBuffer.self) }
    func testClaimAbortBecomesPadding() { RingScenarios.claimAbort(ManyToOneRingBuffer.self) }
    func testUncommittedClaimBlocksLaterRecords() { RingScenarios.uncommittedClaimBlocksLaterRecords(ManyToOneRingBuffer.self) }
    func testReadLimit() { RingScenarios.readLimit(ManyToOneRingBuffer.self) }
    func testThrowingHandlerConsumesUpToTheThrowingRecord() { RingScenarios.throwingHandler(ManyToOneRingBuffer.self) }
    func testRingOverCallerMemoryUsesTheDescribedLayout() { RingScenarios.callerMemoryLayout(ManyToOneRingBuffer.self) }
    func testControlledReadAbortLeavesTheRecordForTheNextRead() { RingScenarios.controlledReadAbort(ManyToOneRingBuffer.self) }
}

/// A message as the tests see it after `read`.
struct ReadMessage: Equatable {
    var typeId: Int32
    var bytes: [UInt8]
}

/// Deterministic payload bytes for message `seed`.
func patternBytes(seed: Int, length: Int) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: seed &* 31 &+ $0 &* 7 &+ 1) }
}

enum RingScenarios {
    // MARK: helpers

    @discardableResult
    static func write<R: TestRing>(_ ring: R, typeId: Int32 = 1, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            try! ring.write(typeId: typeId, source: raw.baseAddress ?? UnsafeRawPointer(ring.buffer), length: raw.count)
        }
    }

    static func readAll<R: TestRing>(_ ring: R, limit: Int = .max) -> [ReadMessage] {
        var messages: [ReadMessage] = []
        let count = ring.read(limit: limit) { typeId, payload, length in
            messages.append(ReadMessage(typeId: typeId, bytes: Array(UnsafeRawBufferPointer(start: payload, count: length))))
        }
        XCTAssertEqual(count, messages.count)
        return messages
    }

    static func dataRegionIsZero<R: TestRing>(_ ring: R) -> Bool {
        UnsafeRawBufferPointer(start: ring.buffer, count: ring.capacity).allSatisfy { $0 == 0 }
    }

    static func header<R: TestRing>(_ ring: R, recordIndex: Int) -> (length: Int32, typeId: Int32) {
        let record = ring.buffer + recordIndex
        return (record.load(fromByteOffset: RecordDescriptor.lengthOffset, as: Int32.self),
                record.load(fromByteOffset: RecordDescriptor.typeIdOffset, as: Int32.self))
    }

    // MARK: scenarios

    static func writeThenReadOneMessage<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        XCTAssertEqual(ring.capacity, 1024)
        XCTAssertEqual(ring.maxMessageLength, 128)
        XCTAssertEqual(ring.size, 0)
        XCTAssertEqual(readAll(ring), [], "empty ring")

        let payload = patternBytes(seed: 1, length: 13)
        XCTAssertTrue(write(ring, typeId: 42, payload))
        XCTAssertEqual(ring.producerPosition, 24, "8-byte header + 13 bytes, aligned to 8")
        XCTAssertEqual(ring.size, 24)
        XCTAssertEqual(header(ring, recordIndex: 0).length, 21, "record length includes the header, unaligned")
        XCTAssertEqual(header(ring, recordIndex: 0).typeId, 42)

        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 42, bytes: payload)])
        XCTAssertEqual(ring.consumerPosition, 24)
        XCTAssertEqual(ring.size, 0)
        XCTAssertTrue(dataRegionIsZero(ring), "consumed bytes are zeroed")
        XCTAssertEqual(readAll(ring), [], "nothing read twice")

        XCTAssertTrue(write(ring, typeId: 3, []), "an empty payload is a valid message")
        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 3, bytes: [])])
    }

    static func wrapAroundWithPadding<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        // 15 records of 64 bytes: the tail reaches 960.
        for seed in 0..<15 {
            XCTAssertTrue(write(ring, patternBytes(seed: seed, length: 56)))
        }
        XCTAssertEqual(readAll(ring).count, 15)
        XCTAssertEqual(ring.consumerPosition, 960)

        // A: 40-byte record at 960, tail 1000, 24 bytes left before the end.
        let messageA = patternBytes(seed: 100, length: 32)
        XCTAssertTrue(write(ring, typeId: 5, messageA))
        XCTAssertEqual(ring.producerPosition, 1000)
        // B: a 48-byte record does not fit in 24: padding [1000, 1024), B at 0.
        let messageB = patternBytes(seed: 101, length: 40)
        XCTAssertTrue(write(ring, typeId: 6, messageB))
        XCTAssertEqual(ring.producerPosition, 1000 + 24 + 48)

        let padding = header(ring, recordIndex: 1000)
        XCTAssertEqual(padding.length, 24, "padding fills to the end of the data region")
        XCTAssertEqual(padding.typeId, RecordDescriptor.paddingTypeId)
        XCTAssertEqual(header(ring, recordIndex: 0).length, 48, "B is contiguous at index 0")
        XCTAssertEqual(header(ring, recordIndex: 0).typeId, 6)

        // One message per read: A, then B (the padding is skipped, not counted).
        XCTAssertEqual(readAll(ring, limit: 1), [ReadMessage(typeId: 5, bytes: messageA)])
        XCTAssertEqual(ring.consumerPosition, 1000)
        XCTAssertEqual(readAll(ring, limit: 1), [ReadMessage(typeId: 6, bytes: messageB)])
        XCTAssertEqual(ring.consumerPosition, 1072)
        XCTAssertEqual(ring.size, 0)
        XCTAssertTrue(dataRegionIsZero(ring), "padding and B were zeroed")

        // The same again, read in one batch that crosses the wrap.
        for seed in 0..<14 {
            XCTAssertTrue(write(ring, patternBytes(seed: seed, length: 56)))
        }
        XCTAssertTrue(write(ring, patternBytes(seed: 14, length: 48)))
        XCTAssertEqual(readAll(ring).count, 15)
        XCTAssertEqual(ring.producerPosition, 1072 + 14 * 64 + 56)
        XCTAssertEqual(ring.producerPosition & 1023, 1000)
        XCTAssertTrue(write(ring, typeId: 5, messageA))
        XCTAssertTrue(write(ring, typeId: 6, messageB))
        XCTAssertEqual(readAll(ring),
                       [ReadMessage(typeId: 5, bytes: messageA), ReadMessage(typeId: 6, bytes: messageB)])
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition)
        XCTAssertTrue(dataRegionIsZero(ring))
    }

    static func claimAtWrap<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        for seed in 0..<15 {
            XCTAssertTrue(write(ring, patternBytes(seed: seed, length: 56)))
        }
        XCTAssertEqual(readAll(ring).count, 15)
        XCTAssertTrue(write(ring, patternBytes(seed: 7, length: 48)))  // record [960, 1016)
        guard let index = try! ring.tryClaim(typeId: 9, length: 16) else {
            return XCTFail("\(R.self): claim failed on an almost empty ring")
        }
        XCTAssertEqual(index, RecordDescriptor.headerLength, "the claim wrapped to index 0")
        XCTAssertEqual(header(ring, recordIndex: 1016).typeId, RecordDescriptor.paddingTypeId)
        let payload = patternBytes(seed: 8, length: 16)
        payload.withUnsafeBytes { ring.payloadPointer(at: index).copyMemory(from: $0.baseAddress!, byteCount: 16) }
        ring.commit(index: index)
        XCTAssertEqual(readAll(ring),
                       [ReadMessage(typeId: 1, bytes: patternBytes(seed: 7, length: 48)),
                        ReadMessage(typeId: 9, bytes: payload)])
    }

    static func fullRingRefusesThenNothingIsLost<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        // 24-byte payloads are 32-byte records: exactly 32 fit.
        var written = 0
        while write(ring, typeId: 2, patternBytes(seed: written, length: 24)) {
            written += 1
            if written > 1024 { break }
        }
        XCTAssertEqual(written, 32)
        XCTAssertEqual(ring.size, 1024)
        XCTAssertFalse(write(ring, typeId: 2, []), "not even a header fits")
        XCTAssertNil(try! ring.tryClaim(typeId: 2, length: 0))
        XCTAssertEqual(ring.producerPosition, 1024, "a refused write changes nothing")

        let messages = readAll(ring)
        XCTAssertEqual(messages.count, written)
        for (seed, message) in messages.enumerated() {
            XCTAssertEqual(message, ReadMessage(typeId: 2, bytes: patternBytes(seed: seed, length: 24)), "message \(seed)")
        }
        XCTAssertEqual(ring.size, 0)
        XCTAssertTrue(write(ring, typeId: 2, patternBytes(seed: 99, length: 24)), "room again after reading")
    }

    static func repeatedFillAndDrain<R: TestRing>(_: R.Type) {
        // Varied lengths so the wrap point and the padding move every lap.
        let ring = R(capacity: 1024)
        var nextToWrite = 0
        var nextToRead = 0
        for round in 0..<200 {
            var refused = false
            while !refused {
                let length = (nextToWrite &* 37) % (ring.maxMessageLength + 1)
                if write(ring, typeId: Int32(1 + nextToWrite % 5), patternBytes(seed: nextToWrite, length: length)) {
                    nextToWrite += 1
                } else {
                    refused = true
                }
            }
            // Drain in small batches, checking every message.
            var batch = 0
            repeat {
                batch = ring.read(limit: 1 + round % 7) { typeId, payload, length in
                    let expectedLength = (nextToRead &* 37) % (ring.maxMessageLength + 1)
                    let bytes = Array(UnsafeRawBufferPointer(start: payload, count: length))
                    if typeId != Int32(1 + nextToRead % 5) || bytes != patternBytes(seed: nextToRead, length: expectedLength) {
                        XCTFail("\(R.self): message \(nextToRead) corrupted (type \(typeId), length \(length))")
                    }
                    nextToRead += 1
                }
            } while batch > 0
            XCTAssertEqual(nextToRead, nextToWrite, "round \(round): everything written was read")
            XCTAssertEqual(ring.consumerPosition, ring.producerPosition)
        }
        XCTAssertGreaterThan(ring.producerPosition, 100 * 1024, "the test went round the ring many times")
        XCTAssertTrue(dataRegionIsZero(ring))
    }

    static func messageTooLong<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        let source = [UInt8](repeating: 7, count: 200)
        source.withUnsafeBytes { raw in
            do throws(RingBufferError) {
                _ = try ring.write(typeId: 1, source: raw.baseAddress!, length: 129)
                XCTFail("\(R.self): a 129-byte message was accepted by a ring with maximum 128")
            } catch {
                XCTAssertEqual(error, .messageTooLong(length: 129, maxMessageLength: 128))
                XCTAssertTrue(error.description.contains("129") && error.description.contains("128"),
                              "the text names the length and the maximum: \(error.description)")
            }
            do throws(RingBufferError) {
                _ = try ring.tryClaim(typeId: 1, length: 1000)
                XCTFail("\(R.self): a 1000-byte claim was accepted")
            } catch {
                XCTAssertEqual(error, .messageTooLong(length: 1000, maxMessageLength: 128))
                XCTAssertTrue(error.description.contains("1000") && error.description.contains("128"), error.description)
            }
            XCTAssertEqual(ring.producerPosition, 0, "a refused message changes nothing")
            XCTAssertTrue(try! ring.write(typeId: 1, source: raw.baseAddress!, length: 128), "the maximum itself fits")
        }
        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 1, bytes: [UInt8](repeating: 7, count: 128))])
    }

    static func invalidTypeIdAndLength<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        var byte: UInt8 = 0
        for typeId: Int32 in [0, -1, Int32.min] {
            XCTAssertThrowsError(try ring.write(typeId: typeId, source: &byte, length: 1)) { error in
                XCTAssertEqual(error as? RingBufferError, .invalidTypeId(typeId: typeId))
            }
            XCTAssertThrowsError(try ring.tryClaim(typeId: typeId, length: 1)) { error in
                XCTAssertEqual(error as? RingBufferError, .invalidTypeId(typeId: typeId))
            }
        }
        XCTAssertThrowsError(try ring.write(typeId: 1, source: &byte, length: -1)) { error in
            XCTAssertEqual(error as? RingBufferError, .negativeLength(length: -1))
        }
        XCTAssertEqual(ring.producerPosition, 0)
    }

    static func claimCommit<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        guard let index = try! ring.tryClaim(typeId: 7, length: 20) else {
            return XCTFail("\(R.self): claim on an empty ring failed")
        }
        XCTAssertEqual(index, 8)
        XCTAssertEqual(ring.payloadPointer(at: index), ring.buffer + index)
        XCTAssertEqual(header(ring, recordIndex: 0).length, -28, "claimed: negative record length")
        let payload = patternBytes(seed: 3, length: 20)
        payload.withUnsafeBytes { ring.payloadPointer(at: index).copyMemory(from: $0.baseAddress!, byteCount: 20) }
        XCTAssertEqual(readAll(ring), [], "a claim is invisible until committed")
        XCTAssertEqual(ring.size, 32)
        ring.commit(index: index)
        XCTAssertEqual(header(ring, recordIndex: 0).length, 28)
        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 7, bytes: payload)])

        // A zero-length claim.
        let empty = try! ring.tryClaim(typeId: 8, length: 0)!
        ring.commit(index: empty)
        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 8, bytes: [])])
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition)
    }

    static func claimAbort<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        let index = try! ring.tryClaim(typeId: 7, length: 30)!
        ring.payloadPointer(at: index).initializeMemory(as: UInt8.self, repeating: 0xAB, count: 30)
        ring.abort(index: index)
        XCTAssertEqual(header(ring, recordIndex: 0).typeId, RecordDescriptor.paddingTypeId)
        XCTAssertEqual(header(ring, recordIndex: 0).length, 38)
        XCTAssertTrue(write(ring, typeId: 4, [1, 2, 3]))
        XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 4, bytes: [1, 2, 3])], "the aborted claim is skipped")
        XCTAssertEqual(ring.consumerPosition, 40 + 16)
        XCTAssertTrue(dataRegionIsZero(ring), "the aborted bytes were zeroed too")

        // An abort alone: read returns 0 messages but consumes the padding.
        let alone = try! ring.tryClaim(typeId: 7, length: 8)!
        ring.abort(index: alone)
        XCTAssertEqual(readAll(ring), [])
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition)
    }

    static func uncommittedClaimBlocksLaterRecords<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        let first = try! ring.tryClaim(typeId: 1, length: 8)!
        let second = try! ring.tryClaim(typeId: 2, length: 8)!
        XCTAssertTrue(write(ring, typeId: 3, [3]))
        ring.commit(index: second)
        XCTAssertEqual(readAll(ring), [], "records are read in tail order: the first claim blocks")
        ring.payloadPointer(at: first).storeBytes(of: 1, as: UInt64.self)
        ring.commit(index: first)
        XCTAssertEqual(readAll(ring).map(\.typeId), [1, 2, 3])
    }

    static func readLimit<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        for seed in 0..<10 {
            XCTAssertTrue(write(ring, typeId: Int32(seed + 1), patternBytes(seed: seed, length: 5)))
        }
        XCTAssertEqual(readAll(ring, limit: 0), [])
        XCTAssertEqual(ring.consumerPosition, 0, "a zero limit consumes nothing")
        XCTAssertEqual(readAll(ring, limit: 3).map(\.typeId), [1, 2, 3])
        XCTAssertEqual(ring.consumerPosition, 3 * 16, "the head moves by exactly what was read")
        XCTAssertEqual(readAll(ring, limit: 100).map(\.typeId), Array(4...10))
    }

    struct Stop: Error {}

    static func throwingHandler<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        for seed in 0..<5 {
            XCTAssertTrue(write(ring, typeId: Int32(seed + 1), [UInt8(seed)]))
        }
        var seen: [Int32] = []
        XCTAssertThrowsError(try ring.read(limit: 10) { (typeId, _, _) throws(Stop) in
            seen.append(typeId)
            if typeId == 2 { throw Stop() }
        })
        XCTAssertEqual(seen, [1, 2])
        XCTAssertEqual(ring.consumerPosition, 2 * 16, "the record the handler threw on counts as read")
        XCTAssertEqual(readAll(ring).map(\.typeId), [3, 4, 5])
    }

    static func controlledReadAbort<R: TestRing>(_: R.Type) {
        let ring = R(capacity: 1024)
        // Cross the wrap so a padding record sits among them.
        for seed in 0..<15 {
            XCTAssertTrue(write(ring, patternBytes(seed: seed, length: 56)))
        }
        XCTAssertEqual(readAll(ring).count, 15)
        for seed in 1...5 {
            XCTAssertTrue(write(ring, typeId: Int32(seed), patternBytes(seed: seed, length: 40)))
        }
        var seen: [Int32] = []
        let consumed = ring.controlledRead(limit: 10) { typeId, payload, length in
            if typeId == 3 { return .abort }
            XCTAssertEqual(Array(UnsafeRawBufferPointer(start: payload, count: length)), patternBytes(seed: Int(typeId), length: 40))
            seen.append(typeId)
            return .continue
        }
        XCTAssertEqual(consumed, 2)
        XCTAssertEqual(seen, [1, 2])
        XCTAssertEqual(ring.consumerPosition, 960 + 48 + 16 + 48, "past 1, the padding and 2; not past 3")
        XCTAssertEqual(readAll(ring).map(\.typeId), [3, 4, 5], "the aborted record comes again, then the rest")
        XCTAssertEqual(ring.consumerPosition, ring.producerPosition)
        XCTAssertTrue(dataRegionIsZero(ring))
    }

    static func callerMemoryLayout<R: TestRing>(_: R.Type) {
        let capacity = 4096
        let length = RingBufferDescriptor.totalLength(capacity: capacity)
        var raw: UnsafeMutableRawPointer?
        XCTAssertEqual(posix_memalign(&raw, RingBufferDescriptor.memoryAlignment, length), 0)
        let memory = raw!
        defer { free(memory) }
        memset(memory, 0, length)
        let trailer = memory + capacity
        do {
            let ring = R(memory: memory, length: length)
            XCTAssertEqual(ring.capacity, capacity)
            XCTAssertEqual(ring.buffer, memory)
            XCTAssertTrue(write(ring, typeId: 1, patternBytes(seed: 1, length: 8)))
            XCTAssertEqual(trailer.load(fromByteOffset: RingBufferDescriptor.tailPositionOffset, as: Int64.self), 16)
            XCTAssertEqual(trailer.load(fromByteOffset: RingBufferDescriptor.headPositionOffset, as: Int64.self), 0)
            XCTAssertEqual(readAll(ring).count, 1)
            XCTAssertEqual(trailer.load(fromByteOffset: RingBufferDescriptor.headPositionOffset, as: Int64.self), 16)
        }
        do {
            // A second ring over the same memory continues where the first stopped.
            let ring = R(memory: memory, length: length)
            XCTAssertEqual(ring.producerPosition, 16)
            XCTAssertEqual(ring.consumerPosition, 16)
            XCTAssertTrue(write(ring, typeId: 2, [9]))
            XCTAssertEqual(readAll(ring), [ReadMessage(typeId: 2, bytes: [9])])
        }
    }
}
