import BatonLog
import BatonNet
import BatonProtocol

extension RaftReplicator {
    /// Election timers: check-quorum while leading; a pre-vote round when a
    /// follower's deadline passes (not while its log is being cut).
    func tickElection(now: Int64) -> Int {
        let mayStand = truncationGeneration == 0 && pendingSync == nil
        let action = election.tick(now: now, mayStand: mayStand)
        return apply(action, now: now)
    }

    /// Carries out what the election decided.
    @discardableResult
    func apply(_ action: RaftElectionAction, now: Int64) -> Int {
        switch action {
        case .none:
            return 0
        case let .requestPreVotes(term):
            raftCounters.preVotesStarted.addRelease(1)
            // The old leader is gone for this member: stop naming it, stop taking its stream.
            if synced || leadership.leaderId.getPlain() >= 0 { becameFollower() }
            counters.role.setReleaseAllowingDecrease(election.role.code)
            requestVotes(proposedTerm: term, preVote: true)
            return 1
        case let .requestVotes(term):
            // Term and self-vote durable before anyone is asked.
            guard persistState() else { return 1 }
            raftCounters.electionsStarted.addRelease(1)
            counters.role.setReleaseAllowingDecrease(election.role.code)
            logger.info("raft: node \(configuration.nodeId) stands for election in term \(term)\(handOver ? " (handed over by the leader)" : "")")
            requestVotes(proposedTerm: term, preVote: false, transfer: handOver)
            handOver = false
            return 1
        case let .becomeLeader(term):
            // (Leading starts in `startLeadingIfReady`, which first makes the term and vote durable if they are not.)
            raftCounters.electionsWon.addRelease(1)
            becameLeader(term: term, now: now)
            return 1
        case .stepDown:
            stoppedLeading(now: now)
            return 1
        }
    }

    func requestVotes(proposedTerm: UInt64, preVote: Bool, transfer: Bool = false) {
        let (lastTerm, end) = ownLogEnd()
        for link in links {
            guard let request = outbox.begin(ReplicationVoteRequest.self, to: link.member.replicationAddress) else { return }
            request.header.epoch = UInt32(truncatingIfNeeded: proposedTerm)
            request.lastTerm = lastTerm
            request.lastPosition = end
            request.flags = 0
            request.isPreVote = preVote
            request.isTransfer = transfer
        }
    }

    /// Won the election: links start afresh; the term's marker and the
    /// gate wait until the order stage has let go of the appender.
    func becameLeader(term: UInt64, now: Int64) {
        logger.info("raft: node \(configuration.nodeId) leads term \(term)")
        counters.role.setReleaseAllowingDecrease(RaftRole.leader.code)
        raftCounters.leaderId.setReleaseAllowingDecrease(Int64(configuration.nodeId))
        let end = logCounters.appended.getAcquire()
        for link in links { link.reset(stagedPosition: end) }
        synced = false
        pendingSync = nil
        leaderStartPending = true
        termStart = -1
        _ = startLeadingIfReady(now: now)
    }

    /// Appends the term's marker (after recording the term's start durably)
    /// and opens the gate, once the appender is this agent's and no
    /// truncation is under way.
    func startLeadingIfReady(now: Int64) -> Int {
        guard leaderStartPending, truncationGeneration == 0, leadership.orderStageObserved(releasedGeneration) else { return 0 }
        let start = appender.position
        if termIndex.lastTerm(logEnd: Int64.max) != election.term {
            var index = termIndex
            index.append(term: election.term, start: start)
            guard persistState(termIndex: index) else { return 0 }
        } else {
            guard persistIfNeeded() else { return 0 }
        }
        guard appender.tryAppendMarker() else { return 0 }
        termStart = start
        leaderStartPending = false
        zeroCopyFloor = max(zeroCopyFloor, start)
        counters.sentPosition.setRelease(zeroCopyFloor)
        leadership.publish(.leading, leader: configuration.nodeId)
        return 1
    }

    /// Stopped leading (check-quorum, a later term): the gate refuses
    /// publishes at once; the appender comes back once the order stage saw it.
    func stoppedLeading(now: Int64) {
        logger.info("raft: node \(configuration.nodeId) stops leading term \(election.term)")
        raftCounters.stepDowns.addRelease(1)
        leaderStartPending = false
        termStart = -1
        endTransfer(resumeOrdering: false)
        for link in links { link.resender.stop() }
        becameFollower()
    }

    /// The member follows (the leader may be unknown): publish the gate and
    /// start the follower's state afresh.
    func becameFollower() {
        counters.role.setReleaseAllowingDecrease(election.role.code)
        raftCounters.leaderId.setReleaseAllowingDecrease(election.leaderId.map(Int64.init) ?? -1)
        releasedGeneration = leadership.publish(.following, leader: election.leaderId)
        appenderSettled = false
        synced = false
        pendingSync = nil
        leaderCommit = commit
        lastSyncRequestNanos = .min
    }

    /// After the election moved (`changed`: a later term, a new leader, a
    /// lost candidacy), the replicator follows it — a leader stops leading,
    /// anyone else starts following afresh — then makes the term and vote
    /// durable if they changed. False when that write failed: the caller
    /// sends nothing that depends on it.
    func followElection(wasLeader: Bool, changed: Bool, now: Int64) -> Bool {
        if changed {
            if wasLeader { stoppedLeading(now: now) } else { becameFollower() }
        }
        return persistIfNeeded()
    }

    /// Applies a message's term; a later one makes this member a follower (persisted). False when persisting failed.
    func observe(term: UInt64, now: Int64) -> Bool {
        let wasLeader = election.role == .leader
        let termBefore = election.term
        _ = election.observe(term: term, now: now)
        return followElection(wasLeader: wasLeader, changed: election.term != termBefore, now: now)
    }

    /// A VoteRequest: answer (after persisting a vote or a new term).
    func onVoteRequest(_ request: ReplicationVoteRequest, from peer: RaftFollowerLink, now: Int64) {
        let candidate = peer.member.nodeId
        let proposed = UInt64(request.header.epoch)
        let preVote = request.isPreVote
        let termBefore = election.term
        let wasLeader = election.role == .leader
        let (lastTerm, end) = ownLogEnd()
        let granted = election.decideVote(candidate: candidate, proposedTerm: proposed, lastTerm: request.lastTerm,
                                          lastPosition: request.lastPosition, preVote: preVote, transfer: request.isTransfer,
                                          ownLastTerm: lastTerm, ownEnd: end, now: now)
        guard followElection(wasLeader: wasLeader, changed: election.term != termBefore, now: now),
              let response = outbox.begin(ReplicationVoteResponse.self, to: peer.member.replicationAddress) else { return }
        // A pre-vote answer names the proposed term when granted (so the asker matches it), else this member's term.
        response.header.epoch = UInt32(truncatingIfNeeded: preVote && granted ? proposed : election.term)
        response.flags = 0
        response.isGranted = granted
        response.isPreVote = preVote
    }

    /// A VoteResponse: counts towards the round it answers; a later term makes this member follow.
    func onVoteResponse(_ response: ReplicationVoteResponse, from voter: UInt32, now: Int64) {
        let term = UInt64(response.header.epoch)
        if response.isPreVote {
            if response.isGranted {
                apply(election.onPreVoteResponse(from: voter, proposedTerm: term, granted: true, now: now), now: now)
            } else if term > election.term {
                _ = observe(term: term, now: now)
            }
            return
        }
        if term > election.term {
            _ = observe(term: term, now: now)
            return
        }
        apply(election.onVoteResponse(from: voter, voteTerm: term, granted: response.isGranted, now: now), now: now)
    }

    /// A message from a member that says it leads `term`: false (and it is
    /// told this member's term) when stale. A new leader resets following.
    func acceptLeaderMessage(from peer: RaftFollowerLink, term: UInt64, now: Int64, answerIfStale: Bool) -> Bool {
        let leader = peer.member.nodeId
        let wasLeader = election.role == .leader
        let roleBefore = election.role
        let leaderBefore = election.leaderId
        let termBefore = election.term
        guard election.onLeaderMessage(from: leader, term: term, now: now) else {
            if answerIfStale, term < election.term,
               let response = outbox.begin(ReplicationVoteResponse.self, to: peer.member.replicationAddress) {
                response.header.epoch = UInt32(truncatingIfNeeded: election.term)
                response.flags = 0
            }
            return false
        }
        let changed = wasLeader || roleBefore != election.role || leaderBefore != election.leaderId || termBefore != election.term
        return followElection(wasLeader: wasLeader, changed: changed, now: now)
    }

    /// The leader hands over to this member: stand now (voters grant it even while they hear the leader).
    func onTimeoutNow(from leader: UInt32, now: Int64) {
        guard election.role == .follower, election.leaderId == leader, synced, truncationGeneration == 0 else { return }
        handOver = true
        apply(election.timeoutNow(now: now), now: now)
        handOver = false
    }

    /// A planned stop of the leader (the node stopping: SIGTERM): let the
    /// most up-to-date follower catch up (bounded by the minimum election
    /// timeout), then tell it to stand, so the cluster has a new leader in
    /// one round trip instead of an election timeout.
    func handOverLeadership() {
        guard election.role == .leader, termStart >= 0, !links.isEmpty else { return }
        let deadline = clock.monotonicNanos() &+ configuration.electionTimeoutMinimumNanos
        var best = links[0]
        // Bounded by time and by rounds (a clock that does not move, as in a simulation, must not hang the stop).
        for _ in 0..<1_000_000 {
            let now = clock.monotonicNanos()
            _ = receive(now: now)
            guard election.role == .leader else { return }
            _ = advanceLeaderCommit()
            _ = transmit(now: now)
            if outbox.pendingCount > 0 { _ = flush() }
            let end = logCounters.appended.getAcquire()
            best = mostUpToDateFollower!
            if (best.synced && best.durable >= end) || now >= deadline { break }
        }
        guard best.synced, sendTimeoutNow(to: best, why: "before stopping") else { return }
        _ = flush()
    }

    /// Tells `link`'s member to stand now (TimeoutNow, this term) and counts
    /// the hand-over; false when the outbox has no room (try again later).
    func sendTimeoutNow(to link: RaftFollowerLink, why: StaticString) -> Bool {
        guard let message = outbox.begin(ReplicationTimeoutNow.self, to: link.member.replicationAddress) else { return false }
        message.header.epoch = UInt32(truncatingIfNeeded: election.term)
        raftCounters.handOvers.addRelease(1)
        logger.info("raft: node \(configuration.nodeId) hands leadership of term \(election.term) to node \(link.member.nodeId) (durable to \(link.durable)) \(why)")
        return true
    }

    /// The follower a hand-over goes to: the synced one durable furthest (the first, among equals).
    var mostUpToDateFollower: RaftFollowerLink? {
        links.max { ($0.synced ? $0.durable : -1) < ($1.synced ? $1.durable : -1) }
    }

    func link(of nodeId: UInt32) -> RaftFollowerLink? {
        for link in links where link.member.nodeId == nodeId { return link }
        return nil
    }
}
