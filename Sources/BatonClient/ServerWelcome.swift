import BatonCodec
import BatonProtocol

/// What the broker announced in its Welcome: the negotiated version, the
/// session's identity and the limits every request must respect.
///
/// Invariant: limits are positive (`BatonConnection` refuses a Welcome that
/// says otherwise; a `maxBatchCount` of 0, from a server that leaves the field
/// reserved, reads as the protocol default). A plain value: `Sendable`.
public struct ServerWelcome: Equatable, Sendable {
    /// Protocol version the session speaks.
    public let version: UInt16
    public let nodeId: UInt32
    public let sessionId: UInt64
    /// Upper bound of one message after its length prefix.
    public let maxMessageLength: Int
    /// Upper bound of one Publish payload.
    public let maxPayloadLength: Int
    /// How often each side sends a Heartbeat when otherwise silent (0: never).
    public let heartbeatIntervalMillis: Int
    /// Upper bound of messages in one Publish batch.
    public let maxBatchCount: Int
    /// The broker's commit position when the session started.
    public let commitPosition: Int64
    /// The broker's name for itself.
    public let serverName: String

    public init(version: UInt16, nodeId: UInt32, sessionId: UInt64, maxMessageLength: Int, maxPayloadLength: Int,
                heartbeatIntervalMillis: Int, maxBatchCount: Int, commitPosition: Int64, serverName: String) {
        self.version = version
        self.nodeId = nodeId
        self.sessionId = sessionId
        self.maxMessageLength = maxMessageLength
        self.maxPayloadLength = maxPayloadLength
        self.heartbeatIntervalMillis = heartbeatIntervalMillis
        self.maxBatchCount = maxBatchCount
        self.commitPosition = commitPosition
        self.serverName = serverName
    }

    /// Reads and checks a Welcome message.
    static func decode(_ message: DecodedMessage) throws(BatonClientError) -> ServerWelcome {
        let block: WelcomeBlock
        do { block = try message.block(as: WelcomeBlock.self) } catch {
            throw .protocolViolation("Welcome: \(error.description)")
        }
        var reader = message.trailingReader()
        let name: String
        do {
            let bytes = try reader.readLengthPrefixedBytes(prefix: UInt32.self, maximumLength: message.count)
            name = String(decoding: bytes, as: UTF8.self)
        } catch {
            throw .protocolViolation("Welcome server name: \(error.description)")
        }
        let version = block.version
        guard ClientProtocol.schema.supportedVersions.contains(version) else {
            throw .protocolViolation("Welcome names version \(version); this client speaks \(ClientProtocol.schema.supportedVersions)")
        }
        let maxMessageLength = Int(block.maxMessageLength)
        let maxPayloadLength = Int(block.maxPayloadLength)
        let headerBytes = MessageHeaderDescriptor.length + PublishBlock.encodedLength + PublishBlock.payloadLengthBytes
        guard maxMessageLength >= headerBytes + 1, maxPayloadLength >= 1 else {
            throw .protocolViolation("Welcome limits are unusable: maxMessageLength \(maxMessageLength), maxPayloadLength \(maxPayloadLength)")
        }
        let batch = Int(block.maxBatchCount)
        return ServerWelcome(version: version, nodeId: block.nodeId, sessionId: block.sessionId,
                             maxMessageLength: maxMessageLength, maxPayloadLength: maxPayloadLength,
                             heartbeatIntervalMillis: Int(block.heartbeatIntervalMillis),
                             maxBatchCount: batch == 0 ? ClientProtocol.defaultMaxBatchCount : batch,
                             commitPosition: block.commitPosition, serverName: name)
    }
}
