import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension RaftReplicator {
    /// Whether the appender is this agent's: not leading (a leader-elect
    /// appends its marker itself), the order stage has observed the last
    /// step-down, no truncation under way.
    var ownsAppender: Bool {
        election.role != .leader && truncationGeneration == 0
            && leadership.orderStageObserved(releasedGeneration)
    }

    /// Once the order stage has let go of the appender, the follower's
    /// received position starts from the log's end.
    func settleAppender() -> Int {
        guard !appenderSettled, ownsAppender else { return 0 }
        appenderSettled = true
        receivedBytes = appender.position
        counters.receivedBytesPosition.setReleaseAllowingDecrease(receivedBytes)
        advanceZeroCopyFloor()
        return 1
    }

    /// Sends the leader a SyncRequest while not matched to its term (at most
    /// every heartbeat interval), else Status when due.
    func reportToLeader(now: Int64) -> Int {
        guard election.role == .follower, let leader = election.leaderId, let link = link(of: leader),
              appenderSettled, ownsAppender, pendingSync == nil else { return 0 }
        if !synced {
            guard lastSyncRequestNanos == .min || now &- lastSyncRequestNanos >= heartbeatNanos,
                  let request = outbox.begin(ReplicationSyncRequest.self, to: link.member.replicationAddress) else { return 0 }
            let end = appender.position
            request.lastTerm = termIndex.lastTerm(logEnd: end)
            request.lastTermStart = termIndex.lastTermStart(logEnd: end)
            request.endPosition = end
            request.durablePosition = ownDurablePosition()
            lastSyncRequestNanos = now
            return 1
        }
        let received = appender.position
        let durable = ownDurablePosition()
        let room = logCounters.minimumGating() &+ bufferCapacity &- received
        let report = StatusReport(received: received, durable: durable, chainDurable: durable,
                                  window: max(0, min(Int64(configuration.receiverWindowBytes), room)))
        if statusSchedule.receivedMoved(received) { gaps.noteProgress(received: receivedBytes) }
        guard statusSchedule.isDue(report, now: now),
              let status = outbox.begin(ReplicationStatus.self, to: link.member.replicationAddress) else { return 0 }
        status.receivedPosition = report.received
        status.durablePosition = report.durable
        status.chainDurablePosition = report.chainDurable
        status.windowBytes = report.window
        status.receiveGeneration = 0
        statusSchedule.sent(report, now: now)
        return 1
    }

    /// The leader's answer to a SyncRequest: cut the log to the match
    /// position (never below the commit), then record the leader's terms.
    func onSync(_ sync: ReplicationSync, now: Int64) {
        guard election.role == .follower, let leader = election.leaderId else { return }
        if sync.flags & ReplicationSync.leaderStartsLater != 0 {
            // Even while streaming: the leader no longer holds what comes next for this member.
            synced = false
            return noteRejoin(sync, leader: leader, now: now)
        }
        guard !synced, pendingSync == nil, appenderSettled, ownsAppender else { return }
        // `Mutation.raftSkipsTruncation` (simulator only): keep a divergent suffix and take the stream after it.
        let match = skipsTruncation ? appender.position : sync.matchPosition
        let end = appender.position
        guard match <= end, match >= log.startPosition else { return }  // stale: the next request asks again
        if match < commit {
            raftCounters.truncationsRefused.addRelease(1)
            logger.error("raft: leader \(leader) of term \(election.term) asked to cut the log to \(match), below its commit \(commit): refused")
            assertionFailure("a leader asked to truncate below the commit position")
            return
        }
        var entries: [RaftTermEntry] = []
        let count = min(Int(sync.entryCount), ReplicationSync.maximumEntries)
        for slot in 0..<count { entries.append(RaftTermEntry(term: sync.entryTerm(at: slot), start: sync.entryStart(at: slot))) }
        pendingSync = PendingSync(term: election.term, leader: leader, matchPosition: match, validUpTo: sync.validUpTo, entries: entries)
        if match < end {
            logger.info("raft: cutting the log from \(end) to \(match) to match leader \(leader) of term \(election.term)")
            raftCounters.truncations.addRelease(1)
            raftCounters.truncatedBytes.addRelease(end &- match)
            truncationGeneration = log.requestTruncation(to: match)
            receivedBytes = match
            counters.receivedBytesPosition.setReleaseAllowingDecrease(match)
            framesPending = false
            return
        }
        _ = finishSync(now: now)
    }

    /// The leader's log starts above what this member lacks (its retention
    /// deleted those bytes): replication cannot catch it up. Record durably
    /// that it rejoins from there at its next start (`RaftRejoinNote`), say
    /// so, and ask the leader again only every second meanwhile.
    func noteRejoin(_ sync: ReplicationSync, leader: UInt32, now: Int64) {
        lastSyncRequestNanos = now &+ 1_000_000_000
        let position = sync.matchPosition
        guard sync.entryCount >= 1, sync.entryStart(at: 0) < position, position > commit,
              raftCounters.rejoinAt.getPlain() != position else { return }
        let note = RaftRejoinNote(position: position, term: sync.entryTerm(at: 0), termStart: sync.entryStart(at: 0))
        do {
            try note.write(directory: log.configuration.directory, fileSystem: log.fileSystem)
        } catch {
            logger.error("raft: recording that this member must rejoin from \(position) failed: \(error); asking the leader again later")
            return
        }
        raftCounters.rejoinAt.setReleaseAllowingDecrease(position)
        logger.error("raft: leader \(leader) of term \(election.term) keeps its log from \(position) only (retention), above this member's log (end \(appender.position), commit \(commit)): replication cannot catch it up. Restart this member: it will rejoin from \(position), its old log renamed *\(LogRestart.archiveSuffix) in \(log.configuration.directory)")
    }

    /// A truncation finished: the Sync that asked for it completes.
    func finishTruncation(now: Int64) -> Int {
        guard truncationGeneration != 0, log.isTruncationComplete(truncationGeneration) else { return 0 }
        truncationGeneration = 0
        receivedBytes = appender.position
        return finishSync(now: now)
    }

    /// Records the leader's terms after the match position (durably, before
    /// any byte of them is taken) and starts taking its stream.
    func finishSync(now: Int64) -> Int {
        guard let sync = pendingSync else { return 0 }
        pendingSync = nil
        let match = sync.matchPosition
        assert(appender.position == match, "log end \(appender.position) after matching at \(match)")
        var index = termIndex
        index.truncate(from: match)
        guard sync.term == election.term, sync.leader == election.leaderId, election.role == .follower,
              sync.validUpTo > match else {
            // A cut only (the leader holds none of this log's last term), or the leader changed: record
            // the cut (the log no longer holds those terms) and ask again.
            if index != termIndex { _ = persistState(termIndex: index) }
            lastSyncRequestNanos = .min
            return 1
        }
        for entry in sync.entries {
            if entry.start < match {
                // The entry covering the match position: both logs agree on it.
                guard index.term(at: match &- 1) == entry.term else {
                    logger.error("raft: leader \(sync.leader) says term \(entry.term) covers \(match - 1), this log says \(index.term(at: match &- 1)); asking again")
                    return 1
                }
                continue
            }
            guard entry.term > index.lastTerm(logEnd: .max) else {
                logger.error("raft: leader \(sync.leader) listed term \(entry.term) at \(entry.start) after term \(index.lastTerm(logEnd: .max)); asking again")
                return 1
            }
            index.append(term: entry.term, start: entry.start)
        }
        if index != termIndex { guard persistState(termIndex: index) else { return 1 } }
        synced = true
        syncValidUpTo = sync.validUpTo
        receivedBytes = appender.position
        counters.receivedBytesPosition.setReleaseAllowingDecrease(receivedBytes)
        gaps = GapDetector(nakDelayNanos: gaps.nakDelayNanos, maximumBackoffNanos: gaps.maximumBackoffNanos)
        statusSchedule = StatusSchedule(heartbeatIntervalNanos: heartbeatNanos)
        leaderCommit = max(leaderCommit, commit)
        return 1
    }

    /// Data at `position` from the leader: only bytes from `receivedBytes`
    /// on, below the sync's `validUpTo`, while matched to its term.
    func onData(position: Int64, bytes: UnsafeRawBufferPointer) {
        guard synced, appenderSettled, ownsAppender else { return }
        if ReplicatedBytes.take(bytes, at: position, limit: syncValidUpTo, receivedBytes: &receivedBytes,
                                ahead: goBackN, now: 0, appender: appender, gaps: &gaps, counters: counters) {
            framesPending = true
        }
    }

    /// Publishes the whole frames received (one CRC pass each). Reaching
    /// the sync's `validUpTo` means the leader has later terms to tell: match again.
    func publishReceivedFrames(now: Int64) -> Int {
        guard framesPending, ownsAppender else { return 0 }
        framesPending = false
        counters.receivedBytesPosition.setReleaseAllowingDecrease(receivedBytes)
        switch appender.publishReplicatedFrames(upTo: receivedBytes) {
        case let .published(position):
            if position >= syncValidUpTo { synced = false }
            advanceZeroCopyFloor()
            return 1
        case let .corrupt(position, reason):
            counters.corruptFrames.addRelease(1)
            logger.warning("raft: frame at \(position) from leader \(election.leaderId ?? 0) failed its check (\(reason)); discarding from there and asking again")
            gaps.noteCorrupt(receivedEnd: receivedBytes, now: now)
            receivedBytes = position
            counters.receivedBytesPosition.setReleaseAllowingDecrease(position)
            return 1
        }
    }

    /// Naks a gap once `GapDetector` says it is due.
    func requestMissing(now: Int64) -> Int {
        guard synced, let leader = election.leaderId, let link = link(of: leader),
              gaps.nakDue(received: receivedBytes, now: now) else { return 0 }
        let from = appender.position
        guard let nak = outbox.begin(ReplicationNak.self, to: link.member.replicationAddress) else { return 0 }
        nak.position = from
        nak.length = max(0, gaps.gapEnd &- from)
        counters.naksSent.addRelease(1)
        gaps.nakSent(now: now)
        return 1
    }

    /// A follower's commit: the leader's, within what this member holds durably (never backwards).
    func advanceFollowerCommit() -> Int {
        guard synced else { return 0 }
        let candidate = min(leaderCommit, ownDurablePosition(), appender.position)
        guard candidate > commit else { return 0 }
        commit = candidate
        counters.chainCommit.setRelease(commit)
        return 1
    }
}
