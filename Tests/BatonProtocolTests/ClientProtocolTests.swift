import BatonTestSupport
import BatonCodec
import BatonProtocol
import XCTest

final class ClientProtocolTests: XCTestCase {
    private let max = ClientProtocol.defaultMaxMessageLength

    private func withWriter(_ capacity: Int = 4096, _ body: (inout ByteWriter) throws -> Void) rethrows -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var writer = ByteWriter(buffer)
        try body(&writer)
        return Array(writer.written)
    }

    private func scanOne(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line,
                         _ check: (DecodedMessage) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { raw in
            switch ClientFrameScanner.scan(raw, maxMessageLength: max) {
            case .message(let message, let consumed):
                XCTAssertEqual(consumed, bytes.count, file: file, line: line)
                try check(message)
            case .needMore: XCTFail("needMore for a whole message", file: file, line: line)
            case .invalid(let code, let text): XCTFail("invalid \(code): \(text)", file: file, line: line)
            }
        }
    }

    private func scanInvalid(_ bytes: [UInt8]) -> (ClientErrorCode, String)? {
        bytes.withUnsafeBytes { raw in
            if case .invalid(let code, let text) = ClientFrameScanner.scan(raw, maxMessageLength: max) { return (code, text) }
            return nil
        }
    }

    func testHelloWelcomeErrorHeartbeatRoundTrip() throws {
        try scanOne(try withWriter { try ClientMessageWriter.writeHello(into: &$0, clientName: "tester") }) { message in
            let block = try message.block(as: HelloBlock.self)
            XCTAssertEqual(block.minVersion, 1)
            XCTAssertEqual(block.maxVersion, 1)
            var reader = message.trailingReader()
            XCTAssertEqual(String(decoding: try reader.readLengthPrefixedBytes(prefix: UInt32.self), as: UTF8.self), "tester")
        }
        try scanOne(try withWriter {
            try ClientMessageWriter.writeWelcome(into: &$0, version: 1, nodeId: 3, sessionId: 99, maxMessageLength: 1000,
                                                 maxPayloadLength: 500, heartbeatIntervalMillis: 1000, maxBatchCount: 64,
                                                 commitPosition: 4096, serverName: "node-3")
        }) { message in
            let block = try message.block(as: WelcomeBlock.self)
            XCTAssertEqual(block.nodeId, 3)
            XCTAssertEqual(block.sessionId, 99)
            XCTAssertEqual(block.maxPayloadLength, 500)
            XCTAssertEqual(block.maxBatchCount, 64)
            XCTAssertEqual(block.commitPosition, 4096)
        }
        try scanOne(try withWriter { try ClientMessageWriter.writeError(into: &$0, code: .sequenceGap, relatedId: 7, text: "gap at 5") }) { message in
            let block = try message.block(as: ErrorBlock.self)
            XCTAssertEqual(ClientErrorCode(rawValue: block.code), .sequenceGap)
            XCTAssertEqual(block.relatedId, 7)
            var reader = message.trailingReader()
            XCTAssertEqual(String(decoding: try reader.readLengthPrefixedBytes(prefix: UInt32.self), as: UTF8.self), "gap at 5")
        }
        try scanOne(try withWriter { try ClientMessageWriter.writeHeartbeat(into: &$0, timestampNanos: -5) }) { message in
            XCTAssertEqual(try message.block(as: HeartbeatBlock.self).timestampNanos, -5)
        }
    }

    func testPublishBatchRoundTripAndValidation() throws {
        let payloads: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 9, count: 100)]
        let bytes = try withWriter { writer in
            let encoding = try ClientMessageWriter.beginPublish(into: &writer, streamId: 5, producerId: 42, firstSequence: 10)
            for payload in payloads { try payload.withUnsafeBytes { try encoding.append($0, into: &writer) } }
            encoding.finish(into: &writer)
        }
        try scanOne(bytes) { message in
            guard case .success(let batch) = PublishBatch.validate(message, maxPayloadLength: 100, maxBatchCount: 10) else {
                return XCTFail("valid batch refused")
            }
            XCTAssertEqual(batch.count, 3)
            XCTAssertEqual(batch.block.producerId, 42)
            XCTAssertEqual(batch.block.firstSequence, 10)
            XCTAssertEqual(batch.block.streamId, 5)
            XCTAssertEqual(batch.payloadBytes, 103)
            XCTAssertEqual(batch.frameBytes, 64 + 64 + 160)
            var seen: [[UInt8]] = []
            batch.forEachPayload { _, payload in seen.append(Array(payload)) }
            XCTAssertEqual(seen, payloads)
            if case .failure(let error) = PublishBatch.validate(message, maxPayloadLength: 99, maxBatchCount: 10) {
                XCTAssertEqual(error.code, .payloadTooLarge)
                XCTAssertTrue(error.description.contains("100 bytes"), error.description)
            } else { XCTFail("oversize payload accepted") }
            if case .failure(let error) = PublishBatch.validate(message, maxPayloadLength: 100, maxBatchCount: 2) {
                XCTAssertEqual(error.code, .malformed)
            } else { XCTFail("oversize batch accepted") }
        }
        // A count that claims more messages than the bytes hold.
        var lying = bytes
        lying[4 + 8 + 4] = 4
        try scanOne(lying) { message in
            if case .failure(let error) = PublishBatch.validate(message, maxPayloadLength: 100, maxBatchCount: 10) {
                XCTAssertEqual(error.code, .malformed)
            } else { XCTFail("lying count accepted") }
        }
        // Trailing garbage after the last message.
        var extra = bytes + [0, 0]
        extra.withUnsafeMutableBytes { $0.baseAddress!.storeLittleEndian(UInt32(bytes.count - 4 + 2), toByteOffset: 0) }
        try scanOne(extra) { message in
            if case .failure(let error) = PublishBatch.validate(message, maxPayloadLength: 100, maxBatchCount: 10) {
                XCTAssertTrue(error.description.contains("after"), error.description)
            } else { XCTFail("trailing bytes accepted") }
        }
    }

    func testSubscribeDeliverAckCreditRoundTrip() throws {
        try scanOne(try withWriter {
            try ClientMessageWriter.writeSubscribe(into: &$0, subscriptionId: 2, streamId: ClientProtocol.allStreams,
                                                   from: .position, start: 640, credit: 65536)
        }) { message in
            let block = try message.block(as: SubscribeBlock.self)
            XCTAssertEqual(block.subscriptionId, 2)
            XCTAssertEqual(block.streamId, ClientProtocol.allStreams)
            XCTAssertEqual(SubscribeStart(rawValue: block.from), .position)
            XCTAssertEqual(block.start, 640)
            XCTAssertEqual(block.credit, 65536)
        }
        try scanOne(try withWriter { try ClientMessageWriter.writePublishAck(into: &$0, producerId: 1, sequence: 2, position: 3) }) { message in
            let block = try message.block(as: PublishAckBlock.self)
            XCTAssertEqual([block.producerId, block.sequence, UInt64(block.position)], [1, 2, 3])
        }
        try scanOne(try withWriter { try ClientMessageWriter.writeCredit(into: &$0, subscriptionId: 4, credit: 5) }) { message in
            XCTAssertEqual(try message.block(as: CreditBlock.self).credit, 5)
        }
        try scanOne(try withWriter { try ClientMessageWriter.writeSubscribed(into: &$0, subscriptionId: 4, startPosition: 64, commitPosition: 128) }) { message in
            XCTAssertEqual(try message.block(as: SubscribedBlock.self).startPosition, 64)
        }
        // A Deliver header announces frame bytes that follow it.
        var deliver = try withWriter {
            try ClientMessageWriter.writeDeliverHeader(into: &$0, subscriptionId: 4, frameCount: 1, firstPosition: 0, frameBytes: 64)
        }
        XCTAssertEqual(deliver.count, ClientMessageWriter.deliverHeaderLength)
        deliver.withUnsafeBytes { raw in
            guard case .needMore(let needed) = ClientFrameScanner.scan(raw, maxMessageLength: max) else { return XCTFail() }
            XCTAssertEqual(needed, ClientMessageWriter.deliverHeaderLength + 64)
        }
        deliver += Array(repeating: 0, count: 64)
        try scanOne(deliver) { message in
            XCTAssertEqual(try message.block(as: DeliverBlock.self).bytes, 64)
            XCTAssertEqual(message.trailing.count, 64)
        }
    }

    func testInvalidFramesNameTheProblem() throws {
        XCTAssertEqual(scanInvalid([4, 0, 0, 0, 1, 2, 3, 4])?.0, .malformed)
        let tooLong = scanInvalid([0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertEqual(tooLong?.0, .messageTooLarge)
        XCTAssertTrue(tooLong?.1.contains("limit") ?? false)
        var hello = try withWriter { try ClientMessageWriter.writeHello(into: &$0, clientName: "x") }
        var wrongVersion = hello
        wrongVersion[4 + 6] = 9
        XCTAssertEqual(scanInvalid(wrongVersion)?.0, .unsupportedVersion)
        var wrongSchema = hello
        wrongSchema[4 + 4] = 2
        XCTAssertEqual(scanInvalid(wrongSchema)?.0, .unsupportedVersion)
        var unknown = hello
        unknown[4 + 2] = 99
        XCTAssertEqual(scanInvalid(unknown)?.0, .unknownTemplate)
        hello[4] = 2 // block length 2 < Hello's 8
        XCTAssertEqual(scanInvalid(hello)?.0, .malformed)
        var beyond = try withWriter { try ClientMessageWriter.writeHeartbeat(into: &$0, timestampNanos: 0) }
        beyond[4] = 200 // block runs past the message
        XCTAssertEqual(scanInvalid(beyond)?.0, .malformed)
    }

    func testSeededRandomBytesNeverTrap() {
        var random = SplitMix64(seed: testSeed(0xBA70_0001))
        func next() -> UInt64 { random.next() }
        var outcomes = [0, 0, 0]
        for _ in 0..<100_000 {
            let length = Int(next() % 96)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            defer { buffer.deallocate() }
            for i in 0..<length { buffer[i] = UInt8(truncatingIfNeeded: next()) }
            if length >= 4, next() % 2 == 0 { buffer.baseAddress!.storeLittleEndian(UInt32(length - 4), toByteOffset: 0) }
            if length >= 10, next() % 2 == 0 { buffer.baseAddress!.storeLittleEndian(UInt16(1), toByteOffset: 8) }
            if length >= 12, next() % 2 == 0 { buffer.baseAddress!.storeLittleEndian(UInt16(1), toByteOffset: 10) }
            if length >= 8, next() % 2 == 0 {
                buffer.baseAddress!.storeLittleEndian(UInt16(next() % 12), toByteOffset: 6)
                buffer.baseAddress!.storeLittleEndian(UInt16(next() % 40), toByteOffset: 4)
            }
            switch ClientFrameScanner.scan(UnsafeRawBufferPointer(buffer), maxMessageLength: 1 << 20) {
            case .needMore: outcomes[0] += 1
            case .invalid: outcomes[1] += 1
            case .message(let message, _):
                outcomes[2] += 1
                if message.templateId == ClientProtocol.Template.publish.rawValue {
                    _ = PublishBatch.validate(message, maxPayloadLength: 64, maxBatchCount: 16)
                }
                var reader = message.trailingReader()
                _ = try? reader.readLengthPrefixedBytes(prefix: UInt32.self, maximumLength: 1 << 20)
            }
        }
        XCTAssertGreaterThan(outcomes[2], 0, "the fuzz never produced a well-formed message: it tests too little")
        XCTAssertGreaterThan(outcomes[1], 0)
    }
}
