import BatonLog

/// A chain that changes at run time: a committed configuration (a later
/// epoch, its members in order, its minimum length) replaces the one in
/// force, and each member takes the role its place in the new chain gives it
/// (the repair cases of van Renesse and Schneider's chain replication):
///
/// - **a new head** (its predecessor failed), or a head still taking its log
///   back (after a restart) whose successor changed: it already holds everything the
///   old head forwarded, and its log holds its successor's (members forward
///   only durable bytes). It publishes the whole frames it had received,
///   drops a partial one, and starts as a restarted head does: `waiting`
///   until its successor's first Status shows it is not behind (else it pulls
///   the difference back, `HeadCatchUp`), then leading — the order stage
///   records the producers of the frames it did not order, so resends of
///   them are acknowledged, not logged twice;
/// - **a new successor** (the old one failed): the sender starts afresh and
///   the successor's first Status sends it back to that successor's received
///   position (the log is the "Sent" list: go-back-N through a
///   `LogResendCursor`, from the buffer or the segments);
/// - **no successor any more** (the tail failed): this member's durable
///   position is the chain's; the sent position follows the log;
/// - **a new predecessor**: gap state and the Status schedule start afresh,
///   so a Status tells it at once where to send from;
/// - **not in the chain** (removed): it stops replicating and refuses
///   publishes naming the new head; nothing it ordered before is acknowledged
///   any more (the gate's generation moves past its ack requests). With
///   failover it then rejoins as the tail (`ChainReplicator+Rejoin`).
///
/// A head of a chain shorter than the minimum refuses publishes with
/// `notEnoughReplicas`: nothing it acknowledges is ever durable on fewer
/// members than that.
///
/// Datagrams of another epoch are dropped (`ReplicationDatagramCheck`), so
/// a member that has not applied the new configuration yet neither takes
/// data from nor acknowledges to a member that has.
///
/// Threading: the replicator's thread (`reconfigure` is called from its duty
/// cycle, or between duty cycles by a test that drives it).
extension ChainReplicator {
    /// Applies a committed configuration of a later epoch. Every id must be a configured member.
    public func reconfigure(epoch newEpoch: UInt32, chain newChain: [UInt32], minimumLength newMinimum: Int, now: Int64) {
        precondition(newEpoch > epoch, "epoch \(newEpoch) does not follow \(epoch)")
        precondition(!newChain.isEmpty && Set(newChain).count == newChain.count && newChain.allSatisfy { membersById[$0] != nil },
                     "chain \(newChain) names an unknown member or one twice")
        precondition(newMinimum >= 1, "minimum chain length \(newMinimum)")
        let nodeId = configuration.nodeId
        let wasLeading = inChain && predecessor == nil
        let oldPredecessor = predecessor?.nodeId
        let oldSuccessor = successor?.nodeId
        // Whole frames already received from the old predecessor are valid (it
        // forwards only durable bytes): keep them; a partial frame is dropped.
        if oldPredecessor != nil && framesPending { _ = publishReceivedFrames(now: now) }
        logger.info("configuration epoch \(newEpoch): chain \(newChain.map(String.init).joined(separator: " → ")) (was epoch \(epoch): \(chain.map(String.init).joined(separator: " → "))), minimum length \(newMinimum)")
        epoch = newEpoch
        chain = newChain
        minimumLength = newMinimum
        outbox.epoch = newEpoch
        counters.epoch.setRelease(Int64(newEpoch))
        let index = newChain.firstIndex(of: nodeId)
        inChain = index != nil
        predecessor = index.flatMap { $0 > 0 ? membersById[newChain[$0 - 1]] : nil }
        successor = index.flatMap { $0 + 1 < newChain.count ? membersById[newChain[$0 + 1]] : nil }
        counters.role.setReleaseAllowingDecrease(roleInChain.code)

        if predecessor?.nodeId != oldPredecessor { startFromNewPredecessor() }
        if successor?.nodeId != oldSuccessor { startToNewSuccessor(hadSuccessor: oldSuccessor != nil) }
        commitFold = CommitFold(hasPredecessor: predecessor != nil, hasSuccessor: successor != nil, start: commitFold.commit)

        let head = newChain[0]
        if !inChain || predecessor != nil {
            catchUp = HeadCatchUp(headWithSuccessor: false, heartbeatIntervalNanos: configuration.heartbeatIntervalNanos)
            if wasLeading || leadership.current != .following || leadership.leaderId.getAcquire() != Int64(head) {
                let generation = leadership.publish(.following, leader: head)
                // The order stage may still be appending: the appender is this agent's only once it has seen the change.
                if wasLeading { releasedGeneration = generation }
            }
        } else if !wasLeading || (catchUp.isCatchingUp && successor?.nodeId != oldSuccessor) {
            // A new head: not before its successor shows it is not behind. (Or a head
            // taking its log back whose successor changed: from the new one, afresh —
            // the old one's end may be more than the new one holds.)
            catchUp = HeadCatchUp(headWithSuccessor: successor != nil, heartbeatIntervalNanos: configuration.heartbeatIntervalNanos)
            resetReceived(to: appender.position)
            leadership.publish(catchUp.isCatchingUp ? .waiting : headLeadership(), leader: nodeId)
        } else if !catchUp.isCatchingUp {
            // Still the head: its chain grew or shrank past the minimum, or a successor changed.
            let wanted = headLeadership()
            if leadership.current != wanted { leadership.publish(wanted, leader: nodeId, keepsAcks: true) }
        }
    }

    /// What a head publishes once it knows it is not behind: leading, or
    /// refusing writes while the chain is shorter than its minimum, or (with
    /// failover) while it hears no majority of the members — a head that
    /// resumes after a pause must not lead on an old epoch's word before it
    /// has heard whether it was replaced. (A function, not a property: the
    /// last case marks the member fenced, and `checkFencing` lifts that.)
    func headLeadership() -> Leadership {
        if chain.count < minimumLength { return .tooFewReplicas }
        if failover != nil {
            let now = clock.monotonicNanos()
            if failover!.fenced || !failover!.detector.reachesMajority(of: failover!.voters, within: failover!.fencingWindowNanos, now: now) {
                if !failover!.fenced {
                    failover!.fenced = true
                    counters.fenced.setRelease(1)
                }
                return .tooFewReplicas
            }
            // Handing over before an operator's removal: ordering stays paused.
            if failover!.handOver != nil { return .waiting }
        }
        return .leading
    }

    /// This member's role in the chain in force.
    var roleInChain: ChainRole {
        guard inChain else { return .outside }
        if chain.count == 1 { return .single }
        if predecessor == nil { return .head }
        return successor == nil ? .tail : .middle
    }

    /// A different predecessor (or none): received-but-unpublished bytes are
    /// dropped, gap and Status state start afresh (a Status goes out at once),
    /// and any answer to the old predecessor's Pull stops.
    func startFromNewPredecessor() {
        resetReceived(to: appender.position)
        framesPending = false
        gaps = GapDetector(nakDelayNanos: configuration.nakDelayNanos,
                           maximumBackoffNanos: max(configuration.heartbeatIntervalNanos, configuration.nakDelayNanos))
        statusSchedule = StatusSchedule(heartbeatIntervalNanos: configuration.heartbeatIntervalNanos)
        pusher.stop()
    }

    /// A different successor (or none): the sender starts afresh from what
    /// was staged (or, for a member that had none, its durable position — only
    /// durable bytes are ever forwarded); the new successor's first Status
    /// sends it back to where that successor is.
    func startToNewSuccessor(hadSuccessor: Bool) {
        resender.stop()
        repairer.stop()
        requested.removeAll()
        let staged = hadSuccessor ? sender.stagedPosition : ownDurablePosition()
        sender = SuccessorSender(stagedPosition: staged, heartbeatIntervalNanos: configuration.heartbeatIntervalNanos)
        // The sent position (a gating position of the log buffer) never goes
        // back: datagrams still in the outbox may point into the buffer, and a
        // lower gate would only stall the appender (a head taking its log back
        // through a buffer smaller than the difference — seed 133 with failover).
        // Resends to the new successor read through the resend cursor.
        counters.successorReceived.setReleaseAllowingDecrease(successor == nil ? .max : log.startPosition)
        counters.successorChainDurable.setReleaseAllowingDecrease(0)
    }
}
