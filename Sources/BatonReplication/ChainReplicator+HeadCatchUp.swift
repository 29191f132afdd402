import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

/// A restarted head that is behind its successor (it died having sent frames
/// it had not written) pulls the missing log back before ordering: it sends a
/// Nak downstream every heartbeat interval, the successor answers with Data
/// upstream read through a log reader, and once the head's log reaches what
/// the successor reported, `headReady` opens the order stage.
extension ChainReplicator {
    /// The head holds everything its successor does: order from here on.
    func finishAdopting() {
        adopting = false
        let end = appender.position
        if end > stagedPosition {
            counters.adoptedBytes.addRelease(end &- stagedPosition)
            logger.warning("took \(end - stagedPosition) bytes of log back from successor \(successor?.nodeId ?? 0); ordering from \(end)")
            stagedPosition = end
            counters.sentPosition.setRelease(end)
        }
        counters.headReady.setRelease(1)
    }

    /// A restarted head behind its successor asks for the missing frames (a
    /// Nak sent downstream) every heartbeat interval until it has them all.
    func pullFromSuccessor(now: Int64) -> Int {
        guard let successor, adoptTarget >= 0 else { return 0 }
        let position = appender.position
        if position >= adoptTarget {
            finishAdopting()
            return 1
        }
        guard now &- lastPullNanos >= heartbeatInterval,
              let header = beginMessage(.nak, to: successor.replicationAddress) else { return 0 }
        header.setInt64(position, at: ReplicationField.nakPosition)
        header.setInt64(adoptTarget &- position, at: ReplicationField.nakLength)
        counters.naksSent.addRelease(1)
        lastPullNanos = now
        return 1
    }

    /// A pull from the predecessor (a restarted head): send it this member's log from `position`.
    func onPull(position: Int64) {
        counters.naksReceived.addRelease(1)
        let end = logCounters.appended.getAcquire()
        guard position < end, position >= log.startPosition else { return }
        pusher.start(at: position)
        counters.pullsServed.addRelease(1)
    }

    /// Sends the log upstream from the push cursor to the appended position.
    func pushUpstream() -> Int {
        guard pusher.isActive, let predecessor else { return 0 }
        let end = logCounters.appended.getAcquire()
        let datagrams = stage(pusher, to: predecessor.replicationAddress, limit: end, purpose: "sending the log back")
        if pusher.isActive && pusher.position >= end { pusher.stop() }
        return datagrams
    }

}
