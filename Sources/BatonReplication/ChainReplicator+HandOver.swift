import BatonProtocol

/// Removing the head by hand hands over cleanly first:
///
/// 1. the configuration leader, asked to remove the head, holds the removal
///    and sends the head `Probe` kind handOver (every heartbeat interval);
/// 2. the head pauses its order stage (the gate publishes `waiting`:
///    publishes wait, none is refused) and, once the order stage has seen the
///    pause and its successor reports holding everything it appended, answers
///    handedOver (every heartbeat interval while paused);
/// 3. the leader proposes the chain without the head (held out); at its
///    commit the successor heads the chain already holding every byte the old
///    head ordered, and the old head's waiting publishers are redirected.
///
/// Bounded: the leader proposes anyway after twice the failure time (a head
/// that cannot hand over is removed as a failed one would be — safe), and a
/// head resumes ordering after four times the failure time if no removal came.
///
/// Threading: the replicator's thread.
extension ChainReplicator {
    /// How long the leader waits for the head to hand over before proposing anyway.
    var handOverWaitNanos: Int64 { 2 * failover!.detector.configuration.failureTimeNanos }
    /// How long a head stays paused waiting for its removal.
    var handOverPauseNanos: Int64 { 4 * failover!.detector.configuration.failureTimeNanos }

    /// The leader: hold an operator's removal of the head until it hands over.
    func startHeadRemoval(request: Int64, head: UInt32, now: Int64) {
        failover!.pendingHeadRemoval = PendingHeadRemoval(request: request, head: head, epoch: failover!.log.committedMembership.epoch,
                                                          proposeByNanos: now &+ handOverWaitNanos, lastAskedNanos: .min / 2)
        logger.info("operator: removing the head, node \(head): asking it to hand over first")
    }

    /// The leader's share of a duty cycle while a head removal is held.
    func advanceHeadRemoval(now: Int64) -> Int {
        guard let pending = failover!.pendingHeadRemoval else { return 0 }
        guard failover!.log.role == .leader else {
            failover!.pendingHeadRemoval = nil
            answerMembershipRequest(pending.request, .notLeader, proposedEpoch: 0)
            return 1
        }
        let committed = failover!.log.committedMembership
        guard committed.epoch == pending.epoch, committed.head == pending.head else {
            failover!.pendingHeadRemoval = nil
            answerMembershipRequest(pending.request, .changePending, proposedEpoch: 0)
            return 1
        }
        if pending.handedOver || now >= pending.proposeByNanos {
            failover!.pendingHeadRemoval = nil
            if !pending.handedOver {
                logger.warning("operator: node \(pending.head) did not hand over within \(handOverWaitNanos / 1_000_000) ms; removing it anyway (what it ordered and did not forward is sent again by its publishers)")
            }
            var epoch: UInt32 = 0
            let outcome = proposeOperatorChange(kind: .remove, node: pending.head, now: now, proposedEpoch: &epoch)
            answerMembershipRequest(pending.request, outcome, proposedEpoch: epoch)
            return 1
        }
        guard now &- pending.lastAskedNanos >= configuration.heartbeatIntervalNanos else { return 0 }
        failover!.pendingHeadRemoval!.lastAskedNanos = now
        if pending.head == configuration.nodeId {
            onHandOverRequest(from: configuration.nodeId, now: now)
        } else {
            sendProbe(.handOver, to: pending.head, subject: pending.head, requester: configuration.nodeId)
        }
        return 1
    }

    /// The leader hears the head handed over.
    func onHandedOver(by head: UInt32) {
        guard let pending = failover!.pendingHeadRemoval, pending.head == head, !pending.handedOver else { return }
        failover!.pendingHeadRemoval!.handedOver = true
        logger.info("operator: node \(head) handed over (its successor holds everything it ordered)")
    }

    /// The head is asked to hand over by `leader`: pause ordering (once).
    func onHandOverRequest(from leader: UInt32, now: Int64) {
        guard inChain, predecessor == nil, successor != nil, !catchUp.isCatchingUp else { return }
        if failover!.handOver != nil {
            failover!.handOver!.requester = leader
            return
        }
        let generation = leadership.publish(.waiting, leader: configuration.nodeId, keepsAcks: true)
        failover!.handOver = HeadHandOver(requester: leader, pauseGeneration: generation, resumeAtNanos: now &+ handOverPauseNanos)
        logger.warning("node \(configuration.nodeId) hands over before an operator removes it: ordering paused (publishes wait) until its successor holds everything")
    }

    /// The head's share of a duty cycle while handing over: say when it has,
    /// end the pause when the removal came (it is no longer the head) or did not.
    func advanceHandOver(now: Int64) -> Int {
        guard let handOver = failover!.handOver else { return 0 }
        guard inChain, predecessor == nil, successor != nil else {
            failover!.handOver = nil  // removed (or the chain changed under it): the reconfiguration set the gate
            return 1
        }
        if now >= handOver.resumeAtNanos {
            failover!.handOver = nil
            logger.warning("node \(configuration.nodeId) was not removed within \(handOverPauseNanos / 1_000_000) ms of handing over: ordering again")
            leadership.publish(headLeadership(), leader: configuration.nodeId, keepsAcks: true)
            return 1
        }
        let end = appender.position
        guard leadership.orderStageObserved(handOver.pauseGeneration), sender.stagedPosition >= end,
              counters.successorReceived.getPlain() >= end,
              now &- handOver.lastToldNanos >= configuration.heartbeatIntervalNanos else { return 0 }
        failover!.handOver!.lastToldNanos = now
        if handOver.requester == configuration.nodeId {
            onHandedOver(by: configuration.nodeId)
        } else {
            sendProbe(.handedOver, to: handOver.requester, subject: configuration.nodeId, requester: handOver.requester)
        }
        return 1
    }
}
