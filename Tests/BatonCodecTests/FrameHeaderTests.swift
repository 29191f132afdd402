import BatonCodec
import Testing

/// Writing, sealing and checking log frames (`FrameHeader`, `FrameDescriptor`).
@Suite struct FrameHeaderTests {
    /// Writes a sealed data frame with a patterned payload into `buffer` at its start.
    @discardableResult
    static func writeDataFrame(_ buffer: UnsafeMutableRawBufferPointer, payloadLength: Int,
                               position: Int64 = 4096) -> FrameHeader {
        let frame = FrameHeader(buffer.baseAddress!)
        frame.writeDataHeader(payloadLength: payloadLength, streamId: 7, position: position,
                              producerId: 0xAABB_CCDD_EEFF_0011, sequence: 42,
                              timestampNanos: 1_700_000_000_123_456_789, flags: 0x5A)
        for index in 0..<payloadLength {
            frame.payload.storeBytes(of: UInt8(truncatingIfNeeded: index &* 31 &+ 7), toByteOffset: index, as: UInt8.self)
        }
        frame.seal()
        return frame
    }

    @Test func layoutConstants() {
        #expect(FrameDescriptor.headerLength == 48)
        #expect(FrameDescriptor.alignment == 32)
        #expect(FrameDescriptor.checksumStart == 8)
        #expect(FrameDescriptor.aligned(0) == 0)
        #expect(FrameDescriptor.aligned(1) == 32)
        #expect(FrameDescriptor.aligned(32) == 32)
        #expect(FrameDescriptor.aligned(33) == 64)
        #expect(FrameDescriptor.alignedFrameLength(payloadLength: 0) == 64)
        #expect(FrameDescriptor.alignedFrameLength(payloadLength: 16) == 64)
        #expect(FrameDescriptor.alignedFrameLength(payloadLength: 17) == 96)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 100, 1000, 4096])
    func dataFrameRoundTrip(payloadLength: Int) {
        let aligned = FrameDescriptor.alignedFrameLength(payloadLength: payloadLength)
        withExactBuffer(count: aligned) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0xEE)
            let frame = Self.writeDataFrame(buffer, payloadLength: payloadLength)
            let verdict = FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 4096)
            #expect(verdict == .valid(frameLength: 48 + payloadLength, type: .data))
            #expect(verdict.isValid)
            #expect(frame.frameLength == 48 + payloadLength)
            #expect(frame.payloadLength == payloadLength)
            #expect(frame.alignedLength == aligned)
            #expect(frame.version == FrameDescriptor.currentVersion)
            #expect(frame.flags == 0x5A)
            #expect(FrameType(rawValue: frame.typeCode) == .data)
            #expect(frame.streamId == 7)
            #expect(frame.position == 4096)
            #expect(frame.producerId == 0xAABB_CCDD_EEFF_0011)
            #expect(frame.sequence == 42)
            #expect(frame.timestampNanos == 1_700_000_000_123_456_789)
            #expect(frame.checksum == frame.computeChecksum())
            #expect(frame.payload == buffer.baseAddress! + 48)
            for index in 0..<payloadLength {
                #expect(frame.payload.load(fromByteOffset: index, as: UInt8.self) == UInt8(truncatingIfNeeded: index &* 31 &+ 7))
            }
            // The checksum is CRC32C over [8, frameLength), stored little-endian at 4.
            let expected = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[8..<(48 + payloadLength)]))
            #expect(frame.checksum == expected)
            #expect(buffer[4] == UInt8(expected & 0xFF) && buffer[7] == UInt8(expected >> 24))
        }
    }

    @Test func fieldBytesAreLittleEndianAtTheDescribedOffsets() {
        withExactBuffer(count: 64) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let frame = FrameHeader(buffer.baseAddress!)
            frame.frameLength = 0x0102_0304
            frame.typeCode = 0x0A0B
            frame.streamId = 0x1122_3344
            frame.position = 0x0102_0304_0506_0708
            #expect(Array(buffer[0..<4]) == [0x04, 0x03, 0x02, 0x01])
            #expect(Array(buffer[10..<12]) == [0x0B, 0x0A])
            #expect(Array(buffer[12..<16]) == [0x44, 0x33, 0x22, 0x11])
            #expect(Array(buffer[16..<24]) == [0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
        }
    }

    @Test(arguments: [32, 64, 96, 4096])
    func paddingFrame(length: Int) {
        withExactBuffer(count: length) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0xCD)
            let frame = FrameHeader(buffer.baseAddress!)
            frame.writePadding(length: length, position: 8192)
            let base = UnsafeRawPointer(buffer.baseAddress!)
            #expect(FrameHeader.check(base, available: length, expectedPosition: 8192) == .valid(frameLength: length, type: .padding))
            // Only the first 32 bytes are needed to check a padding frame.
            #expect(FrameHeader.check(base, available: 32, expectedPosition: 8192) == .valid(frameLength: length, type: .padding))
            #expect(frame.alignedLength == length)
            #expect(frame.producerId == 0)
            #expect(frame.streamId == 0)
            // The body past 32 bytes is never written (a 32-byte padding frame ends there).
            if length > 32 { #expect(buffer[32] == 0xCD) }
            #expect(FrameHeader.check(base, available: length, expectedPosition: 0) == .wrongPosition(found: 8192, expected: 0))
        }
    }

    /// A flipped bit in a padding frame's length must not pass: it would send
    /// a reader into the padding body, which reads as "empty" (end of log).
    @Test func paddingLengthIsCoveredByTheChecksum() {
        withExactBuffer(count: 128) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            let frame = FrameHeader(buffer.baseAddress!)
            frame.writePadding(length: 64, position: 0)
            for bit in 0..<32 {
                frame.frameLength ^= 1 << bit
                let verdict = FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 0)
                #expect(!verdict.isValid, "length bit \(bit): \(verdict)")
                frame.frameLength ^= 1 << bit
            }
            #expect(FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 0) == .valid(frameLength: 64, type: .padding))
        }
    }

    @Test func emptyWhenLengthIsZero() {
        withExactBuffer(count: 64) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            #expect(FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 0) == .empty)
            // Only 4 bytes are needed to see that nothing is there.
            #expect(FrameHeader.check(UnsafeRawPointer(buffer.baseAddress!), available: 4, expectedPosition: 0) == .empty)
        }
    }

    @Test func truncated() {
        withExactBuffer(count: 128) { buffer in
            Self.writeDataFrame(buffer, payloadLength: 60) // frameLength 108
            let base = UnsafeRawPointer(buffer.baseAddress!)
            for available in 0..<4 {
                #expect(FrameHeader.check(base, available: available, expectedPosition: 4096) == .truncated(needed: 4, available: available))
            }
            #expect(FrameHeader.check(base, available: -5, expectedPosition: 4096) == .truncated(needed: 4, available: -5))
            #expect(FrameHeader.check(base, available: 20, expectedPosition: 4096) == .truncated(needed: 32, available: 20))
            #expect(FrameHeader.check(base, available: 107, expectedPosition: 4096) == .truncated(needed: 108, available: 107))
            #expect(FrameHeader.check(base, available: 108, expectedPosition: 4096) == .valid(frameLength: 108, type: .data))
            #expect(FrameHeader.check(UnsafeRawBufferPointer(start: nil, count: 0), expectedPosition: 0) == .truncated(needed: 4, available: 0))
        }
    }

    @Test func badLength() {
        withExactBuffer(count: 128) { buffer in
            let frame = Self.writeDataFrame(buffer, payloadLength: 16)
            let base = UnsafeRawPointer(buffer.baseAddress!)
            for length in [1, 31, 32, 47] { // below the data header
                frame.frameLength = length
                #expect(FrameHeader.check(base, available: 128, expectedPosition: 4096) == .badLength(length))
            }
            for length in [FrameDescriptor.maximumFrameLength + 1, Int(UInt32.max)] { // above the limit
                frame.frameLength = length
                #expect(FrameHeader.check(base, available: 128, expectedPosition: 4096) == .badLength(length))
            }
            frame.frameLength = 64 // within the hard limit, above the caller's
            #expect(FrameHeader.check(base, available: 128, expectedPosition: 4096, maximumFrameLength: 63) == .badLength(64))
            frame.writePadding(length: 64, position: 0)
            for length in [1, 16, 31, 33, 63, 65] { // padding: a positive multiple of 32
                frame.frameLength = length
                #expect(FrameHeader.check(base, available: 128, expectedPosition: 0) == .badLength(length))
            }
        }
    }

    @Test func unsupportedVersionAndUnknownType() {
        withExactBuffer(count: 64) { buffer in
            let frame = Self.writeDataFrame(buffer, payloadLength: 16)
            let base = UnsafeRawPointer(buffer.baseAddress!)
            frame.version = 2
            #expect(FrameHeader.check(base, available: 64, expectedPosition: 4096) == .unsupportedVersion(2))
            frame.version = 0
            #expect(FrameHeader.check(base, available: 64, expectedPosition: 4096) == .unsupportedVersion(0))
            frame.version = FrameDescriptor.currentVersion
            for code: UInt16 in [0, 3, 0x0100, 0xFFFF] {
                frame.typeCode = code
                #expect(FrameHeader.check(base, available: 64, expectedPosition: 4096) == .unknownType(code))
            }
        }
    }

    @Test func flippedPayloadBitIsABadChecksum() {
        withExactBuffer(count: 96) { buffer in
            let frame = Self.writeDataFrame(buffer, payloadLength: 40)
            let stored = frame.checksum
            buffer[60] ^= 0x10
            let verdict = FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 4096)
            #expect(verdict == .badChecksum(stored: stored, computed: frame.computeChecksum()))
            if case let .badChecksum(found, computed) = verdict { #expect(found != computed) }
            buffer[60] ^= 0x10
            #expect(FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 4096).isValid)
        }
    }

    @Test func wrongPosition() {
        withExactBuffer(count: 64) { buffer in
            Self.writeDataFrame(buffer, payloadLength: 0, position: 4096)
            let verdict = FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 4064)
            #expect(verdict == .wrongPosition(found: 4096, expected: 4064))
            #expect(verdict.description == "frame claims position 4096, expected 4064")
        }
    }

    /// Every single-bit flip in a data frame's covered bytes fails the check;
    /// flips in the alignment padding after `frameLength` do not matter.
    @Test func everySingleBitFlip() {
        let payloadLength = 20 // frameLength 68, aligned 96
        withExactBuffer(count: 96) { buffer in
            Self.writeDataFrame(buffer, payloadLength: payloadLength)
            for byte in 0..<96 {
                for bit in 0..<8 {
                    buffer[byte] ^= 1 << bit
                    let verdict = FrameHeader.check(UnsafeRawBufferPointer(buffer), expectedPosition: 4096)
                    if byte < 68 {
                        #expect(!verdict.isValid, "byte \(byte) bit \(bit): \(verdict)")
                    } else {
                        #expect(verdict == .valid(frameLength: 68, type: .data), "byte \(byte) bit \(bit)")
                    }
                    buffer[byte] ^= 1 << bit
                }
            }
        }
    }

    @Test func descriptions() {
        #expect(FrameCheck.truncated(needed: 108, available: 107).description == "truncated frame: needs 108 bytes, 107 available")
        #expect(FrameCheck.badLength(40).description == "invalid frame length 40")
        #expect(FrameCheck.unknownType(3).description == "unknown frame type 3")
        #expect(FrameCheck.empty.description == "no frame (length 0)")
    }
}
