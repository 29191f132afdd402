import BatonCodec
import BatonNet
import BatonProtocol
import BatonTime

/// Publishes messages to one stream of a broker — or of whichever member of
/// a cluster orders — in order, exactly once.
///
/// `offer` copies (or lets the caller write) each message into the open
/// batch of a buffer allocated once; a batch becomes one Publish message
/// when it is full (`maxBatchCount`, `batchBytesMax`), when it has lingered
/// for `linger`, or on `flush()`. `poll()` writes what is ready, reads the
/// broker's cumulative PublishAcks and frees acknowledged batches. Every
/// message keeps its sequence until acknowledged: after a lost connection
/// `reconnect()` resends every unacknowledged batch with the same producer id
/// and sequences, and a `backPressure` answer resends them after a delay;
/// the broker drops the duplicates.
///
/// Given several brokers (the members of one cluster: `init(brokers:)`),
/// the publisher connects to the first that answers and, after a failure,
/// reconnects elsewhere (`BrokerList`): to the member a `notLeader` refusal
/// names (a Raft follower names its leader), else the next one round-robin,
/// pausing only once a whole round failed (`Reconnector` drives it:
/// `prepareReconnect(after:)`, then `reconnect()`). Every unacknowledged
/// message goes to the new broker with its sequence; a Raft leader holds
/// whatever was committed and drops what its log already has.
///
/// ```swift
/// let publisher = try Publisher(broker: address, configuration: PublisherConfiguration(streamId: 1))
/// for payload in payloads {
///     while case .backPressured = payload.withUnsafeBytes({ publisher.offer($0) }) {
///         if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
///     }
/// }
/// try publisher.awaitAcks(timeout: .seconds(10))
/// ```
///
/// Invariant: `inFlight <= windowMessages`; sequences are handed out
/// consecutively from `firstSequence`; `lastAckedSequence` only grows. Once
/// warmed up, `offer` and `poll` allocate nothing and do not block.
/// Threading: used by one thread at a time (a plain thread is fine; nothing
/// here is `async`); not `Sendable`.
public final class Publisher {
    public let producerId: UInt64
    public let streamId: UInt32
    public let configuration: PublisherConfiguration
    /// The session (its `welcome` holds the broker's limits; its `address`, the broker's).
    public let connection: BatonConnection
    /// The brokers this publisher may use and the one it uses (`brokers.current`).
    public internal(set) var brokers: BrokerList

    /// The sequence the next accepted message gets.
    public private(set) var nextSequence: UInt64
    /// The highest sequence the broker has acknowledged (nil before the first ack).
    public internal(set) var lastAckedSequence: UInt64?
    /// The log position of the frame of `lastAckedSequence` (of the broker's
    /// last sequence for this producer when `ackedAheadSequence` is set).
    public internal(set) var lastAckedPosition: Int64?
    /// Set when the broker acknowledged a sequence above any this publisher
    /// sent: the producer id was used before with higher sequences, and the
    /// messages sent here were dropped as duplicates of those (not logged
    /// again). Reuse a producer id only to resume after its last sequence.
    public internal(set) var ackedAheadSequence: UInt64?

    var buffer: PublishBuffer
    /// The lowest sequence not yet acknowledged.
    var unackedFrom: UInt64
    var maxPayloadLength = 0
    var batchCountMax = 0
    var batchBytesMax = 0
    let windowMessages: Int
    let lingerNanos: Int64
    let retryDelayNanos: Int64
    var resendPending = false
    var resendAtNanos: Int64 = 0
    var closedByOwner = false
    /// `prepareReconnect` has chosen the broker of the next `reconnect()`.
    var movePrepared = false

    /// Connects to `broker` (Hello/Welcome) and allocates the buffer.
    public convenience init(broker: IPv4SocketAddress, configuration: PublisherConfiguration) throws(BatonClientError) {
        try self.init(brokers: [broker], configuration: configuration)
    }

    /// Connects to the first of `brokers` that welcomes it (trying each in
    /// turn, once; the last one's error when none does) and allocates the
    /// buffer. List every member of the cluster to follow its leader.
    public init(brokers: [IPv4SocketAddress], configuration: PublisherConfiguration) throws(BatonClientError) {
        try configuration.validate()
        self.brokers = try BrokerList(brokers)
        self.configuration = configuration
        streamId = configuration.streamId
        producerId = configuration.producerId ?? UInt64.random(in: 1...UInt64.max)
        nextSequence = configuration.firstSequence
        unackedFrom = configuration.firstSequence
        windowMessages = configuration.windowMessages
        lingerNanos = configuration.linger.clampedNanos
        retryDelayNanos = configuration.backPressureRetryDelay.clampedNanos
        buffer = PublishBuffer(byteCapacity: configuration.bufferBytes,
                               recordCapacity: min(configuration.windowMessages, 65_536))
        connection = BatonConnection(address: self.brokers.current, options: configuration.connection)
        try connectToFirstAnswering()
        applyLimits()
    }

    /// Tries every broker in list order until one welcomes the session.
    private func connectToFirstAnswering() throws(BatonClientError) {
        var lastError = BatonClientError.closed
        for index in brokers.addresses.indices {
            brokers.use(index: index)
            do {
                try connection.connect(to: brokers.current)
                return
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Messages accepted but not yet acknowledged.
    public var inFlight: Int { Int(truncatingIfNeeded: nextSequence &- unackedFrom) }

    /// Why the publisher cannot publish now (nil while it can).
    public var failure: BatonClientError? {
        if closedByOwner { return .closed }
        return connection.isConnected ? nil : (connection.failure ?? .closed)
    }

    /// The broker's limits as they apply to this publisher.
    func applyLimits() {
        guard let welcome = connection.welcome else { return }
        batchBytesMax = min(configuration.batchBytesMax, welcome.maxMessageLength + ClientProtocol.lengthPrefixBytes)
        batchCountMax = min(configuration.batchCountMax ?? welcome.maxBatchCount, welcome.maxBatchCount)
        maxPayloadLength = min(welcome.maxPayloadLength, batchBytesMax - PublishBuffer.batchHeaderBytes - 4)
    }

    /// Offers a copy of `payload` as the next message. See `OfferResult`.
    @inline(__always)
    public func offer(_ payload: UnsafeRawBufferPointer) -> OfferResult {
        offer(length: payload.count) { target, _ in
            if let source = payload.baseAddress, payload.count > 0 {
                target.baseAddress.unsafelyUnwrapped.copyMemory(from: source, byteCount: payload.count)
            }
        }
    }

    /// Offers a message of `length` bytes that `fill` writes in place, given
    /// the sequence it will carry (zero copy: the bytes land in the batch).
    /// `fill` runs only when the result is `.accepted`; it must write all
    /// `length` bytes and must not call the publisher.
    public func offer(length: Int, _ fill: (UnsafeMutableRawBufferPointer, UInt64) -> Void) -> OfferResult {
        if let failure { return .closed(failure) }
        if length < 0 || length > maxPayloadLength { return .tooLarge(limit: maxPayloadLength) }
        let inFlight = self.inFlight
        if inFlight >= windowMessages { return .backPressured(inFlight: inFlight) }
        let now = SystemClock().monotonicNanos()
        let sequence = nextSequence
        let closedBefore = buffer.closedIndex
        guard let target = buffer.reserve(length: length, sequence: sequence, streamId: streamId, producerId: producerId,
                                          batchCountMax: batchCountMax, batchBytesMax: batchBytesMax, now: now) else {
            sendPending(now: now)
            return .backPressured(inFlight: inFlight)
        }
        fill(UnsafeMutableRawBufferPointer(start: target, count: length), sequence)
        nextSequence = sequence &+ 1
        if buffer.openCount >= batchCountMax || now &- buffer.openedNanos >= lingerNanos {
            buffer.close()
        }
        if buffer.closedIndex != closedBefore {
            sendPending(now: now)  // once per batch: a write as soon as it is complete
        }
        return .accepted(sequence: sequence)
    }

    /// Closes the open batch and writes what the socket takes now; `poll()`
    /// writes the rest.
    public func flush() {
        buffer.close()
        sendPending(now: SystemClock().monotonicNanos())
    }

    /// One round of work: sends a batch that has lingered long enough and
    /// whatever waits to be written, reads acknowledgements (freeing their
    /// batches), sends a Heartbeat when idle. Returns a count of work done
    /// (0: nothing happened; `waitForIO` before the next round). Throws when
    /// the session fails (then `offer` returns `.closed` until `reconnect()`).
    @discardableResult
    public func poll() throws(BatonClientError) -> Int {
        if let failure { throw failure }
        let now = SystemClock().monotonicNanos()
        if buffer.isOpen && now &- buffer.openedNanos >= lingerNanos {
            buffer.close()
        }
        var work = sendPending(now: now) > 0 ? 1 : 0
        work &+= try connection.receive { (message: DecodedMessage) throws(BatonClientError) -> ReceiveDisposition in
            try self.handle(message, now: now)
        }
        if work == 0 {
            try connection.maintain(now: now, canSendHeartbeat: buffer.isAtMessageBoundary)
        }
        return work
    }

    /// Chooses the broker the next `reconnect()` goes to after `error` (see
    /// `BrokerList`); true when the owner should pause first.
    public func prepareReconnect(after error: BatonClientError) -> Bool {
        movePrepared = true
        return brokers.move(after: error)
    }

    /// Opens a new session (closing the old one) and resends every
    /// unacknowledged batch with the same producer id and sequences: at the
    /// broker `prepareReconnect` chose, or — when the last session failed
    /// and none was chosen — where that failure points (`BrokerList`).
    public func reconnect() throws(BatonClientError) {
        if closedByOwner { throw .closed }
        if !movePrepared, let failure = connection.failure { brokers.move(after: failure) }
        movePrepared = false
        try connection.connect(to: brokers.current)
        applyLimits()
        resendPending = false
        buffer.rewind()
        if let acked = lastAckedSequence { buffer.release(through: acked) }  // batches held only because half written
        sendPending(now: SystemClock().monotonicNanos())
    }

    /// Closes the session; unacknowledged messages are dropped with the publisher.
    public func close() {
        closedByOwner = true
        connection.close()
    }
}
