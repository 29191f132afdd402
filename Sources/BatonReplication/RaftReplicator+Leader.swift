import BatonCodec
import BatonLog
import BatonMutation
import BatonNet
import BatonProtocol

extension RaftReplicator {
    /// A follower asks where its log agrees with this leader's: answer with
    /// the match position and this log's terms from there (once this term's
    /// marker is in the log, so the list includes this term).
    func onSyncRequest(_ request: ReplicationSyncRequest, link: RaftFollowerLink, now: Int64) {
        guard termStart >= 0 else { return }  // the follower asks again
        let leaderEnd = logCounters.appended.getAcquire()
        let match = termIndex.matchPosition(followerLastTerm: request.lastTerm, followerLastTermStart: request.lastTermStart,
                                            followerEnd: request.endPosition, leaderEnd: leaderEnd)
        let start = log.startPosition
        if match < start {
            // Retention deleted bytes the follower lacks: it must rejoin from this log's start.
            tellToRejoin(link, at: start, now: now)
            return
        }
        // No byte of the follower's last term here: the answer is only a cut (take nothing; ask again after it).
        let agreed = request.lastTerm == 0 || termIndex.start(ofTerm: request.lastTerm) != nil
        let (entries, validUpTo) = agreed ? termIndex.entries(from: match, limit: ReplicationSync.maximumEntries) : ([], match)
        guard let sync = outbox.begin(ReplicationSync.self, to: link.member.replicationAddress) else { return }
        sync.matchPosition = match
        sync.validUpTo = validUpTo
        sync.flags = 0
        sync.entryCount = UInt32(entries.count)
        for (slot, entry) in entries.enumerated() { sync.setEntry(at: slot, term: entry.term, start: entry.start) }
        link.resync(validUpTo: validUpTo)
        // Only an agreed match vouches for the follower's bytes below it. A cut-only answer's match
        // is where a divergent log must be cut *at least* to: the bytes below it may still differ
        // from this log's, and counting them committed a marker no majority held (found by the
        // scripted figure-8 run, seed 5: two restarted members' stale suffixes counted).
        if agreed { link.durable = max(link.durable, min(request.durablePosition, match)) }
        raftCounters.syncsServed.addRelease(1)
    }

    /// A Sync with `leaderStartsLater`: this log begins at `start`, above
    /// what the follower holds or agrees on; the one entry is the term
    /// covering the byte before `start` (what the follower's term index
    /// starts with when it rejoins). Retention then keeps `start` for
    /// `rejoinHoldNanos` (not renewed by asking again), the time to restart it.
    func tellToRejoin(_ link: RaftFollowerLink, at start: Int64, now: Int64) {
        guard start > 0, let covering = termIndex.entries(from: start &- 1, limit: 1).entries.first,
              covering.start < start,
              let sync = outbox.begin(ReplicationSync.self, to: link.member.replicationAddress) else { return }
        sync.matchPosition = start
        sync.validUpTo = start
        sync.flags = ReplicationSync.leaderStartsLater
        sync.entryCount = 1
        sync.setEntry(at: 0, term: covering.term, start: covering.start)
        link.resync(validUpTo: start)
        if link.rejoinHold?.position != start { link.rejoinHold = (start, now &+ Self.rejoinHoldNanos) }
        raftCounters.rejoinsAsked.addRelease(1)
        logger.warning("raft: node \(link.member.nodeId) needs positions below \(start), where this leader's log now starts (retention): told to rejoin from \(start)")
    }

    /// Status from a follower: the first after a Sync starts its stream; its
    /// durable position counts towards the commit.
    func onStatus(_ status: ReplicationStatus, link: RaftFollowerLink, now: Int64) {
        let received = status.receivedPosition
        if !link.synced { link.startStreaming(received: received) }
        if let reason = link.sender.onStatus(received: received, chainDurable: status.durablePosition,
                                             window: status.windowBytes, now: now) {
            startResend(link, from: received, reason: reason)
        }
        if status.durablePosition > link.durable { link.durable = status.durablePosition }
        raftCounters.followerReceived[link.index].setReleaseAllowingDecrease(received)
    }

    /// A Nak: resend from its position unless a resend already covers it.
    func onNak(_ nak: ReplicationNak, link: RaftFollowerLink) {
        counters.naksReceived.addRelease(1)
        guard link.synced, link.sender.nakNeedsResend(position: nak.position,
                                                      resendPosition: link.resender.isActive ? link.resender.position : nil) else { return }
        startResend(link, from: nak.position, reason: .nak)
    }

    func startResend(_ link: RaftFollowerLink, from position: Int64, reason: ResendReason) {
        let start = max(position, log.startPosition)
        guard start < link.sender.stagedPosition else { return }
        link.resender.start(at: start)
        counters.retransmits.addRelease(1)
        logger.debug("raft: resending to node \(link.member.nodeId) from \(start) (\(reason)); sent up to \(link.sender.stagedPosition)")
    }

    /// The leader's commit: the majority's durable position, once it is past
    /// this term's first position (earlier terms commit only under it).
    func advanceLeaderCommit() -> Int {
        guard termStart >= 0 else { return 0 }
        let own = ownDurablePosition()
        let majority = quorum.position { index in index == 0 ? own : self.links[index &- 1].durable }
        let next = RaftCommitRule.commit(current: commit, majorityDurable: majority, termStart: commitsEarlierTerms ? -1 : termStart)
        guard next > commit else { return 0 }
        commit = next
        counters.chainCommit.setRelease(commit)
        return 1
    }

    /// To every follower: its stream (new bytes zero-copy, or re-reads),
    /// Commit when the commit moved, Heartbeat when idle.
    func transmit(now: Int64) -> Int {
        let appended = logCounters.appended.getAcquire()
        var work = 0
        for link in links {
            let destination = link.member.replicationAddress
            var sent = 0
            if link.synced && termStart >= 0 {
                if link.sender.tailLossTimedOut(now: now, resending: link.resender.isActive) {
                    startResend(link, from: link.sender.received, reason: .timeout)
                }
                let limit = min(appended, link.sender.sendLimit, link.validUpTo)
                if !link.resender.isActive && link.sender.stagedPosition < zeroCopyFloor && link.sender.stagedPosition < limit {
                    // Behind what the buffer protects: re-read from the log — whole frames, so from
                    // the follower's published end (a frame boundary); the staged position may fall
                    // inside a frame (Data is cut wherever the window ends).
                    link.resender.start(at: max(min(link.sender.received, link.sender.stagedPosition), log.startPosition))
                }
                sent += link.resender.isActive ? resend(link, to: destination, limit: limit, now: now)
                                               : sendNew(link, to: destination, limit: limit)
                if link.sender.commitDue(commit), let message = outbox.begin(ReplicationCommit.self, to: destination) {
                    message.commitPosition = commit
                    link.sender.commitSent(commit, now: now)
                    sent += 1
                }
            }
            if sent > 0 {
                link.sender.sent(now: now)
            } else if link.sender.heartbeatDue(now: now), let heartbeat = outbox.begin(ReplicationHeartbeat.self, to: destination) {
                heartbeat.sentPosition = link.synced ? link.sender.stagedPosition : 0
                heartbeat.commitPosition = commit
                link.sender.sent(now: now)
                sent += 1
            }
            work += sent
        }
        return work
    }

    /// New bytes, zero-copy from the log buffer (at or above the zero-copy
    /// floor, which keeps them there until the kernel has them), never across
    /// the buffer's wrap, at most `dataBytesMax` a datagram. Leaves room for
    /// the other followers' Heartbeats.
    func sendNew(_ link: RaftFollowerLink, to destination: IPv4SocketAddress, limit: Int64) -> Int {
        let start = link.sender.stagedPosition
        let (position, datagrams) = outbox.stageBufferData(base: bufferBase, mask: bufferMask, from: start, limit: limit,
                                                           dataBytesMax: dataBytesMax, reserving: links.count, to: destination)
        if datagrams > 0 {
            counters.dataBytesSent.addRelease(position &- start)
            link.sender.staged(upTo: position)
        }
        return datagrams
    }

    /// Re-reads from the link's resend cursor (whole frames from the buffer
    /// or the segments) up to `limit`; stops once past what was staged and
    /// at or above the zero-copy floor.
    func resend(_ link: RaftFollowerLink, to destination: IPv4SocketAddress, limit: Int64, now: Int64) -> Int {
        let cursor = link.resender
        let start = cursor.position
        if start < log.startPosition {
            // Retention deleted what it lacks (it fell behind between syncs): it must rejoin.
            cursor.stop()
            tellToRejoin(link, at: log.startPosition, now: now)
            return 1
        }
        let datagrams = outbox.stageCursorData(cursor, limit: limit, dataBytesMax: dataBytesMax, reserving: links.count,
                                               to: destination, purpose: "raft: re-reading the log for a follower", logger: logger)
        guard cursor.isActive else { return datagrams }
        let position = cursor.position
        if position > start {
            counters.retransmittedBytes.addRelease(position &- start)
            if position > link.sender.stagedPosition {
                counters.dataBytesSent.addRelease(position &- link.sender.stagedPosition)
                link.sender.staged(upTo: position)
            }
        }
        if position >= link.sender.stagedPosition && position >= zeroCopyFloor { cursor.stop() }
        return datagrams
    }
}
