import BatonTestSupport
import BatonCodec
import BatonProtocol
import XCTest

final class ClientProtocolTests: XCTestCase {
    private let max = ClientProtocol.defaultMaxMessageLength
    private var checkedTemplates = Set<ClientProtocol.Template>()

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

    /// The "fixed block" column of docs/PROTOCOL.md's client message table, as
    /// it is written there: each field starts where the one before it ends.
    private static let documentedBlocks: [ClientProtocol.Template: String] = [
        .hello: "minVersion u16, maxVersion u16, flags u32",
        .welcome: "version u16, reserved u16, nodeId u32, sessionId u64, maxMessageLength u32, maxPayloadLength u32, heartbeatIntervalMillis u32, maxBatchCount u32, commitPosition i64",
        .publish: "streamId u32, count u32, producerId u64, firstSequence u64",
        .publishAck: "producerId u64, sequence u64, position i64",
        .subscribe: "subscriptionId u32, streamId u32, from u8, reserved u8×3, credit u32, start i64",
        .subscribed: "subscriptionId u32, reserved u32, startPosition i64, commitPosition i64",
        .deliver: "subscriptionId u32, frameCount u32, firstPosition i64, bytes u32, reserved u32",
        .credit: "subscriptionId u32, credit u32",
        .unsubscribe: "subscriptionId u32, reserved u32",
        .error: "code u16, reserved u16, reserved u32, relatedId u64",
        .heartbeat: "timestampNanos i64",
    ]

    /// A documented block's fields in order with their offsets and widths;
    /// `reserved` fields are numbered as the flyweights name them (reserved0, reserved1).
    private static func documentedLayout(_ template: ClientProtocol.Template) -> (fields: [(name: String, offset: Int, width: Int)], length: Int) {
        var fields: [(name: String, offset: Int, width: Int)] = []
        var offset = 0
        var reserved = 0
        for field in documentedBlocks[template]!.split(separator: ",") {
            let parts = field.split(separator: " ")
            var name = String(parts[0])
            let type = parts[1].split(separator: "×")
            let width = ["u8": 1, "u16": 2, "u32": 4, "u64": 8, "i64": 8][String(type[0])]! * (type.count > 1 ? Int(type[1])! : 1)
            if name == "reserved" {
                name = "reserved\(reserved)"
                reserved += 1
            }
            fields.append((name, offset, width))
            offset += width
        }
        return (fields, offset)
    }

    /// A field as a flyweight names it: its `*FieldOffset` constant and a
    /// setter that stores a value (truncated to the field's width) through the flyweight.
    private struct Field<M: MessageFlyweight> {
        let name: String
        let fieldOffset: Int
        let set: (M, UInt64) -> Void
        init(_ name: String, _ fieldOffset: Int, _ set: @escaping (M, UInt64) -> Void) {
            self.name = name
            self.fieldOffset = fieldOffset
            self.set = set
        }
    }

    /// Writes a distinct value into every field of a zeroed block through the
    /// flyweight and checks that the block's bytes are exactly those values,
    /// little-endian, at the offsets docs/PROTOCOL.md gives (and nothing else),
    /// that each `*FieldOffset` is the documented offset, and that
    /// `encodedLength` is the documented block length.
    private func checkDocumentedLayout<M: MessageFlyweight>(_ type: M.Type, _ template: ClientProtocol.Template,
                                                            _ fields: [Field<M>], line: UInt = #line) {
        XCTAssertEqual(M.templateId, template.rawValue, line: line)
        checkedTemplates.insert(template)
        let layout = Self.documentedLayout(template)
        XCTAssertEqual(M.encodedLength, layout.length, "\(template) block length", line: line)
        XCTAssertEqual(ClientFrameScanner.blockLength(of: template), layout.length, line: line)
        XCTAssertEqual(fields.map(\.name), layout.fields.map(\.name), "\(template) fields", line: line)
        var expected = [UInt8](repeating: 0, count: layout.length)
        var written = [UInt8](repeating: 0, count: layout.length)
        for (index, (field, documented)) in zip(fields, layout.fields).enumerated() {
            XCTAssertEqual(field.fieldOffset, documented.offset, "\(template).\(field.name)FieldOffset", line: line)
            // Distinct bytes in every field and within each: a swapped or shifted field shows.
            let value = 0x0807_0605_0403_0201 &+ UInt64(index) &* 0x1010_1010_1010_1010
            for byte in 0..<documented.width {
                expected[documented.offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
            }
            written.withUnsafeMutableBytes { field.set(M($0.baseAddress!), value) }
        }
        XCTAssertEqual(written, expected, "\(template) bytes", line: line)
    }

    func testEachFlyweightWritesItsFieldsAtTheDocumentedOffsets() {
        func u8<M>(_ set: @escaping (M, UInt8) -> Void) -> (M, UInt64) -> Void { { set($0, UInt8(truncatingIfNeeded: $1)) } }
        func u16<M>(_ set: @escaping (M, UInt16) -> Void) -> (M, UInt64) -> Void { { set($0, UInt16(truncatingIfNeeded: $1)) } }
        func u32<M>(_ set: @escaping (M, UInt32) -> Void) -> (M, UInt64) -> Void { { set($0, UInt32(truncatingIfNeeded: $1)) } }
        func u64<M>(_ set: @escaping (M, UInt64) -> Void) -> (M, UInt64) -> Void { { set($0, $1) } }
        func i64<M>(_ set: @escaping (M, Int64) -> Void) -> (M, UInt64) -> Void { { set($0, Int64(bitPattern: $1)) } }

        checkDocumentedLayout(HelloBlock.self, .hello, [
            Field("minVersion", HelloBlock.minVersionFieldOffset, u16 { $0.minVersion = $1 }),
            Field("maxVersion", HelloBlock.maxVersionFieldOffset, u16 { $0.maxVersion = $1 }),
            Field("flags", HelloBlock.flagsFieldOffset, u32 { $0.flags = $1 }),
        ])
        checkDocumentedLayout(WelcomeBlock.self, .welcome, [
            Field("version", WelcomeBlock.versionFieldOffset, u16 { $0.version = $1 }),
            Field("reserved0", WelcomeBlock.reserved0FieldOffset, u16 { $0.reserved0 = $1 }),
            Field("nodeId", WelcomeBlock.nodeIdFieldOffset, u32 { $0.nodeId = $1 }),
            Field("sessionId", WelcomeBlock.sessionIdFieldOffset, u64 { $0.sessionId = $1 }),
            Field("maxMessageLength", WelcomeBlock.maxMessageLengthFieldOffset, u32 { $0.maxMessageLength = $1 }),
            Field("maxPayloadLength", WelcomeBlock.maxPayloadLengthFieldOffset, u32 { $0.maxPayloadLength = $1 }),
            Field("heartbeatIntervalMillis", WelcomeBlock.heartbeatIntervalMillisFieldOffset, u32 { $0.heartbeatIntervalMillis = $1 }),
            Field("maxBatchCount", WelcomeBlock.maxBatchCountFieldOffset, u32 { $0.maxBatchCount = $1 }),
            Field("commitPosition", WelcomeBlock.commitPositionFieldOffset, i64 { $0.commitPosition = $1 }),
        ])
        checkDocumentedLayout(PublishBlock.self, .publish, [
            Field("streamId", PublishBlock.streamIdFieldOffset, u32 { $0.streamId = $1 }),
            Field("count", PublishBlock.countFieldOffset, u32 { $0.count = $1 }),
            Field("producerId", PublishBlock.producerIdFieldOffset, u64 { $0.producerId = $1 }),
            Field("firstSequence", PublishBlock.firstSequenceFieldOffset, u64 { $0.firstSequence = $1 }),
        ])
        XCTAssertEqual(PublishBlock.payloadLengthBytes, 4, "payloadLength u32")
        checkDocumentedLayout(PublishAckBlock.self, .publishAck, [
            Field("producerId", PublishAckBlock.producerIdFieldOffset, u64 { $0.producerId = $1 }),
            Field("sequence", PublishAckBlock.sequenceFieldOffset, u64 { $0.sequence = $1 }),
            Field("position", PublishAckBlock.positionFieldOffset, i64 { $0.position = $1 }),
        ])
        // The documented `reserved u8×3` is the flyweight's reserved0 (u8) then reserved1 (u16):
        // written through both, its three bytes are reserved0's byte and reserved1's two.
        checkDocumentedLayout(SubscribeBlock.self, .subscribe, [
            Field("subscriptionId", SubscribeBlock.subscriptionIdFieldOffset, u32 { $0.subscriptionId = $1 }),
            Field("streamId", SubscribeBlock.streamIdFieldOffset, u32 { $0.streamId = $1 }),
            Field("from", SubscribeBlock.fromFieldOffset, u8 { $0.from = $1 }),
            Field("reserved0", SubscribeBlock.reserved0FieldOffset, { block, value in
                block.reserved0 = UInt8(truncatingIfNeeded: value)
                block.reserved1 = UInt16(truncatingIfNeeded: value >> 8)
            }),
            Field("credit", SubscribeBlock.creditFieldOffset, u32 { $0.credit = $1 }),
            Field("start", SubscribeBlock.startFieldOffset, i64 { $0.start = $1 }),
        ])
        XCTAssertEqual(SubscribeBlock.reserved1FieldOffset, SubscribeBlock.reserved0FieldOffset + 1)
        checkDocumentedLayout(SubscribedBlock.self, .subscribed, [
            Field("subscriptionId", SubscribedBlock.subscriptionIdFieldOffset, u32 { $0.subscriptionId = $1 }),
            Field("reserved0", SubscribedBlock.reserved0FieldOffset, u32 { $0.reserved0 = $1 }),
            Field("startPosition", SubscribedBlock.startPositionFieldOffset, i64 { $0.startPosition = $1 }),
            Field("commitPosition", SubscribedBlock.commitPositionFieldOffset, i64 { $0.commitPosition = $1 }),
        ])
        checkDocumentedLayout(DeliverBlock.self, .deliver, [
            Field("subscriptionId", DeliverBlock.subscriptionIdFieldOffset, u32 { $0.subscriptionId = $1 }),
            Field("frameCount", DeliverBlock.frameCountFieldOffset, u32 { $0.frameCount = $1 }),
            Field("firstPosition", DeliverBlock.firstPositionFieldOffset, i64 { $0.firstPosition = $1 }),
            Field("bytes", DeliverBlock.bytesFieldOffset, u32 { $0.bytes = $1 }),
            Field("reserved0", DeliverBlock.reserved0FieldOffset, u32 { $0.reserved0 = $1 }),
        ])
        checkDocumentedLayout(CreditBlock.self, .credit, [
            Field("subscriptionId", CreditBlock.subscriptionIdFieldOffset, u32 { $0.subscriptionId = $1 }),
            Field("credit", CreditBlock.creditFieldOffset, u32 { $0.credit = $1 }),
        ])
        checkDocumentedLayout(UnsubscribeBlock.self, .unsubscribe, [
            Field("subscriptionId", UnsubscribeBlock.subscriptionIdFieldOffset, u32 { $0.subscriptionId = $1 }),
            Field("reserved0", UnsubscribeBlock.reserved0FieldOffset, u32 { $0.reserved0 = $1 }),
        ])
        checkDocumentedLayout(ErrorBlock.self, .error, [
            Field("code", ErrorBlock.codeFieldOffset, u16 { $0.code = $1 }),
            Field("reserved0", ErrorBlock.reserved0FieldOffset, u16 { $0.reserved0 = $1 }),
            Field("reserved1", ErrorBlock.reserved1FieldOffset, u32 { $0.reserved1 = $1 }),
            Field("relatedId", ErrorBlock.relatedIdFieldOffset, u64 { $0.relatedId = $1 }),
        ])
        checkDocumentedLayout(HeartbeatBlock.self, .heartbeat, [
            Field("timestampNanos", HeartbeatBlock.timestampNanosFieldOffset, i64 { $0.timestampNanos = $1 }),
        ])
        XCTAssertEqual(checkedTemplates, Set(ClientProtocol.Template.allCases), "every template is checked")
    }
}
