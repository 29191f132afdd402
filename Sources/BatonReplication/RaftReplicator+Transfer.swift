import BatonProtocol

extension RaftReplicator {
    /// A leadership transfer under way on this leader: its order stage is
    /// paused (the gate `waiting` under `pauseGeneration`, earlier requests
    /// still ackable) until `target` holds the whole log durably, then the
    /// target is sent TimeoutNow — or the deadline passes and ordering resumes.
    struct LeadershipTransfer {
        var target: RaftFollowerLink
        /// The request this transfer answers (the latest, if asked again meanwhile).
        var request: Int64
        var pauseGeneration: Int64
        var deadline: Int64
        /// TimeoutNow went out (and the request was answered): wait for the target's vote request.
        var handedOver = false
    }

    /// A request from `baton admin transfer-leadership` (the `raft.transfer.requests`
    /// counter moved): start a transfer, or answer why not. One acquire load per cycle otherwise.
    func pollTransferRequest(now: Int64) -> Int {
        let request = raftCounters.transferRequests.getAcquire()
        guard request != transferRequestSeen else { return 0 }
        transferRequestSeen = request
        if let under = transfer {
            // Asked again while one is under way: that one's outcome answers this request too.
            if under.handedOver { answerTransfer(request, .handedOver) } else { transfer?.request = request }
            return 1
        }
        guard election.role == .leader, termStart >= 0 else {
            answerTransfer(request, .notLeader)
            return 1
        }
        let named = raftCounters.transferTarget.getAcquire()
        let target: RaftFollowerLink?
        if named >= 0 {
            target = links.first { Int64($0.member.nodeId) == named }
        } else {
            target = mostUpToDateFollower
        }
        guard let target else {
            answerTransfer(request, .unknownTarget)
            return 1
        }
        let generation = leadership.publish(.waiting, leader: configuration.nodeId, keepsAcks: true)
        transfer = LeadershipTransfer(target: target, request: request, pauseGeneration: generation,
                                      deadline: now &+ configuration.electionTimeoutMinimumNanos)
        logger.info("raft: node \(configuration.nodeId) pauses ordering to hand leadership of term \(election.term) to node \(target.member.nodeId)")
        return 1
    }

    /// Once the order stage has stopped appending and the target holds the
    /// whole log durably: TimeoutNow. Past the deadline: resume ordering.
    func advanceTransfer(now: Int64) -> Int {
        guard let transfer else { return 0 }
        let end = logCounters.appended.getAcquire()
        if !transfer.handedOver, leadership.orderStageObserved(transfer.pauseGeneration), transfer.target.synced, transfer.target.durable >= end,
           sendTimeoutNow(to: transfer.target, why: "on request") {
            answerTransfer(transfer.request, .handedOver)
            // The target stands now; if this member still leads after another timeout, it resumes.
            self.transfer?.deadline = now &+ configuration.electionTimeoutMinimumNanos
            self.transfer?.handedOver = true
            return 1
        }
        guard now >= transfer.deadline else { return 0 }
        if !transfer.handedOver {
            answerTransfer(transfer.request, .targetBehind)
            logger.warning("raft: node \(transfer.target.member.nodeId) did not hold the whole log within an election timeout; node \(configuration.nodeId) resumes ordering")
        } else {
            logger.warning("raft: node \(transfer.target.member.nodeId) was handed leadership but no vote request came; node \(configuration.nodeId) resumes ordering")
        }
        endTransfer(resumeOrdering: true)
        return 1
    }

    /// The transfer ends: the leader orders again (same positions: its earlier
    /// requests stay ackable), or it stepped down (the follower path publishes the gate).
    func endTransfer(resumeOrdering: Bool) {
        guard transfer != nil else { return }
        transfer = nil
        if resumeOrdering { leadership.publish(.leading, leader: configuration.nodeId, keepsAcks: true) }
    }

    func answerTransfer(_ request: Int64, _ outcome: RaftTransferOutcome) {
        raftCounters.transferOutcome.setReleaseAllowingDecrease(outcome.rawValue)
        raftCounters.transfersHandled.setReleaseAllowingDecrease(request)
    }
}
