import BatonCodec
import BatonNet
import BatonProtocol
import BatonTime

/// Receives the committed messages of one stream (or all streams) from a
/// broker, in log order, each checked before it is handed out.
///
/// `init` connects and subscribes (waiting for Subscribed, so a refused
/// start such as `badPosition` throws there). `poll` reads what has arrived
/// and calls a handler with each data frame as a zero-copy
/// `DeliveredMessage`, after `FrameHeader.check` has verified its length,
/// version, CRC32C and position; padding frames are skipped; a frame that
/// fails its check fails the session with `.badFrame` and is never passed on.
/// Credit goes back to the broker as frames are consumed, each time half of
/// `creditBytes` has been. `reconnect()` resumes at `nextPosition`.
///
/// Given several brokers (`init(brokers:)`: members of one cluster, whose
/// committed logs are the same bytes at the same positions), it subscribes
/// at the first that accepts and, after a failure, resumes at the next one
/// round-robin (`BrokerList`; the `Reconnector` pauses once a whole round
/// failed). A member that has not yet committed as far as `nextPosition`
/// refuses the resume (`badPosition`); with several brokers that, too, is
/// a reason to move on rather than to give up.
///
/// ```swift
/// let subscriber = try Subscriber(broker: address, configuration: SubscriberConfiguration(streamId: 1))
/// while running {
///     if try subscriber.poll({ message in handle(message.payload) }) == 0 {
///         subscriber.waitForData(timeout: .milliseconds(10))
///     }
/// }
/// ```
///
/// Invariant: frames are handed out in increasing position order, each once
/// per session; `nextPosition` is the position after the last frame walked.
/// Once warmed up, `poll` allocates nothing. Threading: used by one thread at
/// a time (a plain thread; `messages()` adds async iteration); not `Sendable`.
public final class Subscriber {
    public let configuration: SubscriberConfiguration
    public let subscriptionId: UInt32
    public let streamId: UInt32
    /// The session (its `welcome` holds the broker's limits; its `address`, the broker's).
    public let connection: BatonConnection
    /// The brokers this subscriber may use and the one it uses (`brokers.current`).
    public internal(set) var brokers: BrokerList

    /// Where the broker started the current subscription (from Subscribed).
    public private(set) var startPosition: Int64 = -1
    /// The position after the last frame walked: where a resumed subscription continues.
    public internal(set) var nextPosition: Int64 = -1
    /// The broker's commit position when the subscription started.
    public private(set) var commitPosition: Int64 = -1
    /// True between Subscribed and `unsubscribe()`.
    public private(set) var isSubscribed = false

    let creditBytes: Int
    /// Frame bytes consumed since Credit was last returned.
    var creditUnreturned = 0
    /// Bytes of the current Deliver's frames already walked (a poll limit stopped inside it).
    var resumeOffset = 0
    /// Frames of the current Deliver already walked.
    var resumeFrames = 0
    var closedByOwner = false
    /// `prepareReconnect` has chosen the broker of the next `reconnect()`.
    var movePrepared = false

    /// Connects to `broker` and subscribes as `configuration` says.
    public convenience init(broker: IPv4SocketAddress, configuration: SubscriberConfiguration) throws(BatonClientError) {
        try self.init(brokers: [broker], configuration: configuration)
    }

    /// Connects and subscribes at the first of `brokers` that accepts
    /// (trying each in turn, once; the last one's error when none does).
    public init(brokers: [IPv4SocketAddress], configuration: SubscriberConfiguration) throws(BatonClientError) {
        try configuration.validate()
        self.brokers = try BrokerList(brokers)
        self.configuration = configuration
        subscriptionId = configuration.subscriptionId
        streamId = configuration.streamId
        creditBytes = Int(configuration.creditBytes)
        connection = BatonConnection(address: self.brokers.current, options: configuration.connection,
                                     receiveBufferBytes: configuration.receiveBufferBytes, holdsLongestMessage: true)
        var lastError = BatonClientError.closed
        for index in self.brokers.addresses.indices {
            self.brokers.use(index: index)
            do {
                try connection.connect(to: self.brokers.current)
                try subscribe(from: configuration.from)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Why the subscriber cannot receive now (nil while it can).
    public var failure: BatonClientError? {
        if closedByOwner { return .closed }
        return connection.isConnected ? nil : (connection.failure ?? .closed)
    }

    /// Sends Subscribe and waits (at most the handshake timeout) for Subscribed.
    func subscribe(from start: SubscribeFrom) throws(BatonClientError) {
        let (from, value) = start.wire
        let id = subscriptionId, stream = streamId, credit = UInt32(creditBytes)
        guard connection.enqueueControl({ (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeSubscribe(into: &writer, subscriptionId: id, streamId: stream, from: from,
                                                   start: value, credit: credit)
        }) else { throw connection.fail(.invalidArgument("no room for Subscribe")) }
        isSubscribed = false
        resumeOffset = 0
        resumeFrames = 0
        creditUnreturned = 0
        let timeout = configuration.connection.handshakeTimeout
        let deadline = SystemClock().monotonicNanos() &+ timeout.clampedNanos
        while !isSubscribed {
            connection.flushControl()
            _ = try connection.receive { (message: DecodedMessage) throws(BatonClientError) -> ReceiveDisposition in
                if self.isSubscribed { return .keepAndStop }  // Deliver after Subscribed: for poll
                switch message.templateId {
                case ClientProtocol.Template.subscribed.rawValue:
                    try self.accept(subscribed: message)
                    return .handled
                case ClientProtocol.Template.error.rawValue:
                    throw self.connection.fail(BatonConnection.serverError(message))
                default:
                    throw self.connection.fail(.protocolViolation("expected Subscribed, received template \(message.templateId)"))
                }
            }
            if isSubscribed { break }
            let now = SystemClock().monotonicNanos()
            if now >= deadline {
                throw connection.fail(.timedOut(operation: "waiting for Subscribed (stream \(streamId) from \(start))",
                                                millis: timeout.clampedNanos / 1_000_000))
            }
            connection.waitForIO(writable: connection.hasControlPending, timeoutMillis: millisUntil(deadline, from: now, cap: 50))
        }
    }

    func accept(subscribed message: DecodedMessage) throws(BatonClientError) {
        let block: SubscribedBlock
        do { block = try message.block(as: SubscribedBlock.self) } catch {
            throw connection.fail(.protocolViolation("Subscribed: \(error.description)"))
        }
        guard block.subscriptionId == subscriptionId else {
            throw connection.fail(.protocolViolation("Subscribed for subscription \(block.subscriptionId); asked for \(subscriptionId)"))
        }
        startPosition = block.startPosition
        nextPosition = block.startPosition
        commitPosition = block.commitPosition
        isSubscribed = true
    }

    /// Reads what has arrived and calls `handler` with each data frame, at
    /// most `limit` of them (the rest stay buffered for the next call).
    /// Returns how many were handed out: 0 means nothing is ready
    /// (`waitForData` before the next call). Views are valid only during the
    /// handler call; `handler` must not call the subscriber. Throws when the
    /// session fails (a bad frame, a broker Error such as `subscriberTooSlow`,
    /// a lost connection); `reconnect()` resumes at `nextPosition`.
    @discardableResult
    public func poll(limit: Int = Int.max, _ handler: (DeliveredMessage) -> Void) throws(BatonClientError) -> Int {
        if let failure { throw failure }
        precondition(limit > 0, "a poll limit must be positive")
        var delivered = 0
        _ = try connection.receive { (message: DecodedMessage) throws(BatonClientError) -> ReceiveDisposition in
            guard message.templateId == ClientProtocol.Template.deliver.rawValue else {
                if message.templateId == ClientProtocol.Template.error.rawValue {
                    throw self.connection.fail(BatonConnection.serverError(message))
                }
                throw self.connection.fail(.protocolViolation("unexpected template \(message.templateId) on a subscription"))
            }
            if !self.isSubscribed { return .handled }  // in flight when we unsubscribed
            guard try self.walk(message, limit: limit, delivered: &delivered, handler) else { return .keepAndStop }
            return delivered >= limit ? .handledAndStop : .handled
        }
        returnCredit()
        if delivered > 0 { brokers.progressed() }
        if delivered == 0 {
            try connection.maintain(now: SystemClock().monotonicNanos(), canSendHeartbeat: true)
        }
        return delivered
    }

    /// Waits until data arrives (or a pending Credit can be written), at most `timeout`.
    public func waitForData(timeout: Duration) {
        connection.waitForIO(writable: connection.hasControlPending,
                             timeoutMillis: Int32(clamping: timeout.clampedNanos / 1_000_000))
    }

    /// Ends the subscription: sends Unsubscribe (waiting at most the
    /// handshake timeout for the socket); frames still in flight are dropped.
    public func unsubscribe() throws(BatonClientError) {
        if let failure { throw failure }
        guard isSubscribed else { return }
        let id = subscriptionId
        while !connection.enqueueControl({ (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeUnsubscribe(into: &writer, subscriptionId: id)
        }) {
            try connection.flushControl(within: configuration.connection.handshakeTimeout, operation: "sending Credit before Unsubscribe")
        }
        isSubscribed = false
        try connection.flushControl(within: configuration.connection.handshakeTimeout, operation: "sending Unsubscribe")
    }

    /// Chooses the broker the next `reconnect()` goes to after `error`
    /// (the next one round-robin); true when the owner should pause first.
    public func prepareReconnect(after error: BatonClientError) -> Bool {
        movePrepared = true
        return brokers.move(after: error)
    }

    /// Retryable errors, and — with several brokers — a resume refused with
    /// `badPosition` (that member has not committed so far yet, or retains
    /// less: another may serve it).
    public func canRetry(after error: BatonClientError) -> Bool {
        error.isRetryable || (error.serverCode == .badPosition && brokers.addresses.count > 1 && nextPosition >= 0)
    }

    /// Opens a new session and subscribes again at `nextPosition` (or as
    /// configured, when no Subscribed was ever received): at the broker
    /// `prepareReconnect` chose, or — when the last session failed and none
    /// was chosen — the next one.
    public func reconnect() throws(BatonClientError) {
        if closedByOwner { throw .closed }
        if !movePrepared, let failure = connection.failure { brokers.move(after: failure) }
        movePrepared = false
        try connection.connect(to: brokers.current)
        try subscribe(from: nextPosition >= 0 ? .position(nextPosition) : configuration.from)
    }

    /// Closes the session.
    public func close() {
        closedByOwner = true
        isSubscribed = false
        connection.close()
    }

    /// Returns consumed credit once half of `creditBytes` is used (if the
    /// control buffer has room; otherwise it keeps accumulating).
    func returnCredit() {
        guard creditBytes > 0, creditUnreturned >= creditBytes / 2, connection.isConnected else { return }
        let id = subscriptionId
        let credit = UInt32(clamping: creditUnreturned)
        if connection.enqueueControl({ (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeCredit(into: &writer, subscriptionId: id, credit: credit)
        }) {
            creditUnreturned &-= Int(credit)
        }
        connection.flushControl()
    }
}
