import BatonCodec
import Testing

/// `ByteReader` and `ByteWriter`: little-endian integers, byte strings,
/// flyweights, and a typed error instead of an overrun.
@Suite struct ByteCursorTests {
    @Test func integersRoundTripLittleEndian() throws {
        try withExactBuffer(count: 1 + 2 + 4 + 8 + 8 + 4) { buffer throws in
            var writer = ByteWriter(buffer)
            try writer.write(UInt8(0x01))
            try writer.write(UInt16(0x0302))
            try writer.write(UInt32(0x0706_0504))
            try writer.write(UInt64(0x0F0E_0D0C_0B0A_0908))
            try writer.write(Int64(-2))
            try writer.write(Int32(-3))
            #expect(writer.remaining == 0)
            #expect(Array(buffer[0..<15]) == (1...15).map { UInt8($0) })

            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(try reader.peek(UInt16.self) == 0x0201)
            #expect(try reader.read(UInt8.self) == 0x01)
            #expect(try reader.read(UInt16.self) == 0x0302)
            #expect(try reader.read(UInt32.self) == 0x0706_0504)
            #expect(try reader.read(UInt64.self) == 0x0F0E_0D0C_0B0A_0908)
            #expect(try reader.read(Int64.self) == -2)
            #expect(try reader.read(Int32.self) == -3)
            #expect(reader.isAtEnd)
        }
    }

    @Test func readPastTheEndThrowsAndMovesNothing() throws {
        try withExactBuffer(count: 7) { buffer throws in
            buffer.initializeMemory(as: UInt8.self, repeating: 0x11)
            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(try reader.read(UInt32.self) == 0x1111_1111)
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: 4, remaining: 3)) { try reader.read(UInt32.self) }
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: 8, remaining: 3)) { try reader.peek(UInt64.self) }
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: 4, remaining: 3)) { try reader.readBytes(count: 4) }
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: 4, remaining: 3)) { try reader.skip(4) }
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: -1, remaining: 3)) { try reader.readBytes(count: -1) }
            #expect(throws: CodecError.readPastEnd(offset: 4, needed: Int.min, remaining: 3)) { try reader.skip(Int.min) }
            #expect(reader.offset == 4)
            #expect(try reader.readBytes(count: 3).count == 3)
            #expect(try reader.readBytes(count: 0).count == 0)
            #expect(reader.isAtEnd)
        }
        #expect(CodecError.readPastEnd(offset: 4, needed: 8, remaining: 3).description
                == "read of 8 bytes at offset 4 passes the end: 3 bytes remain")
    }

    @Test func emptyBuffers() throws {
        var reader = ByteReader(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(throws: CodecError.readPastEnd(offset: 0, needed: 1, remaining: 0)) { try reader.read(UInt8.self) }
        #expect(try reader.readBytes(count: 0).count == 0)
        try reader.skip(0)
        #expect(throws: CodecError.readPastEnd(offset: 0, needed: 8, remaining: 0)) { try reader.readFlyweight(MessageHeader.self) }
        #expect(throws: CodecError.readPastEnd(offset: 0, needed: 2, remaining: 0)) {
            try reader.readLengthPrefixedBytes(prefix: UInt16.self)
        }
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: nil, count: 0))
        #expect(throws: CodecError.writePastEnd(offset: 0, needed: 1, remaining: 0)) { try writer.write(UInt8(1)) }
        try writer.write(bytes: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(writer.written.count == 0)
    }

    @Test func lengthPrefixedBytes() throws {
        try withExactBuffer(count: 2 + 5 + 4 + 0 + 1 + 3) { buffer throws in
            var writer = ByteWriter(buffer)
            let hello: [UInt8] = Array("hello".utf8)
            try hello.withUnsafeBytes { bytes in try writer.writeLengthPrefixed(bytes: bytes, prefix: UInt16.self) }
            try writer.writeLengthPrefixed(bytes: UnsafeRawBufferPointer(start: nil, count: 0), prefix: UInt32.self)
            try writer.writeLengthPrefixed(utf8: "abc", prefix: UInt8.self)
            #expect(writer.remaining == 0)
            #expect(Array(buffer[0..<2]) == [5, 0])

            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(Array(try reader.readLengthPrefixedBytes(prefix: UInt16.self)) == hello)
            #expect(try reader.readLengthPrefixedBytes(prefix: UInt32.self).count == 0)
            let abc = try reader.readLengthPrefixedBytes(prefix: UInt8.self, maximumLength: 3)
            #expect(String(decoding: abc, as: UTF8.self) == "abc")
            #expect(reader.isAtEnd)
        }
    }

    @Test func lengthPrefixBeyondTheBytesOrTheLimit() throws {
        try withExactBuffer(count: 2 + 5) { buffer throws in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.storeBytes(of: UInt16(10).littleEndian, as: UInt16.self) // claims 10, has 5
            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(throws: CodecError.readPastEnd(offset: 2, needed: 10, remaining: 5)) {
                try reader.readLengthPrefixedBytes(prefix: UInt16.self)
            }
            #expect(reader.offset == 0) // a failed read consumes nothing, not even the prefix
            buffer.storeBytes(of: UInt16(5).littleEndian, as: UInt16.self)
            #expect(throws: CodecError.lengthOverLimit(length: 5, limit: 4)) {
                try reader.readLengthPrefixedBytes(prefix: UInt16.self, maximumLength: 4)
            }
            #expect(throws: CodecError.lengthOverLimit(length: 5, limit: 0)) {
                try reader.readLengthPrefixedBytes(prefix: UInt16.self, maximumLength: -1)
            }
            #expect(try reader.readLengthPrefixedBytes(prefix: UInt16.self, maximumLength: 5).count == 5)
        }
        // A 64-bit prefix larger than any Int: an error, not a trap.
        try withExactBuffer(count: 8) { buffer throws in
            buffer.storeBytes(of: UInt64.max, as: UInt64.self)
            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(throws: CodecError.lengthOverLimit(length: UInt64.max, limit: UInt64(Int.max))) {
                try reader.readLengthPrefixedBytes(prefix: UInt64.self)
            }
            buffer.storeBytes(of: UInt64(Int.max), as: UInt64.self)
            #expect(throws: CodecError.readPastEnd(offset: 8, needed: Int.max, remaining: 0)) {
                try reader.readLengthPrefixedBytes(prefix: UInt64.self)
            }
        }
    }

    /// A prefix wider than 64 bits whose value is 2^64 + 1 must not read as a length of 1.
    @Test func widePrefixIsNotTruncated() {
        withExactBuffer(count: 16 + 1) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.storeBytes(of: (UInt128(1) << 64 | 1).littleEndian, as: UInt128.self)
            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            #expect(throws: CodecError.lengthOverLimit(length: UInt64.max, limit: UInt64(Int.max))) {
                try reader.readLengthPrefixedBytes(prefix: UInt128.self)
            }
            #expect(reader.offset == 0)
        }
    }

    @Test func writePastTheEndWritesNothing() throws {
        try withExactBuffer(count: 6) { buffer throws in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            var writer = ByteWriter(buffer)
            try writer.write(UInt32(0xFFFF_FFFF))
            #expect(throws: CodecError.writePastEnd(offset: 4, needed: 4, remaining: 2)) { try writer.write(UInt32(1)) }
            #expect(throws: CodecError.writePastEnd(offset: 4, needed: 3, remaining: 2)) {
                try [UInt8](repeating: 9, count: 3).withUnsafeBytes { bytes in try writer.write(bytes: bytes) }
            }
            #expect(throws: CodecError.writePastEnd(offset: 4, needed: 3, remaining: 2)) {
                try writer.writeLengthPrefixed(utf8: "a", prefix: UInt16.self)
            }
            #expect(throws: CodecError.writePastEnd(offset: 4, needed: -1, remaining: 2)) { try writer.reserve(-1) }
            #expect(writer.offset == 4)
            #expect(Array(buffer) == [0xFF, 0xFF, 0xFF, 0xFF, 0, 0])
        }
        #expect(CodecError.writePastEnd(offset: 4, needed: 4, remaining: 2).description
                == "write of 4 bytes at offset 4 passes the end: 2 bytes of space remain")
    }

    @Test func lengthThatDoesNotFitThePrefix() {
        withExactBuffer(count: 512) { buffer in
            var writer = ByteWriter(buffer)
            let long = [UInt8](repeating: 1, count: 256)
            #expect(throws: CodecError.lengthOverLimit(length: 256, limit: 255)) {
                try long.withUnsafeBytes { bytes in try writer.writeLengthPrefixed(bytes: bytes, prefix: UInt8.self) }
            }
            #expect(writer.offset == 0)
        }
        #expect(CodecError.lengthOverLimit(length: 256, limit: 255).description == "length 256 exceeds the limit of 255 bytes")
    }

    @Test func reserveAndPatchALength() throws {
        try withExactBuffer(count: 4 + 3 * 8) { buffer throws in
            var writer = ByteWriter(buffer)
            let countField = try writer.reserve(4)
            for value: UInt64 in [10, 20, 30] { try writer.write(value) }
            countField.storeLittleEndian(UInt32(3), toByteOffset: 0)

            var reader = ByteReader(writer.written)
            let count = try reader.read(UInt32.self)
            var sum: UInt64 = 0
            for _ in 0..<count { sum += try reader.read(UInt64.self) }
            #expect(sum == 60)
            #expect(reader.isAtEnd)
        }
    }

    @Test func flyweightsThroughCursors() throws {
        try withExactBuffer(count: 16) { buffer throws in
            var writer = ByteWriter(buffer)
            let first = try writer.writeFlyweight(MessageHeader.self)
            first.write(blockLength: 1, templateId: 2, schemaId: 3, version: 4)
            #expect(first.bytes.count == 8)
            _ = try writer.writeFlyweight(MessageHeader.self)
            #expect(throws: CodecError.writePastEnd(offset: 16, needed: 8, remaining: 0)) {
                try writer.writeFlyweight(MessageHeader.self)
            }
            var reader = ByteReader(UnsafeRawBufferPointer(buffer))
            let read = try reader.readFlyweight(MessageHeader.self)
            #expect(read.blockLength == 1 && read.templateId == 2 && read.schemaId == 3 && read.version == 4)
            #expect(reader.offset == 8)
            #expect(reader.remainingBytes.count == 8)
        }
    }
}
