import BatonMutation
import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension ChainReplicator {
    /// Status from the successor: feeds the head's catch-up and the sender,
    /// which may ask for a resend from the successor's position.
    func onStatus(_ status: ReplicationStatus, now: Int64) {
        let received = status.receivedPosition
        if catchUp.isCatchingUp {
            let wasAwaiting = catchUp.state == .awaitingSuccessor
            switch catchUp.onSuccessorStatus(successorReceived: received, position: appender.position, now: now) {
            case .finished:
                finishCatchUp()
            case .wait, .pull:
                if wasAwaiting, case let .pulling(target) = catchUp.state, target > appender.position {
                    logger.warning("successor \(successor?.nodeId ?? 0) holds the log up to \(received), beyond this head's \(appender.position): taking those frames from it before ordering")
                }
            }
        }
        let chainDurableBefore = sender.chainDurable
        if let reason = sender.onStatus(received: received, chainDurable: status.chainDurablePosition,
                                        window: status.windowBytes, generation: status.receiveGeneration, now: now) {
            startResend(from: received, reason: reason)
        }
        // The successor holds bytes this member never staged for it (this member restarted with
        // less): they are not sent again, and the sent position (a gate of the log buffer) passes
        // them once the outbox is empty (`releaseHeldBySuccessor`). A head taking its log back
        // counts what it takes in `finishCatchUp`, so its staged position stays.
        if !catchUp.isCatchingUp {
            let held = min(received, logCounters.appended.getAcquire())
            if held > sender.stagedPosition { sender.staged(upTo: held) }
        }
        counters.successorReceived.setReleaseAllowingDecrease(received)
        if sender.chainDurable > chainDurableBefore { counters.successorChainDurable.setRelease(sender.chainDurable) }
        if failover != nil && failover!.successorIsLearner && !failover!.learnerCounts { countLearnerIfCaughtUp() }
    }

    func startResend(from position: Int64, reason: ResendReason) {
        let start = max(position, log.startPosition)
        guard start < sender.stagedPosition else { return }
        resender.start(at: start)
        counters.retransmits.addRelease(1)
        logger.debug("resending to node \(successor?.nodeId ?? 0) from \(start) (\(reason)); sent up to \(sender.stagedPosition)")
    }

    /// Sends to the successor: a resend in progress, else new bytes within the
    /// window; a Commit when the commit position moved; a Heartbeat when idle.
    func transmit(now: Int64) -> Int {
        guard let successor else { return 0 }
        let destination = successor.replicationAddress
        var work = 0
        if sender.known {
            if sender.tailLossTimedOut(now: now, resending: resender.isActive || !requested.isEmpty) {
                probeStalledSuccessor(now: now)
            }
            // Holes first: a go-back-N resend is held to the successor's window,
            // which only a filled hole at its received position opens (seed 35).
            work += repair(to: destination)
            work += resender.isActive ? resend(to: destination) : sendNew(to: destination)
        }
        let commit = commitFold.commit
        if sender.commitDue(commit), let message = outbox.begin(ReplicationCommit.self, to: destination) {
            message.commitPosition = commit
            sender.commitSent(commit, now: now)
            work += 1
        }
        if work > 0 {
            sender.sent(now: now)
        } else if sender.heartbeatDue(now: now), let heartbeat = outbox.begin(ReplicationHeartbeat.self, to: destination) {
            heartbeat.sentPosition = sender.stagedPosition
            heartbeat.commitPosition = commit
            sender.sent(now: now)
            work += 1
        }
        return work
    }

    /// New bytes, zero-copy from the log buffer: up to this member's durable
    /// position and the successor's window, at most `dataBytesMax` a
    /// datagram, never across the buffer's wrap (one iovec each). Leaves one
    /// datagram of room for a Commit or Heartbeat.
    ///
    /// Only durable bytes are forwarded, so every member's durable log holds
    /// its successor's whole log, across any crash: a restarted member never
    /// has less than the members after it, and a restarted head never orders
    /// new frames at positions a later member still holds from before (found
    /// by the simulator, seed 1103: a middle member that crashed after
    /// forwarding unsynced bytes left the tail with a suffix the new head
    /// then overwrote — the logs diverged below the commit). The cost is one
    /// fsync per hop in the commit's latency instead of parallel fsyncs.
    func sendNew(to destination: IPv4SocketAddress) -> Int {
        let start = sender.stagedPosition
        let limit = min(logCounters.durable.getAcquire(), sender.sendLimit)
        let (position, datagrams) = outbox.stageBufferData(base: bufferBase, mask: bufferMask, from: start, limit: limit,
                                                           dataBytesMax: dataBytesMax, reserving: 1, to: destination)
        if datagrams > 0 {
            counters.dataBytesSent.addRelease(position &- start)
            sender.staged(upTo: position)
        }
        return datagrams
    }

    /// Go-back-N: resends from the resend cursor up to the staged position
    /// (whole frames re-read from the buffer or the segments), within the
    /// successor's window.
    func resend(to destination: IPv4SocketAddress) -> Int {
        let start = resender.position
        let datagrams = stage(resender, to: destination, limit: sender.sendLimit, purpose: "resend")
        let position = resender.position
        guard position > start else { return datagrams }
        counters.retransmittedBytes.addRelease(position &- start)
        let staged = sender.stagedPosition
        if position > staged {
            counters.dataBytesSent.addRelease(position &- staged)
            sender.staged(upTo: position)
        }
        if position >= sender.stagedPosition { resender.stop() }
        return datagrams
    }

    /// Sends the log upstream from the push cursor (answering a restarted
    /// head's Pull) to the appended position.
    func pushUpstream() -> Int {
        guard pusher.isActive, let predecessor else { return 0 }
        let end = logCounters.appended.getAcquire()
        let datagrams = stage(pusher, to: predecessor.replicationAddress, limit: end, purpose: "sending the log back")
        if pusher.isActive && pusher.position >= end { pusher.stop() }
        return datagrams
    }

    /// Stages Data datagrams from `cursor` up to `limit` (`ReplicationOutbox.stageCursorData`).
    func stage(_ cursor: LogResendCursor, to destination: IPv4SocketAddress, limit: Int64, purpose: StaticString) -> Int {
        outbox.stageCursorData(cursor, limit: limit, dataBytesMax: dataBytesMax, reserving: 1, to: destination,
                               purpose: purpose, logger: logger)
    }
}
