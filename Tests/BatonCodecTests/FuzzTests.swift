import BatonTestSupport
import BatonCodec
import Testing

/// 100,000 seeded inputs — random bytes, and valid frames and messages with
/// bits flipped, bytes cut off and length fields set to extremes — through
/// `FrameHeader.check`, `MessageHeader.decode` and the cursors. None may trap;
/// every verdict must keep its promise (a `valid` data frame is all there, a
/// returned byte string lies inside the buffer, a failed read moves nothing).
///
/// Each input lives in an exactly sized heap buffer, so under AddressSanitizer
/// (`swift test --sanitize=address`) any read past the end is caught too.
/// A failure prints the seed; `BATON_TEST_SEED=<seed>` replays it.
@Suite struct FuzzTests {
    static let iterations = 100_000
    static let scratchLength = 1024

    @Test func untrustedBytesNeverTrap() {
        let seed = testSeed(0xBA70_F022_0000_0001)
        var random = SplitMix64(seed: seed)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.scratchLength, alignment: 16)
        defer { scratch.deallocate() }
        var coverage = Coverage()
        for iteration in 0..<Self.iterations {
            let input = Input.make(into: scratch, using: &random)
            let failure: String? = withExactBuffer(count: input.count) { buffer in
                if input.count > 0 { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: scratch[0..<input.count])) }
                let bytes = UnsafeRawBufferPointer(buffer)
                return Self.checkFrames(bytes, position: input.position, using: &random, coverage: &coverage)
                    ?? Self.decodeMessage(bytes, using: &random, coverage: &coverage)
                    ?? Self.readAll(bytes, using: &random)
                    ?? Self.writeAll(buffer, using: &random)
            }
            if let failure {
                Issue.record("seed \(seed) iteration \(iteration) (\(input.kind), \(input.count) bytes): \(failure)")
                return
            }
        }
        print("fuzz seed \(seed): \(coverage)")
        // The inputs reach every verdict, or the fuzz tests less than it claims.
        #expect(coverage.frameVerdictsMissing.isEmpty, "frame verdicts never produced: \(coverage.frameVerdictsMissing)")
        #expect(coverage.decodeOutcomesMissing.isEmpty, "decode outcomes never produced: \(coverage.decodeOutcomesMissing)")
    }

    // MARK: - Inputs

    struct Input {
        enum Kind: String { case random, uniform, dataFrame, paddingFrame, message }
        var kind: Kind
        var count: Int
        var position: Int64

        /// Writes one input into `scratch`; returns its kind, length and the frame position it expects.
        static func make(into scratch: UnsafeMutableRawBufferPointer, using random: inout SplitMix64) -> Input {
            let position = Int64.random(in: 0...(1 << 40), using: &random) & ~31
            switch random.next() % 20 {
            case 0..<5:
                let count = Int.random(in: 0...512, using: &random)
                random.fill(UnsafeMutableRawBufferPointer(rebasing: scratch[0..<count]))
                return Input(kind: .random, count: count, position: position)
            case 5..<7:
                let count = Int.random(in: 0...512, using: &random)
                let byte: UInt8 = random.next() % 2 == 0 ? 0 : 0xFF
                scratch.initializeMemory(as: UInt8.self, repeating: byte)
                return Input(kind: .uniform, count: count, position: position)
            case 7..<12:
                random.fill(scratch)
                let count = writeDataFrames(scratch, position: position, using: &random)
                return Input(kind: .dataFrame, count: mutateFrame(scratch, count: count, using: &random), position: position)
            case 12..<14:
                random.fill(scratch)
                let length = 32 * Int.random(in: 1...16, using: &random)
                FrameHeader(scratch.baseAddress!).writePadding(length: length, position: position)
                return Input(kind: .paddingFrame, count: mutateFrame(scratch, count: length, using: &random), position: position)
            default:
                random.fill(scratch)
                let count = writeMessage(scratch, using: &random)
                return Input(kind: .message, count: mutateMessage(scratch, count: count, using: &random), position: position)
            }
        }

        /// One to three consecutive valid data frames; returns the bytes used.
        static func writeDataFrames(_ scratch: UnsafeMutableRawBufferPointer, position: Int64,
                                    using random: inout SplitMix64) -> Int {
            var offset = 0
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let payloadLength = Int.random(in: 0...120, using: &random)
                let frame = FrameHeader(scratch.baseAddress! + offset)
                frame.writeDataHeader(payloadLength: payloadLength, streamId: UInt32.random(in: 0...3, using: &random),
                                      position: position + Int64(offset), producerId: random.next(),
                                      sequence: random.next(), timestampNanos: Int64.random(in: 0...Int64.max, using: &random))
                frame.seal()
                offset += frame.alignedLength
            }
            return offset
        }

        /// Extreme values for a 32-bit length field.
        static let extremeLengths: [UInt32] = [0, 1, 4, 31, 32, 33, 47, 48, 49, 64, 511, 512, 513,
                                               UInt32(FrameDescriptor.maximumFrameLength),
                                               UInt32(FrameDescriptor.maximumFrameLength + 1),
                                               UInt32(Int32.max), UInt32(Int32.max) + 1, UInt32.max - 31, UInt32.max]

        /// Leaves the frame alone, or flips bits, cuts it short, extends it
        /// with junk, or sets a header field to an extreme; returns the new length.
        static func mutateFrame(_ scratch: UnsafeMutableRawBufferPointer, count: Int, using random: inout SplitMix64) -> Int {
            let frame = FrameHeader(scratch.baseAddress!)
            switch random.next() % 8 {
            case 0: return count
            case 1, 2:
                flipBits(scratch, count: count, using: &random)
                return count
            case 3: return Int.random(in: 0...count, using: &random)
            case 4: return Int.random(in: count...Self.scratchLengthLimit, using: &random)
            case 5:
                frame.frameLength = Int(extremeLengths.randomElement(using: &random)!)
                // Sometimes with a matching checksum (`seal` trusts the length: only where it lies in scratch).
                if random.next() % 2 == 0, sealable(frame) { frame.seal() }
                return count
            case 6:
                frame.version = UInt8.random(in: 0...3, using: &random)
                frame.typeCode = UInt16.random(in: 0...4, using: &random)
                if random.next() % 2 == 0, sealable(frame) { frame.seal() }
                return count
            default:
                flipBits(scratch, count: count, using: &random)
                return Int.random(in: 0...count, using: &random)
            }
        }

        static var scratchLengthLimit: Int { FuzzTests.scratchLength }

        /// Whether `seal()` may run: a padding frame, or a data-sized length within the scratch buffer.
        static func sealable(_ frame: FrameHeader) -> Bool {
            frame.typeCode == FrameType.padding.rawValue
                || (frame.frameLength >= FrameDescriptor.headerLength && frame.frameLength <= scratchLengthLimit)
        }

        static func flipBits(_ scratch: UnsafeMutableRawBufferPointer, count: Int, using random: inout SplitMix64) {
            guard count > 0 else { return }
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                scratch[Int.random(in: 0..<count, using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
            }
        }

        /// A valid message of `testSchema`: header, a TestAck block (sometimes
        /// longer), then length-prefixed byte strings; returns its length.
        static func writeMessage(_ scratch: UnsafeMutableRawBufferPointer, using random: inout SplitMix64) -> Int {
            var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: scratch[0..<512]))
            do throws(CodecError) {
                let ack = try writer.beginMessage(TestAck.self, schema: testSchema)
                ack.sequence = random.next()
                ack.position = Int64(bitPattern: random.next())
                if random.next() % 4 == 0 { // a newer peer's longer block
                    let extra = Int.random(in: 1...32, using: &random)
                    _ = try writer.reserve(extra)
                    MessageHeader(scratch.baseAddress!).blockLength = UInt16(TestAck.encodedLength + extra)
                }
                for _ in 0..<Int.random(in: 0...6, using: &random) {
                    let length = Int.random(in: 0...60, using: &random)
                    let bytes = UnsafeRawBufferPointer(rebasing: scratch[512..<(512 + length)])
                    switch random.next() % 3 {
                    case 0: try writer.writeLengthPrefixed(bytes: bytes, prefix: UInt8.self)
                    case 1: try writer.writeLengthPrefixed(bytes: bytes, prefix: UInt16.self)
                    default: try writer.writeLengthPrefixed(bytes: bytes, prefix: UInt32.self)
                    }
                }
            } catch {
                preconditionFailure("writing a fuzz message cannot run out of space: \(error)")
            }
            return writer.offset
        }

        static func mutateMessage(_ scratch: UnsafeMutableRawBufferPointer, count: Int, using random: inout SplitMix64) -> Int {
            let header = MessageHeader(scratch.baseAddress!)
            switch random.next() % 8 {
            case 0: return count
            case 1:
                flipBits(scratch, count: count, using: &random)
                return count
            case 2: return Int.random(in: 0...count, using: &random)
            case 3:
                let extremes: [UInt16] = [0, 1, 15, 16, 17, UInt16(count - 8), UInt16(count - 7), 0x7FFF, 0xFFFF]
                header.blockLength = extremes.randomElement(using: &random)!
                return count
            case 4:
                header.schemaId = [41, 42, 43, 0, 0xFFFF].randomElement(using: &random)!
                header.version = UInt16.random(in: 0...5, using: &random)
                header.templateId = [TestAck.templateId, TestPing.templateId, 0xFFFF].randomElement(using: &random)!
                return count
            case 5, 6: // a length prefix in the trailing bytes set to an extreme
                let trailingStart = 8 + Int(header.blockLength)
                if trailingStart + 4 <= count {
                    let offset = Int.random(in: trailingStart...(count - 4), using: &random)
                    let value: UInt32 = [0xFF, 0xFFFF, 0xFFFF_FFFF, UInt32(count), 0x8000_0000].randomElement(using: &random)!
                    scratch.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
                }
                return count
            default:
                flipBits(scratch, count: count, using: &random)
                return Int.random(in: 0...count, using: &random)
            }
        }
    }

    // MARK: - Exercising the decoders

    /// Walks frames from the start as a log reader would, checking each verdict's promise.
    static func checkFrames(_ bytes: UnsafeRawBufferPointer, position: Int64, using random: inout SplitMix64,
                            coverage: inout Coverage) -> String? {
        let maximum = random.next() % 4 == 0 ? Int.random(in: 0...600, using: &random) : FrameDescriptor.maximumFrameLength
        // Now and then a reader that expects another position (a misplaced or stale frame).
        let position = random.next() % 8 == 0 ? position &+ 32 * Int64.random(in: -2...2, using: &random) : position
        var offset = 0
        for _ in 0..<64 {
            let available = bytes.count - offset
            let verdict = offset == 0
                ? FrameHeader.check(bytes, expectedPosition: position, maximumFrameLength: maximum)
                : FrameHeader.check(bytes.baseAddress! + offset, available: available,
                                    expectedPosition: position + Int64(offset), maximumFrameLength: maximum)
            coverage.record(verdict)
            guard case let .valid(frameLength, type) = verdict else { return nil }
            switch type {
            case .data:
                if frameLength < FrameDescriptor.headerLength || frameLength > available || frameLength > maximum {
                    return "valid data frame of \(frameLength) bytes with \(available) available, maximum \(maximum)"
                }
            case .padding:
                if frameLength % 32 != 0 || available < 32 { return "valid padding of \(frameLength) bytes with \(available) available" }
            }
            let frame = FrameHeader(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + offset))
            if frame.computeChecksum() != frame.checksum { return "valid frame whose checksum does not match" }
            offset += frame.alignedLength
            if offset >= bytes.count { return nil }
        }
        return nil
    }

    static func decodeMessage(_ bytes: UnsafeRawBufferPointer, using random: inout SplitMix64,
                              coverage: inout Coverage) -> String? {
        let message: DecodedMessage
        do throws(CodecError) {
            message = try MessageHeader.decode(bytes, schema: testSchema)
        } catch {
            coverage.record(error)
            return nil
        }
        coverage.decodedValid += 1
        if 8 + message.blockLength > bytes.count { return "decoded a block of \(message.blockLength) in \(bytes.count) bytes" }
        if let problem = inside(message.block, bytes) ?? inside(message.trailing, bytes) { return problem }
        if message.block.count + message.trailing.count + 8 != bytes.count { return "block + trailing + header != message" }
        do throws(CodecError) {
            let ack = try message.block(as: TestAck.self)
            _ = ack.sequence &+ UInt64(bitPattern: ack.position) // reads 16 bytes: checked above
            if message.blockLength < TestAck.encodedLength { return "TestAck wrapped over a \(message.blockLength)-byte block" }
        } catch {
            coverage.record(error)
        }
        var reader = message.trailingReader()
        return exercise(&reader, within: bytes, using: &random)
    }

    static func readAll(_ bytes: UnsafeRawBufferPointer, using random: inout SplitMix64) -> String? {
        var reader = ByteReader(bytes)
        return exercise(&reader, within: bytes, using: &random)
    }

    /// Up to 24 random reads; each must stay inside `bytes`, and a failed one must not move.
    static func exercise(_ reader: inout ByteReader, within bytes: UnsafeRawBufferPointer,
                         using random: inout SplitMix64) -> String? {
        for _ in 0..<24 {
            let before = reader.offset
            var result: UnsafeRawBufferPointer? = nil
            do throws(CodecError) {
                switch random.next() % 10 {
                case 0: _ = try reader.read(UInt8.self)
                case 1: _ = try reader.read(UInt16.self)
                case 2: _ = try reader.read(UInt32.self)
                case 3: _ = try reader.read(Int64.self)
                case 4: _ = try reader.peek(UInt64.self)
                case 5: result = try reader.readBytes(count: Int.random(in: -4...80, using: &random))
                case 6: try reader.skip(Int.random(in: -4...80, using: &random))
                case 7:
                    let maximum = random.next() % 2 == 0 ? Int.max : Int.random(in: -1...100, using: &random)
                    switch random.next() % 4 {
                    case 0: result = try reader.readLengthPrefixedBytes(prefix: UInt8.self, maximumLength: maximum)
                    case 1: result = try reader.readLengthPrefixedBytes(prefix: UInt16.self, maximumLength: maximum)
                    case 2: result = try reader.readLengthPrefixedBytes(prefix: UInt32.self, maximumLength: maximum)
                    default: result = try reader.readLengthPrefixedBytes(prefix: UInt64.self, maximumLength: maximum)
                    }
                case 8:
                    let header = try reader.readFlyweight(MessageHeader.self)
                    result = UnsafeRawBufferPointer(header.bytes)
                default: result = reader.remainingBytes
                }
            } catch {
                if reader.offset != before { return "failed read moved the offset from \(before) to \(reader.offset): \(error)" }
            }
            if reader.offset < 0 || reader.offset > reader.buffer.count { return "offset \(reader.offset) outside 0...\(reader.buffer.count)" }
            if let result, let problem = inside(result, bytes) { return problem }
            if let result, result.count > 0 {
                // Touch the first and last byte, so AddressSanitizer sees any overrun.
                _ = result[0] &+ result[result.count - 1]
            }
        }
        return nil
    }

    /// Random writes into the exact buffer; each must stay inside, a failed one must write nothing.
    static func writeAll(_ buffer: UnsafeMutableRawBufferPointer, using random: inout SplitMix64) -> String? {
        var writer = ByteWriter(buffer)
        let source = [UInt8](repeating: 0x5C, count: 300)
        return source.withUnsafeBytes { source in
            for _ in 0..<12 {
                let before = writer.offset
                do throws(CodecError) {
                    switch random.next() % 6 {
                    case 0: try writer.write(UInt64(before))
                    case 1: try writer.write(UInt16(before))
                    case 2: try writer.write(bytes: UnsafeRawBufferPointer(rebasing: source[0..<Int.random(in: 0...300, using: &random)]))
                    case 3:
                        let length = Int.random(in: 0...300, using: &random)
                        try writer.writeLengthPrefixed(bytes: UnsafeRawBufferPointer(rebasing: source[0..<length]), prefix: UInt8.self)
                    case 4: _ = try writer.reserve(Int.random(in: -2...64, using: &random))
                    default: _ = try writer.beginMessage(TestAck.self, schema: testSchema)
                    }
                } catch {
                    if writer.offset != before { return "failed write moved the offset: \(error)" }
                }
                if writer.offset < 0 || writer.offset > buffer.count { return "writer offset \(writer.offset) outside the buffer" }
            }
            return nil
        }
    }

    /// Nil when `part` lies within `whole`.
    static func inside(_ part: UnsafeRawBufferPointer, _ whole: UnsafeRawBufferPointer) -> String? {
        guard part.count > 0 else { return part.count == 0 ? nil : "negative count \(part.count)" }
        guard let start = part.baseAddress, let wholeStart = whole.baseAddress,
              start >= wholeStart, start + part.count <= wholeStart + whole.count else {
            return "bytes \(String(describing: part.baseAddress))+\(part.count) outside the buffer \(String(describing: whole.baseAddress))+\(whole.count)"
        }
        return nil
    }

    // MARK: - Coverage of the verdicts

    struct Coverage: CustomStringConvertible {
        static let frameVerdictNames = ["valid data", "valid padding", "empty", "truncated", "badLength",
                                        "unsupportedVersion", "unknownType", "badChecksum", "wrongPosition"]
        static let decodeOutcomeNames = ["valid", "headerTruncated", "blockBeyondBuffer", "wrongSchema",
                                         "unsupportedVersion", "unexpectedTemplate", "blockTooShort", "other"]
        var frameVerdicts = [Int](repeating: 0, count: frameVerdictNames.count)
        var decodeOutcomes = [Int](repeating: 0, count: decodeOutcomeNames.count)
        var decodedValid: Int {
            get { decodeOutcomes[0] }
            set { decodeOutcomes[0] = newValue }
        }

        var frameVerdictsMissing: [String] { zip(Self.frameVerdictNames, frameVerdicts).filter { $0.1 == 0 }.map(\.0) }
        var decodeOutcomesMissing: [String] {
            zip(Self.decodeOutcomeNames, decodeOutcomes).filter { $0.1 == 0 && $0.0 != "other" }.map(\.0)
        }

        mutating func record(_ verdict: FrameCheck) {
            let index: Int
            switch verdict {
            case .valid(_, .data): index = 0
            case .valid(_, .padding): index = 1
            case .empty: index = 2
            case .truncated: index = 3
            case .badLength: index = 4
            case .unsupportedVersion: index = 5
            case .unknownType: index = 6
            case .badChecksum: index = 7
            case .wrongPosition: index = 8
            }
            frameVerdicts[index] += 1
        }

        mutating func record(_ error: CodecError) {
            let index: Int
            switch error {
            case .headerTruncated: index = 1
            case .blockBeyondBuffer: index = 2
            case .wrongSchema: index = 3
            case .unsupportedVersion: index = 4
            case .unexpectedTemplate: index = 5
            case .blockTooShort: index = 6
            case .readPastEnd, .writePastEnd, .lengthOverLimit: index = 7
            }
            decodeOutcomes[index] += 1
        }

        var description: String {
            let frames = zip(Self.frameVerdictNames, frameVerdicts).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            let messages = zip(Self.decodeOutcomeNames, decodeOutcomes).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            return "frames: \(frames); messages: \(messages)"
        }
    }
}
