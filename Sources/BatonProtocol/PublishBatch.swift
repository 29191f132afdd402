import BatonCodec

/// A checked view of a Publish message's payloads.
///
/// `validate` walks the (length, bytes) pairs once and proves that there are
/// exactly `count` of them, each within the payload limit, and nothing after
/// them; afterwards `forEachPayload` walks them again without checks. The
/// bytes stay where they were received (no copy).
///
/// A view over memory the caller owns; as thread-safe as that memory.
@frozen
public struct PublishBatch {
    public let block: PublishBlock
    public let payloads: UnsafeRawBufferPointer
    /// Sum of payload lengths.
    public let payloadBytes: Int
    /// Log space the batch takes as frames (each aligned), not counting any padding frame.
    public let frameBytes: Int

    @inlinable
    public var count: Int { Int(block.count) }

    /// Validates a decoded Publish message.
    @inlinable
    public static func validate(_ message: DecodedMessage, maxPayloadLength: Int,
                                maxBatchCount: Int) -> Result<PublishBatch, PublishBatchError> {
        let block: PublishBlock
        do { block = try message.block(as: PublishBlock.self) } catch { return .failure(.malformed(error.description)) }
        let count = Int(block.count)
        if count < 1 || count > maxBatchCount {
            return .failure(.malformed("publish batch of \(count) messages: must be 1 to \(maxBatchCount)"))
        }
        let trailing = message.trailing
        var reader = ByteReader(trailing)
        var payloadBytes = 0
        var frameBytes = 0
        for index in 0..<count {
            let length: UInt32
            do { length = try reader.read(UInt32.self) } catch {
                return .failure(.malformed("publish message \(index) of \(count): \(error.description)"))
            }
            if Int(length) > maxPayloadLength {
                return .failure(.payloadTooLarge("publish message \(index) of \(count) has \(length) bytes, the limit is \(maxPayloadLength)"))
            }
            do { try reader.skip(Int(length)) } catch {
                return .failure(.malformed("publish message \(index) of \(count): \(error.description)"))
            }
            payloadBytes &+= Int(length)
            frameBytes &+= FrameDescriptor.alignedFrameLength(payloadLength: Int(length))
        }
        if !reader.isAtEnd {
            return .failure(.malformed("publish batch has \(reader.remaining) bytes after its \(count) messages"))
        }
        return .success(PublishBatch(block: block, payloads: trailing, payloadBytes: payloadBytes, frameBytes: frameBytes))
    }

    @usableFromInline
    init(block: PublishBlock, payloads: UnsafeRawBufferPointer, payloadBytes: Int, frameBytes: Int) {
        self.block = block
        self.payloads = payloads
        self.payloadBytes = payloadBytes
        self.frameBytes = frameBytes
    }

    /// Calls `body(index, payload)` for each message in order. Only on a validated batch.
    @inlinable
    public func forEachPayload(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try PublishBlock.forEachPayload(in: payloads, count: count, body)
    }
}

/// Why a Publish batch was refused.
public enum PublishBatchError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case payloadTooLarge(String)

    public var code: ClientErrorCode {
        switch self {
        case .malformed: return .malformed
        case .payloadTooLarge: return .payloadTooLarge
        }
    }

    public var description: String {
        switch self {
        case .malformed(let text), .payloadTooLarge(let text): return text
        }
    }
}
