import BatonCodec
import BatonNet
import BatonProtocol
#if canImport(Glibc)
import BatonTime
import Glibc
#endif

/// One client session with a broker: a non-blocking TCP connection that has
/// said Hello and received Welcome, a fixed receive buffer split into
/// messages by `ClientFrameScanner`, a small buffer of outgoing control
/// messages (Hello, Subscribe, Credit, Unsubscribe, Heartbeat), heartbeats
/// when idle, and Error messages turned into `BatonClientError`.
///
/// `Publisher` and `Subscriber` each own one; it can also be used directly
/// to speak the protocol. It never blocks except in `connect()` (bounded by
/// its timeouts) and `waitForIO` (bounded by its argument).
///
/// Invariant: `isConnected` until the first failure or `close()`; after a
/// failure `failure` holds the first error and the socket is closed, until
/// `connect()` starts a new session. Buffers are allocated once in `init`
/// (the receive buffer grows once if a Welcome announces longer messages).
/// Threading: used by one thread at a time; not `Sendable`.
public final class BatonConnection {
    /// Bytes of the outgoing control-message buffer.
    static let controlCapacity = 4_096

    /// The broker's address (of the current session, or the next `connect()`).
    public private(set) var address: IPv4SocketAddress
    public let options: ConnectionOptions
    /// What the broker announced; nil until the first `connect()` succeeds.
    public private(set) var welcome: ServerWelcome?
    /// The first error of the current session, once it failed (nil while healthy).
    public private(set) var failure: BatonClientError?

    var socket: TCPConnection?
    var receiveBuffer: ReceiveBuffer
    /// True for subscribers: the buffer must hold the longest message the broker may send.
    let holdsLongestMessage: Bool
    /// The longest message accepted from the broker (`ClientFrameScanner` limit).
    var scanLimit: Int
    /// Total bytes the partly received message needs, when known.
    var pendingNeeded: Int?
    let control: UnsafeMutableRawBufferPointer
    var controlStart = 0
    var controlEnd = 0
    var lastSendNanos: Int64 = 0
    var lastReceiveNanos: Int64 = 0
    var heartbeatIntervalNanos: Int64 = 0
    let silenceTimeoutNanos: Int64

    /// A connection to `address`, not yet connected. `receiveBufferBytes` is
    /// the receive buffer (at least 8 KiB); with `holdsLongestMessage` it grows
    /// at `connect()` to the broker's `maxMessageLength` if that is longer.
    public init(address: IPv4SocketAddress, options: ConnectionOptions = ConnectionOptions(),
                receiveBufferBytes: Int = 64 * 1_024, holdsLongestMessage: Bool = false) {
        self.address = address
        self.options = options
        self.holdsLongestMessage = holdsLongestMessage
        receiveBuffer = ReceiveBuffer(capacity: max(receiveBufferBytes, 2 * ReceiveBuffer.minimumReadRoom))
        scanLimit = min(ClientProtocol.defaultMaxMessageLength, receiveBuffer.capacity - ClientProtocol.lengthPrefixBytes)
        control = .allocate(byteCount: BatonConnection.controlCapacity, alignment: 64)
        silenceTimeoutNanos = options.serverSilenceTimeout?.clampedNanos ?? 0
    }

    deinit {
        socket?.close()
        control.deallocate()
    }

    /// True while the session is open and has not failed.
    public var isConnected: Bool { socket != nil }

    /// True when control messages wait for room in the socket's send buffer.
    public var hasControlPending: Bool { controlEnd > controlStart }

    /// Opens a new session: closes any current one, connects (at most
    /// `connectTimeout`), sends Hello and waits for Welcome (at most
    /// `handshakeTimeout`). Throws the broker's Error if it refuses, or
    /// `connectFailed`, `connectionLost`, `timedOut`.
    public func connect() throws(BatonClientError) {
        closeSocket()
        failure = nil
        receiveBuffer.reset()
        pendingNeeded = nil
        controlStart = 0
        controlEnd = 0
        let connectMillis = Int32(clamping: options.connectTimeout.clampedNanos / 1_000_000)
        do {
            socket = try TCPConnection.connect(to: address, timeoutMillis: connectMillis, mode: .nonBlocking)
        } catch {
            throw fail(.connectFailed(address: address.description, reason: error.description))
        }
        let now = SystemClock().monotonicNanos()
        lastSendNanos = now
        lastReceiveNanos = now
        let name = options.clientName
        guard enqueueControl({ (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeHello(into: &writer, clientName: name)
        }) else {
            throw fail(.invalidArgument("client name of \(name.utf8.count) bytes does not fit in a Hello"))
        }
        let deadline = now &+ options.handshakeTimeout.clampedNanos
        var received: ServerWelcome?
        while received == nil {
            _ = flushControl()
            _ = try receive { (message: DecodedMessage) throws(BatonClientError) -> ReceiveDisposition in
                guard message.templateId == ClientProtocol.Template.welcome.rawValue else {
                    if message.templateId == ClientProtocol.Template.error.rawValue {
                        throw self.fail(BatonConnection.serverError(message))
                    }
                    throw self.fail(.protocolViolation("expected Welcome, received template \(message.templateId)"))
                }
                do throws(BatonClientError) {
                    received = try ServerWelcome.decode(message)
                } catch {
                    throw self.fail(error)
                }
                return .handledAndStop
            }
            if received != nil { break }
            let current = SystemClock().monotonicNanos()
            if current >= deadline {
                throw fail(.timedOut(operation: "waiting for Welcome from \(address)",
                                     millis: options.handshakeTimeout.clampedNanos / 1_000_000))
            }
            waitForIO(writable: hasControlPending, timeoutMillis: millisUntil(deadline, from: current, cap: 50))
        }
        let accepted = received.unsafelyUnwrapped
        welcome = accepted
        heartbeatIntervalNanos = Int64(accepted.heartbeatIntervalMillis) * 1_000_000
        let longest = accepted.maxMessageLength + ClientProtocol.lengthPrefixBytes
        if holdsLongestMessage && longest > receiveBuffer.capacity {
            receiveBuffer.grow(to: longest)
        }
        scanLimit = min(accepted.maxMessageLength, receiveBuffer.capacity - ClientProtocol.lengthPrefixBytes)
    }

    /// Opens a new session with the broker at `address` (another member of
    /// the cluster, after a failover), as `connect()` does; later
    /// `connect()`s go there too.
    public func connect(to address: IPv4SocketAddress) throws(BatonClientError) {
        self.address = address
        try connect()
    }

    /// Ends the session (no goodbye message: the broker sees end of stream).
    /// `failure` becomes `.closed` if the session had not failed already.
    public func close() {
        if failure == nil { failure = .closed }
        closeSocket()
    }

    func closeSocket() {
        socket?.close()
        socket = nil
    }

    /// Records `error` as the session's failure (the first one wins), closes
    /// the socket and returns the recorded failure, to be thrown.
    @discardableResult
    func fail(_ error: BatonClientError) -> BatonClientError {
        if failure == nil { failure = error }
        closeSocket()
        return failure.unsafelyUnwrapped
    }

    /// The `BatonClientError` an Error message stands for.
    public static func serverError(_ message: DecodedMessage) -> BatonClientError {
        let block: ErrorBlock
        do { block = try message.block(as: ErrorBlock.self) } catch {
            return .protocolViolation("Error message: \(error.description)")
        }
        var reader = message.trailingReader()
        let text: String
        if let bytes = try? reader.readLengthPrefixedBytes(prefix: UInt32.self, maximumLength: message.count) {
            text = String(decoding: bytes, as: UTF8.self)
        } else {
            text = "(no text)"
        }
        guard let code = ClientErrorCode(rawValue: block.code) else {
            return .protocolViolation("Error with unknown code \(block.code): \(text)")
        }
        return .server(code: code, relatedId: block.relatedId, text: text)
    }
}
