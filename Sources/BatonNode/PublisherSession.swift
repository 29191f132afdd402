import BatonNet

/// One client session while it is owned by the client I/O agent: waiting for
/// Hello, then publishing. It moves to the execute stage on its first
/// Subscribe. Its socket, buffers and lifecycle are the `ClientSession` half;
/// this adds the publish side's state.
///
/// Invariant: `pendingAckCount <= maximumPendingAcks`, and the pending acks
/// name distinct producers. Threading: the client I/O agent's thread only.
final class PublisherSession: ClientSession {
    /// At most this many producers per session have an ack waiting to be written.
    static let maximumPendingAcks = 16

    var hasPublished = false
    var blockedOnIngress = false
    /// On the agent's list of sessions to flush this duty cycle.
    var dirty = false

    // Latest ack per producer not yet written (acks are cumulative, so a newer one replaces an older one).
    var pendingAckProducers = [UInt64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckSequences = [UInt64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckPositions = [Int64](repeating: 0, count: PublisherSession.maximumPendingAcks)
    var pendingAckCount = 0

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
