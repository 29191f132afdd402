import BatonCodec

/// The verdict of scanning received bytes for the next length-prefixed client message.
public enum ClientFrameScan {
    /// Not enough bytes yet for the prefix or the whole message; `needed` is the
    /// total byte count (prefix included) the message will take when it is known.
    case needMore(needed: Int?)
    /// A whole message whose header passed the checks; `consumed` bytes
    /// (prefix + message) may be discarded once it is handled.
    case message(DecodedMessage, consumed: Int)
    /// The bytes cannot be a valid message: send an Error with this code and
    /// text, then close the session.
    case invalid(ClientErrorCode, String)
}

/// Splits a TCP byte stream into client protocol messages, validating the
/// length prefix and the message header (schema, version, block length,
/// template id) without trapping, whatever the bytes are.
///
/// Stateless; any thread.
public enum ClientFrameScanner {
    @inlinable
    public static func scan(_ buffer: UnsafeRawBufferPointer, maxMessageLength: Int) -> ClientFrameScan {
        let prefix = ClientProtocol.lengthPrefixBytes
        guard buffer.count >= prefix, let base = buffer.baseAddress else { return .needMore(needed: nil) }
        let length = Int(base.loadLittleEndian(fromByteOffset: 0, as: UInt32.self))
        if length < MessageHeaderDescriptor.length {
            return .invalid(.malformed, "message length \(length) is shorter than the \(MessageHeaderDescriptor.length)-byte message header")
        }
        if length > maxMessageLength {
            return .invalid(.messageTooLarge, "message length \(length) exceeds the limit of \(maxMessageLength) bytes")
        }
        let total = prefix &+ length
        guard buffer.count >= total else { return .needMore(needed: total) }
        let bytes = UnsafeRawBufferPointer(start: base + prefix, count: length)
        let message: DecodedMessage
        do {
            message = try MessageHeader.decode(bytes, schema: ClientProtocol.schema)
        } catch {
            switch error {
            case .wrongSchema, .unsupportedVersion:
                return .invalid(.unsupportedVersion, error.description)
            default:
                return .invalid(.malformed, error.description)
            }
        }
        guard let template = ClientProtocol.Template(rawValue: message.templateId) else {
            return .invalid(.unknownTemplate, "unknown template id \(message.templateId)")
        }
        let minimumBlock = ClientFrameScanner.blockLength(of: template)
        if message.blockLength < minimumBlock {
            return .invalid(.malformed, "template \(template) block of \(message.blockLength) bytes is shorter than \(minimumBlock)")
        }
        return .message(message, consumed: total)
    }

    /// The fixed block length this build writes (and needs at least) for a template.
    @inlinable
    public static func blockLength(of template: ClientProtocol.Template) -> Int {
        switch template {
        case .hello: return HelloBlock.encodedLength
        case .welcome: return WelcomeBlock.encodedLength
        case .publish: return PublishBlock.encodedLength
        case .publishAck: return PublishAckBlock.encodedLength
        case .subscribe: return SubscribeBlock.encodedLength
        case .subscribed: return SubscribedBlock.encodedLength
        case .deliver: return DeliverBlock.encodedLength
        case .credit: return CreditBlock.encodedLength
        case .unsubscribe: return UnsubscribeBlock.encodedLength
        case .error: return ErrorBlock.encodedLength
        case .heartbeat: return HeartbeatBlock.encodedLength
        }
    }
}
