import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

/// A restarted head that is behind its successor (it died having sent frames
/// it had not written) pulls the missing log back before ordering (the states
/// are `HeadCatchUp`'s): it sends a Pull downstream every heartbeat interval,
/// the successor answers with Data upstream read through a log reader, and
/// once the head's log reaches what the successor reported, the leadership
/// gate turns to leading and the order stage starts.
extension ChainReplicator {
    /// The head holds everything its successor does: order from here on.
    func finishCatchUp() {
        let end = appender.position
        let staged = sender.stagedPosition
        if end > staged {
            counters.adoptedBytes.addRelease(end &- staged)
            logger.warning("took \(end - staged) bytes of log back from successor \(successor?.nodeId ?? 0); ordering from \(end)")
            sender.staged(upTo: end)
            counters.sentPosition.setRelease(end)
        }
        leadership.publish(headLeadership(), leader: configuration.nodeId)
    }

    /// Asks the successor for the missing frames while `HeadCatchUp` says so.
    func pullFromSuccessor(now: Int64) -> Int {
        guard let successor else { return 0 }
        switch catchUp.poll(position: appender.position, now: now) {
        case .wait:
            return 0
        case .finished:
            finishCatchUp()
            return 1
        case let .pull(position, length):
            guard let pull = outbox.begin(ReplicationPull.self, to: successor.replicationAddress) else { return 0 }
            pull.position = position
            pull.length = length
            counters.naksSent.addRelease(1)
            catchUp.pullSent(now: now)
            return 1
        }
    }

    /// A Pull from the predecessor (a restarted head): send it this member's log from its position.
    func onPull(_ pull: ReplicationPull) {
        counters.naksReceived.addRelease(1)
        let position = pull.position
        guard position < logCounters.appended.getAcquire(), position >= log.startPosition else { return }
        pusher.start(at: position)
        counters.pullsServed.addRelease(1)
    }
}
