import BatonNet

/// One client session while it is owned by the client I/O agent: waiting for
/// Hello, then publishing. It moves to the execute stage on its first Subscribe.
///
/// Threading: the client I/O agent's thread only.
final class PublisherSession {
    enum State {
        case awaitingHello
        case open
        /// An Error is queued; close once it is written (or at once if it cannot be).
        case closing
    }

    /// At most this many producers per session have an ack waiting to be written.
    static let maximumPendingAcks = 16

    let slot: Int
    var sessionId: UInt64 = 0
    var state = State.awaitingHello
    var buffers: SessionBuffers?
    var lastReceiveNanos: Int64 = 0
    var lastSendNanos: Int64 = 0
    var hasPublished = false
    var blockedOnIngress = false
    var writeInterest = false
    var dirty = false
    var active = false

    // Latest ack per producer not yet written (acks are cumulative, so a newer one replaces an older one).
    var pendingAckProducers = [UInt64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckSequences = [UInt64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckPositions = [Int64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckCount = 0

    init(slot: Int) { self.slot = slot }

    /// Remembers an ack to write; false if too many producers are waiting (the session is then too slow).
    func noteAck(producerId: UInt64, sequence: UInt64, position: Int64) -> Bool {
        for index in 0..<pendingAckCount where pendingAckProducers[index] == producerId {
            if sequence >= pendingAckSequences[index] {
                pendingAckSequences[index] = sequence
                pendingAckPositions[index] = position
            }
            return true
        }
        guard pendingAckCount < PublisherSession.maximumPendingAcks else { return false }
        pendingAckProducers[pendingAckCount] = producerId
        pendingAckSequences[pendingAckCount] = sequence
        pendingAckPositions[pendingAckCount] = position
        pendingAckCount += 1
        return true
    }
}
