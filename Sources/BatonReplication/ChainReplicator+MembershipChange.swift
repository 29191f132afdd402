import BatonRing

/// Membership changes by hand (`baton admin add-member` / `remove-member`):
/// the tool writes a request into this member's counters file
/// (`replication.membership.*`); the configuration log's leader turns it
/// into one configuration entry (epoch + 1), any other member answers
/// `notLeader`. The duty cycle looks with one acquire load.
///
/// - **remove** holds the member out (`ChainMembership.holdingOut`): it leaves
///   the chain at the commit of the entry (its neighbours close up; without
///   the head, its successor heads the chain and the old head's publishers
///   are redirected there — after the head handed over, `ChainReplicator+HandOver`),
///   and it does not rejoin on its own as a member removed for failing does.
///   The chain may not fall below its minimum length this way.
/// - **add** releases a held-out member (`ChainMembership.releasing`): it then
///   rejoins as every removed member does — cut, learn from the tail, join
///   as the new tail once it holds the commit (`ChainReplicator+Rejoin`), so
///   the chain grows at the tail only after catch-up.
///
/// Threading: the replicator's thread.
extension ChainReplicator {
    /// A new request in the counters: answer it, or (removing the head) hold
    /// it until the head hands over (one acquire load when there is none).
    func handleMembershipRequest(now: Int64) -> Int {
        let request = counters.membershipRequests.getAcquire()
        guard request != failover!.membershipRequestSeen else { return 0 }
        failover!.membershipRequestSeen = request
        let node = UInt32(truncatingIfNeeded: counters.membershipRequestNode.getAcquire())
        guard let kind = MembershipChangeKind(rawValue: counters.membershipRequestKind.getAcquire()) else {
            answerMembershipRequest(request, .unknownKind, proposedEpoch: 0)
            return 1
        }
        if let pending = failover!.pendingHeadRemoval {
            // A newer request replaces one still held: the held one is answered as pending.
            failover!.pendingHeadRemoval = nil
            answerMembershipRequest(pending.request, .changePending, proposedEpoch: 0)
        }
        if let refusal = refusal(of: kind, node) {
            logger.info("operator: \(kind == .add ? "add" : "remove") of node \(node) not proposed: \(refusal)")
            answerMembershipRequest(request, refusal, proposedEpoch: 0)
            return 1
        }
        let committed = failover!.log.committedMembership
        if kind == .remove, committed.head == node {
            startHeadRemoval(request: request, head: node, now: now)
            return 1
        }
        var epoch: UInt32 = 0
        let outcome = proposeOperatorChange(kind: kind, node: node, now: now, proposedEpoch: &epoch)
        answerMembershipRequest(request, outcome, proposedEpoch: epoch)
        return 1
    }

    /// Why `kind` of `node` cannot be proposed now, or nil when it can.
    private func refusal(of kind: MembershipChangeKind, _ node: UInt32) -> MembershipChangeOutcome? {
        guard membersById[node] != nil else { return .unknownMember }
        guard failover!.log.role == .leader else { return .notLeader }
        guard failover!.log.lastEntry == failover!.log.committedEntry else { return .changePending }
        let committed = failover!.log.committedMembership
        switch kind {
        case .remove:
            guard committed.contains(node) else { return .notInChain }
            guard committed.count - 1 >= committed.minimumLength else { return .belowMinimumLength }
        case .add:
            guard !committed.contains(node) else { return .alreadyInChain }
            guard committed.holdsOut(node) else { return .rejoinsOnItsOwn }
        }
        return nil
    }

    /// Proposes the change (checked again: time may have passed since it was asked).
    func proposeOperatorChange(kind: MembershipChangeKind, node: UInt32, now: Int64, proposedEpoch: inout UInt32) -> MembershipChangeOutcome {
        if let refusal = refusal(of: kind, node) { return refusal }
        let committed = failover!.log.committedMembership
        guard let next = try? (kind == .remove ? committed.holdingOut(node) : committed.releasing(node)) else { return .refused }
        switch failover!.log.propose(next, now: now) {
        case let .accepted(_, action):
            logger.warning("operator: \(kind == .add ? "adding" : "removing") node \(node): proposed \(next)")
            carryOut(action, now: now)
            proposedEpoch = next.epoch
            return .proposed
        case let .refused(reason):
            logger.info("operator change refused by the configuration log: \(reason)")
            return .refused
        }
    }

    /// Answers request `request` in the counters: outcome and epoch first, then the number handled.
    func answerMembershipRequest(_ request: Int64, _ outcome: MembershipChangeOutcome, proposedEpoch: UInt32) {
        counters.membershipOutcome.setReleaseAllowingDecrease(outcome.rawValue)
        counters.membershipProposedEpoch.setReleaseAllowingDecrease(Int64(proposedEpoch))
        counters.membershipHandled.setReleaseAllowingDecrease(request)
    }

    /// Publishes which members the chain in force holds out (a bit per cluster-file index).
    func publishHeldOutMembers(_ membership: ChainMembership) {
        var bits: Int64 = 0
        for (index, member) in configuration.members.enumerated() where membership.holdsOut(member.nodeId) {
            bits |= 1 << Int64(index)
        }
        counters.membersHeldOut.setReleaseAllowingDecrease(bits)
    }
}
