import BatonCodec

/// Writes whole, length-prefixed client protocol messages into a `ByteWriter`.
///
/// Each function writes the 4-byte length prefix, the message header, the
/// block and any variable part, or throws `CodecError.writePastEnd` having
/// written a prefix of the message — callers check space first or discard the
/// writer. Stateless; any thread.
public enum ClientMessageWriter {
    @usableFromInline
    static func begin<M: MessageFlyweight>(_ writer: inout ByteWriter, _ type: M.Type) throws(CodecError) -> (M, Int) {
        let start = writer.offset
        try writer.write(UInt32(0))
        let block = try writer.beginMessage(M.self, schema: ClientProtocol.schema)
        return (block, start)
    }

    @usableFromInline
    static func finish(_ writer: inout ByteWriter, start: Int, extraLength: Int = 0) {
        let length = writer.offset &- start &- ClientProtocol.lengthPrefixBytes &+ extraLength
        writer.buffer.baseAddress!.storeLittleEndian(UInt32(length), toByteOffset: start)
    }

    public static func writeHello(into writer: inout ByteWriter, minVersion: UInt16 = 1, maxVersion: UInt16 = 1,
                                  clientName: String) throws(CodecError) {
        let (block, start) = try begin(&writer, HelloBlock.self)
        block.minVersion = minVersion
        block.maxVersion = maxVersion
        block.flags = 0
        try writer.writeLengthPrefixed(utf8: clientName, prefix: UInt32.self)
        finish(&writer, start: start)
    }

    public static func writeWelcome(into writer: inout ByteWriter, version: UInt16, nodeId: UInt32, sessionId: UInt64,
                                    maxMessageLength: Int, maxPayloadLength: Int, heartbeatIntervalMillis: Int,
                                    maxBatchCount: Int, commitPosition: Int64, serverName: String) throws(CodecError) {
        let (block, start) = try begin(&writer, WelcomeBlock.self)
        block.version = version
        block.reserved0 = 0
        block.nodeId = nodeId
        block.sessionId = sessionId
        block.maxMessageLength = UInt32(maxMessageLength)
        block.maxPayloadLength = UInt32(maxPayloadLength)
        block.heartbeatIntervalMillis = UInt32(heartbeatIntervalMillis)
        block.maxBatchCount = UInt32(maxBatchCount)
        block.commitPosition = commitPosition
        try writer.writeLengthPrefixed(utf8: serverName, prefix: UInt32.self)
        finish(&writer, start: start)
    }

    public static func writeError(into writer: inout ByteWriter, code: ClientErrorCode, relatedId: UInt64 = 0,
                                  text: String) throws(CodecError) {
        let (block, start) = try begin(&writer, ErrorBlock.self)
        block.code = code.rawValue
        block.reserved0 = 0
        block.reserved1 = 0
        block.relatedId = relatedId
        try writer.writeLengthPrefixed(utf8: text, prefix: UInt32.self)
        finish(&writer, start: start)
    }

    @inlinable
    public static func writeHeartbeat(into writer: inout ByteWriter, timestampNanos: Int64) throws(CodecError) {
        let (block, start) = try begin(&writer, HeartbeatBlock.self)
        block.timestampNanos = timestampNanos
        finish(&writer, start: start)
    }

    @inlinable
    public static func writePublishAck(into writer: inout ByteWriter, producerId: UInt64, sequence: UInt64,
                                       position: Int64) throws(CodecError) {
        let (block, start) = try begin(&writer, PublishAckBlock.self)
        block.producerId = producerId
        block.sequence = sequence
        block.position = position
        finish(&writer, start: start)
    }

    public static func writeSubscribe(into writer: inout ByteWriter, subscriptionId: UInt32, streamId: UInt32,
                                      from: SubscribeStart, start startValue: Int64, credit: UInt32) throws(CodecError) {
        let (block, start) = try begin(&writer, SubscribeBlock.self)
        block.subscriptionId = subscriptionId
        block.streamId = streamId
        block.from = from.rawValue
        block.reserved0 = 0
        block.reserved1 = 0
        block.credit = credit
        block.start = startValue
        finish(&writer, start: start)
    }

    public static func writeSubscribed(into writer: inout ByteWriter, subscriptionId: UInt32, startPosition: Int64,
                                       commitPosition: Int64) throws(CodecError) {
        let (block, start) = try begin(&writer, SubscribedBlock.self)
        block.subscriptionId = subscriptionId
        block.reserved0 = 0
        block.startPosition = startPosition
        block.commitPosition = commitPosition
        finish(&writer, start: start)
    }

    @inlinable
    public static func writeCredit(into writer: inout ByteWriter, subscriptionId: UInt32, credit: UInt32) throws(CodecError) {
        let (block, start) = try begin(&writer, CreditBlock.self)
        block.subscriptionId = subscriptionId
        block.credit = credit
        finish(&writer, start: start)
    }

    public static func writeUnsubscribe(into writer: inout ByteWriter, subscriptionId: UInt32) throws(CodecError) {
        let (block, start) = try begin(&writer, UnsubscribeBlock.self)
        block.subscriptionId = subscriptionId
        block.reserved0 = 0
        finish(&writer, start: start)
    }

    /// Writes a Deliver's prefix, header and block; the `frameBytes` of log
    /// frames that complete the message are sent after it (from the log buffer,
    /// without a copy), and the prefix already counts them.
    @inlinable
    public static func writeDeliverHeader(into writer: inout ByteWriter, subscriptionId: UInt32, frameCount: Int,
                                          firstPosition: Int64, frameBytes: Int) throws(CodecError) {
        let (block, start) = try begin(&writer, DeliverBlock.self)
        block.subscriptionId = subscriptionId
        block.frameCount = UInt32(frameCount)
        block.firstPosition = firstPosition
        block.bytes = UInt32(frameBytes)
        block.reserved0 = 0
        finish(&writer, start: start, extraLength: frameBytes)
    }

    /// Bytes of a Deliver's prefix + header + block (what `writeDeliverHeader` writes).
    public static let deliverHeaderLength = ClientProtocol.lengthPrefixBytes + MessageHeaderDescriptor.length + DeliverBlock.encodedLength

    /// Starts a Publish batch; add payloads with `PublishEncoding.append`, then `finish`.
    @inlinable
    public static func beginPublish(into writer: inout ByteWriter, streamId: UInt32, producerId: UInt64,
                                    firstSequence: UInt64) throws(CodecError) -> PublishEncoding {
        let (block, start) = try begin(&writer, PublishBlock.self)
        block.streamId = streamId
        block.count = 0
        block.producerId = producerId
        block.firstSequence = firstSequence
        return PublishEncoding(block: block, start: start)
    }
}

/// A Publish batch being written (see `ClientMessageWriter.beginPublish`).
@frozen
public struct PublishEncoding {
    public let block: PublishBlock
    public let start: Int

    @inlinable
    init(block: PublishBlock, start: Int) {
        self.block = block
        self.start = start
    }

    /// Appends one payload; throws (writing nothing) if it does not fit.
    @inlinable
    public func append(_ payload: UnsafeRawBufferPointer, into writer: inout ByteWriter) throws(CodecError) {
        try writer.writeLengthPrefixed(bytes: payload, prefix: UInt32.self)
        block.count &+= 1
    }

    /// Patches the length prefix once every payload is in.
    @inlinable
    public func finish(into writer: inout ByteWriter) {
        ClientMessageWriter.finish(&writer, start: start)
    }
}
