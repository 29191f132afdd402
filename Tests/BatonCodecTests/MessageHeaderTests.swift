import BatonCodec
import Testing

/// The SBE-style message header: encoding, checked decoding, typed errors.
@Suite struct MessageHeaderTests {
    @Test func layout() {
        #expect(MessageHeaderDescriptor.length == 8)
        #expect(MessageHeader.encodedLength == 8)
        #expect(MessageHeaderDescriptor.blockLengthOffset == 0)
        #expect(MessageHeaderDescriptor.templateIdOffset == 2)
        #expect(MessageHeaderDescriptor.schemaIdOffset == 4)
        #expect(MessageHeaderDescriptor.versionOffset == 6)
        withExactBuffer(count: 8) { buffer in
            let header = try! MessageHeader.wrapForEncode(buffer)
            header.write(blockLength: 0x0102, templateId: 0x0304, schemaId: 0x0506, version: 0x0708)
            #expect(Array(buffer) == [0x02, 0x01, 0x04, 0x03, 0x06, 0x05, 0x08, 0x07])
        }
    }

    @Test func roundTrip() throws {
        try withExactBuffer(count: 8 + 16 + 5) { buffer throws in
            let header = try MessageHeader.wrapForEncode(buffer)
            header.write(blockLength: 16, templateId: 4, schema: testSchema)
            #expect(header.blockLength == 16 && header.templateId == 4)
            #expect(header.schemaId == 42 && header.version == 2)

            let message = try MessageHeader.decode(UnsafeRawBufferPointer(buffer), schema: testSchema)
            #expect(message.templateId == 4)
            #expect(message.version == 2)
            #expect(message.blockLength == 16)
            #expect(message.header.schemaId == 42)
            #expect(message.count == 29)
            #expect(message.block.count == 16)
            #expect(message.block.baseAddress == UnsafeRawPointer(buffer.baseAddress! + 8))
            #expect(message.trailing.count == 5)
            #expect(message.trailing.baseAddress == UnsafeRawPointer(buffer.baseAddress! + 24))
        }
    }

    @Test func messageThroughWriterAndReader() throws {
        try withExactBuffer(count: 64) { buffer throws in
            var writer = ByteWriter(buffer)
            let ack = try writer.beginMessage(TestAck.self, schema: testSchema)
            ack.sequence = 77
            ack.position = -1
            try writer.writeLengthPrefixed(utf8: "frame too long", prefix: UInt16.self)
            try writer.write(UInt32(0xDEAD_BEEF))
            #expect(writer.offset == 8 + 16 + 2 + 14 + 4)

            let message = try MessageHeader.decode(writer.written, schema: testSchema)
            #expect(message.templateId == TestAck.templateId)
            #expect(message.blockLength == TestAck.encodedLength)
            let decoded = try message.block(as: TestAck.self)
            #expect(decoded.sequence == 77)
            #expect(decoded.position == -1)
            var reader = message.trailingReader()
            let text = try reader.readLengthPrefixedBytes(prefix: UInt16.self, maximumLength: 1024)
            #expect(String(decoding: text, as: UTF8.self) == "frame too long")
            #expect(try reader.read(UInt32.self) == 0xDEAD_BEEF)
            #expect(reader.isAtEnd)
        }
    }

    @Test func tooShortForTheHeader() {
        for count in 0..<8 {
            withExactBuffer(count: count) { buffer in
                #expect(throws: CodecError.headerTruncated(available: count)) {
                    try MessageHeader.decode(UnsafeRawBufferPointer(buffer), schema: testSchema)
                }
                #expect(throws: CodecError.writePastEnd(offset: 0, needed: 8, remaining: count)) {
                    try MessageHeader.wrapForEncode(buffer)
                }
            }
        }
        #expect(CodecError.headerTruncated(available: 5).description == "message header needs 8 bytes, 5 available")
    }

    /// What a decoded message said, copied out before its bytes are freed.
    struct Decoded: Equatable { var version: UInt16; var blockCount: Int; var trailingCount: Int }

    /// Writes a header into an exactly sized buffer of `count` bytes and decodes it.
    static func decode(count: Int, blockLength: UInt16, schemaId: UInt16 = 42, version: UInt16 = 2) throws(CodecError) -> Decoded {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
        defer { buffer.deallocate() } // the DecodedMessage views this memory: it must not escape
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        MessageHeader(buffer.baseAddress!).write(blockLength: blockLength, templateId: 4, schemaId: schemaId, version: version)
        let message = try MessageHeader.decode(UnsafeRawBufferPointer(buffer), schema: testSchema)
        return Decoded(version: message.version, blockCount: message.block.count, trailingCount: message.trailing.count)
    }

    @Test func blockLengthBeyondTheBuffer() throws {
        #expect(throws: CodecError.blockBeyondBuffer(blockLength: 16, available: 10)) {
            try Self.decode(count: 18, blockLength: 16)
        }
        #expect(throws: CodecError.blockBeyondBuffer(blockLength: 0xFFFF, available: 0)) {
            try Self.decode(count: 8, blockLength: 0xFFFF)
        }
        // Exactly fitting, and empty, blocks are fine.
        #expect(try Self.decode(count: 24, blockLength: 16) == Decoded(version: 2, blockCount: 16, trailingCount: 0))
        #expect(try Self.decode(count: 8, blockLength: 0) == Decoded(version: 2, blockCount: 0, trailingCount: 0))
        #expect(try Self.decode(count: 30, blockLength: 0) == Decoded(version: 2, blockCount: 0, trailingCount: 22))
        #expect(CodecError.blockBeyondBuffer(blockLength: 16, available: 10).description
                == "message block length 16 runs past the buffer: 10 bytes after the header")
    }

    @Test func wrongSchema() {
        #expect(throws: CodecError.wrongSchema(found: 7, expected: 42)) {
            try Self.decode(count: 24, blockLength: 16, schemaId: 7)
        }
        // The schema is checked before the version and the block length.
        #expect(throws: CodecError.wrongSchema(found: 7, expected: 42)) {
            try Self.decode(count: 8, blockLength: 999, schemaId: 7, version: 99)
        }
        #expect(CodecError.wrongSchema(found: 7, expected: 42).description == "schema id 7, expected 42")
    }

    @Test func unsupportedVersion() throws {
        for version: UInt16 in [0, 4, 0xFFFF] {
            #expect(throws: CodecError.unsupportedVersion(found: version, supported: 1...3)) {
                try Self.decode(count: 24, blockLength: 16, version: version)
            }
        }
        for version: UInt16 in 1...3 {
            #expect(try Self.decode(count: 24, blockLength: 16, version: version).version == version)
        }
        #expect(CodecError.unsupportedVersion(found: 9, supported: 1...3).description
                == "schema version 9 not supported (this build reads versions 1 to 3)")
    }

    @Test func blockAsAMessage() throws {
        try withExactBuffer(count: 8 + 24 + 3) { buffer throws in
            buffer.initializeMemory(as: UInt8.self, repeating: 0xAB)
            let header = MessageHeader(buffer.baseAddress!)
            // A newer peer's longer block: accepted, trailing fields start after all of it.
            header.write(blockLength: 24, templateId: TestAck.templateId, schema: testSchema)
            let message = try MessageHeader.decode(UnsafeRawBufferPointer(buffer), schema: testSchema)
            #expect(try message.block(as: TestAck.self).address == buffer.baseAddress! + 8)
            #expect(message.trailing.count == 3)
            #expect(throws: CodecError.unexpectedTemplate(found: 4, expected: 9)) { try message.block(as: TestPing.self) }

            // An older peer's shorter block: refused.
            header.blockLength = 12
            let short = try MessageHeader.decode(UnsafeRawBufferPointer(buffer), schema: testSchema)
            #expect(throws: CodecError.blockTooShort(templateId: 4, blockLength: 12, minimum: 16)) {
                try short.block(as: TestAck.self)
            }
        }
    }

    @Test func beginMessageNeedsRoomForHeaderAndBlock() {
        withExactBuffer(count: 23) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            var writer = ByteWriter(buffer)
            #expect(throws: CodecError.writePastEnd(offset: 0, needed: 24, remaining: 23)) {
                try writer.beginMessage(TestAck.self, schema: testSchema)
            }
            #expect(writer.offset == 0)
            #expect(buffer.allSatisfy { $0 == 0 }) // nothing written
        }
    }

    @Test func schemaDefaultsToItsOwnVersion() {
        let schema = MessageSchema(id: 1, version: 5)
        #expect(schema.supportedVersions == 5...5)
    }
}
