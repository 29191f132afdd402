import BatonLog
import BatonProtocol

/// A member removed from the chain comes back as its tail:
///
/// 1. **release** — if it headed the chain, it waits until its order stage has
///    seen that it no longer leads (the appender is then the replicator's);
/// 2. **cut** — it truncates its log to the last commit position it knows: every
///    member holds the same bytes up to any commit, while what follows may
///    differ from the chain's (a new head ordered there after it was
///    removed). A member that restarted knows no commit yet and cuts to its
///    log's start — it takes the whole log again (the issue suggests finding
///    the cut from epoch boundaries; this is the simple, certainly safe
///    bound, and the one to refine);
/// 3. **learn** — it takes the log from the current tail, which adopts it as
///    a *learner* successor on its first Status: it is sent everything, but
///    no commit counts it (the tail's commit fold has no successor);
/// 4. **count** — once the learner holds everything the tail ever reported
///    durable upstream and the tail's own durable log, the tail folds the learner's durable position into
///    what it reports (its commit fold gains a successor): from then on
///    nothing commits that the learner lacks;
/// 5. **join** — once it holds the tail's commit position, it asks (`Probe`
///    kind join, every 100 ms while outside) its tail, which passes the
///    request to the configuration leader once it counts the learner; the
///    leader proposes the committed chain with it appended as the tail (epoch
///    + 1). When that commits, the learner is the tail's successor in the
///    chain, with no break in the stream, and holds every committed byte
///    (a join on the learner's own word found a lost commit in the simulator:
///    seed 1129 — the commit moved on between its check and the join).
///
/// A learner that stops is dropped by the tail once its detector confirms it
/// failed (it would pin the tail's retention).
///
/// A member an operator holds out (`baton admin remove-member`) goes through
/// release and cut the same way but learns nothing (no tail takes it as a
/// learner) until an operator adds it back; then it learns and joins.
///
/// Threading: the replicator's thread.
extension ChainReplicator {
    /// How often a caught-up learner asks to be added back.
    static var joinRequestIntervalNanos: Int64 { 100_000_000 }

    /// Whether the committed membership holds this member out (an operator's removal).
    var isHeldOut: Bool { failover!.log.committedMembership.holdsOut(configuration.nodeId) }

    /// Removed from the chain: start the way back (once).
    func startRejoin() {
        guard failover != nil, case .none = failover!.rejoin else { return }
        failover!.rejoin = .releasing
        if isHeldOut {
            logger.info("node \(configuration.nodeId) was held out of the chain (epoch \(epoch)): cutting its log to the last commit it knows, then waiting to be added back")
        } else {
            logger.info("node \(configuration.nodeId) was removed from the chain (epoch \(epoch)): cutting its log to the last commit it knows, then learning from the tail to rejoin")
        }
    }

    /// One step of the way back, each duty cycle while outside the chain.
    func advanceRejoin(now: Int64) -> Int {
        switch failover!.rejoin {
        case .none:
            return 0
        case .releasing:
            guard leadership.orderStageObserved(releasedGeneration) else { return 0 }
            let position = max(commitFold.commit, log.startPosition)
            predecessor = nil
            framesPending = false
            if position < appender.position {
                logger.info("node \(configuration.nodeId) cuts its log from \(appender.position) to \(position), the last commit it knows")
                let generation = log.requestTruncation(to: position)
                resetReceived(to: position)
                failover!.rejoin = .truncating(generation: generation, position: position)
            } else {
                startLearning(cutTo: position)
            }
            return 1
        case let .truncating(generation, position):
            guard log.isTruncationComplete(generation) else { return 0 }
            startLearning(cutTo: position)
            return 1
        case let .learning(lastAsked):
            if isHeldOut {
                // Held out by an operator: learn nothing, ask nothing, until added back.
                guard predecessor != nil else { return 0 }
                predecessor = nil
                startFromNewPredecessor()
                return 1
            }
            var work = 0
            if let tail = chain.last, tail != configuration.nodeId, predecessor?.nodeId != tail {
                predecessor = membersById[tail]
                startFromNewPredecessor()
                predecessorCommit = -1
                work += 1
            }
            // Caught up: it holds the commit the tail told it (a Commit or Heartbeat from it has arrived).
            if predecessor != nil, predecessorCommit >= 0, appender.position >= predecessorCommit,
               now &- lastAsked >= Self.joinRequestIntervalNanos {
                askToJoin(now: now)
                failover!.rejoin = .learning(lastAskedNanos: now)
                work += 1
            }
            return work
        }
    }

    /// The cut is done (or was not needed): learn from the tail.
    private func startLearning(cutTo position: Int64) {
        resetReceived(to: appender.position)
        // Nothing will be sent from above the cut: the sent position must not hold a gate there.
        counters.sentPosition.setReleaseAllowingDecrease(min(counters.sentPosition.getPlain(), appender.position))
        predecessorCommit = -1  // until the tail says what its commit is
        failover!.rejoin = .learning(lastAskedNanos: .min / 2)
        if isHeldOut {
            logger.info("node \(configuration.nodeId) holds its log to \(appender.position); held out, it learns nothing until added back")
        } else {
            logger.info("node \(configuration.nodeId) holds its log to \(appender.position); learning the rest from the tail, node \(chain.last.map(String.init) ?? "?")")
        }
    }

    /// Asks its tail to pass on its join: the tail does once it counts this
    /// learner in what it reports durable (`countLearnerIfCaughtUp`).
    private func askToJoin(now: Int64) {
        guard let tail = predecessor else { return }
        sendProbe(.join, to: tail.nodeId, subject: configuration.nodeId, requester: configuration.nodeId)
    }

    /// A join request for `member`: from the learner itself to its tail (passed
    /// on once the tail counts it), or from that tail to the configuration leader.
    func onJoin(of member: UInt32, from node: UInt32, now: Int64) {
        if failover!.successorIsLearner, successor?.nodeId == member, node == member {
            guard failover!.learnerCounts else { return }
            forwardJoin(of: member, now: now)
        } else if node != member {
            onJoinRequest(from: member, now: now)
        }
    }

    /// Passes a counted learner's join to the configuration leader (every
    /// voter when none is known) — or proposes it when this member is that
    /// leader (a removed member still votes, and may lead the configuration log).
    private func forwardJoin(of member: UInt32, now: Int64) {
        if failover!.log.role == .leader {
            onJoinRequest(from: member, now: now)
        } else if let leader = failover!.log.leaderId, leader != configuration.nodeId {
            sendProbe(.join, to: leader, subject: member, requester: configuration.nodeId)
        } else {
            for voter in failover!.voters where voter != configuration.nodeId && voter != member {
                sendProbe(.join, to: voter, subject: member, requester: configuration.nodeId)
            }
        }
    }

    /// The tail's learner holds everything this tail ever reported durable
    /// upstream (and its commit): from now on the tail reports the lower of
    /// the two, so nothing more commits that the learner lacks — when its
    /// join commits, it holds every committed byte.
    func countLearnerIfCaughtUp() {
        let learnerDurable = sender.chainDurable
        // Its own durable position too: a tail that restarted has reported nothing and knows no
        // commit yet, while every commit made before is within its durable log (the simulator,
        // seed 2179 with failover: a restarted tail counted a learner 3,584 committed bytes short;
        // it joined, the old head was removed, and bit rot on the new head lost them).
        guard learnerDurable >= reportedChainDurable, learnerDurable >= commitFold.commit,
              learnerDurable >= ownDurablePosition() else { return }
        failover!.learnerCounts = true
        commitFold = CommitFold(hasPredecessor: predecessor != nil, hasSuccessor: true, start: commitFold.commit)
        logger.info("learner node \(successor?.nodeId ?? 0) holds everything this tail reported durable (\(learnerDurable)): counted from now on")
    }

    /// The configuration leader hears a counted learner's join (from its tail):
    /// proposes the committed chain with it as the new tail (one change at a time).
    func onJoinRequest(from member: UInt32, now: Int64) {
        guard failover!.log.role == .leader, failover!.log.lastEntry == failover!.log.committedEntry else { return }
        let committed = failover!.log.committedMembership
        guard !committed.contains(member), let next = try? committed.appending(member) else { return }
        switch failover!.log.propose(next, now: now) {
        case let .accepted(_, action):
            logger.info("node \(member) caught up outside the chain: proposing epoch \(next.epoch), chain \(next.members.map(String.init).joined(separator: " → "))")
            carryOut(action, now: now)
        case let .refused(reason):
            logger.debug("cannot propose adding node \(member): \(reason)")
        }
    }

    /// The tail hears a Status from a removed member: it becomes the tail's learner.
    func adoptLearner(_ member: ClusterMember) {
        successor = member
        failover!.successorIsLearner = true
        failover!.learnerCounts = false
        startToNewSuccessor(hadSuccessor: false)
        logger.info("node \(member.nodeId), outside the chain, learns the log from this tail")
    }

    /// Whether a Status from `node` makes it this tail's learner.
    @inline(__always)
    func acceptsLearner(_ node: UInt32) -> Bool {
        failover != nil && inChain && successor == nil && membersById[node] != nil && !chain.contains(node)
            && !failover!.log.committedMembership.holdsOut(node)
    }

    /// A learner the detector holds failed is dropped (it would pin retention and get resends forever).
    func dropFailedLearner() {
        guard failover!.successorIsLearner, let learner = successor,
              case .failed = failover!.detector.liveness(of: learner.nodeId) else { return }
        logger.info("learner node \(learner.nodeId) confirmed failed: no longer sending to it")
        successor = nil
        failover!.successorIsLearner = false
        if failover!.learnerCounts {
            failover!.learnerCounts = false
            commitFold = CommitFold(hasPredecessor: predecessor != nil, hasSuccessor: false, start: commitFold.commit)
        }
        startToNewSuccessor(hadSuccessor: true)
    }
}
