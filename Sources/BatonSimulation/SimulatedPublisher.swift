/// A simulated client publishing `total` messages of one producer, as a real
/// `Publisher` would: connected to one member at a time (the head), it sends
/// batches of new messages while fewer than `window` are unacknowledged, and
/// after a reconnect resends everything from the first unacknowledged
/// sequence (the order stage drops what it already logged: exactly once).
/// Acks are cumulative.
///
/// Invariant: `ackedThrough < sentThrough + 1 <= total` (as sequences:
/// nothing is acked that was not sent on some connection).
/// Threading: the simulation's thread.
public final class SimulatedPublisher {
    public let producerId: UInt64
    public let streamId: UInt32
    public let total: UInt64
    public let window: UInt64
    public let maximumBatch: UInt64
    /// The member it is connected to and the session id of that connection, if any.
    public private(set) var connection: (member: Int, sessionId: UInt64)?
    /// One past the highest sequence acknowledged (0: none).
    public private(set) var ackedCount: UInt64 = 0
    /// One past the highest sequence sent on the current connection.
    public private(set) var sentCount: UInt64 = 0
    /// Earliest simulated time of the next send (the publisher's pacing).
    public var nextSendNanos: Int64 = 0
    public let pacingNanos: Int64
    private var connections: UInt64 = 0
    private let index: Int

    public init(index: Int, producerId: UInt64, streamId: UInt32, total: UInt64, window: UInt64, maximumBatch: UInt64,
                pacingNanos: Int64) {
        self.index = index
        self.producerId = producerId
        self.streamId = streamId
        self.total = total
        self.window = window
        self.maximumBatch = maximumBatch
        self.pacingNanos = pacingNanos
    }

    public var isDone: Bool { ackedCount == total }

    /// Connects to `member` with a fresh session; sending restarts from the first unacknowledged message.
    public func connect(to member: Int) {
        connections += 1
        connection = (member, UInt64(index + 1) << 32 | connections)
        sentCount = ackedCount
    }

    public func disconnect() { connection = nil }

    /// The next batch to send at `now` (first sequence, count), or nil.
    public func nextBatch(now: Int64) -> (first: UInt64, count: UInt64)? {
        guard connection != nil, now >= nextSendNanos, sentCount < total, sentCount - ackedCount < window else { return nil }
        let count = min(maximumBatch, total - sentCount, window - (sentCount - ackedCount))
        return (sentCount, count)
    }

    /// The batch went out on the current connection.
    public func sent(_ batch: (first: UInt64, count: UInt64), now: Int64) {
        sentCount = batch.first + batch.count
        nextSendNanos = now + pacingNanos
    }

    /// A PublishAck for `sequence` on session `sessionId`; false when it was for another connection.
    @discardableResult
    public func acked(sequence: UInt64, sessionId: UInt64) -> Bool {
        guard let connection, connection.sessionId == sessionId else { return false }
        if sequence + 1 > ackedCount { ackedCount = sequence + 1 }
        if ackedCount > sentCount { sentCount = ackedCount }
        return true
    }
}
