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
///   are redirected there), and it does not rejoin on its own as a member
///   removed for failing does. The chain may not fall below its minimum
///   length this way.
/// - **add** releases a held-out member (`ChainMembership.releasing`): it then
///   rejoins as every removed member does — cut, learn from the tail, join
///   as the new tail once it holds the commit (`ChainReplicator+Rejoin`), so
///   the chain grows at the tail only after catch-up.
///
/// Threading: the replicator's thread.
extension ChainReplicator {
    /// A new request in the counters: answer it (one acquire load when there is none).
    func handleMembershipRequest(now: Int64) -> Int {
        let request = counters.membershipRequests.getAcquire()
        guard request != failover!.membershipRequestSeen else { return 0 }
        failover!.membershipRequestSeen = request
        let node = UInt32(truncatingIfNeeded: counters.membershipRequestNode.getAcquire())
        let kind = MembershipChangeKind(rawValue: counters.membershipRequestKind.getAcquire())
        var proposedEpoch: UInt32 = 0
        let outcome = changeMembership(kind, of: node, now: now, proposedEpoch: &proposedEpoch)
        if outcome == .proposed {
            logger.warning("operator: \(kind == .add ? "adding" : "removing") node \(node): proposed epoch \(proposedEpoch), \(failover!.log.lastEntry.membership)")
        } else {
            logger.info("operator: \(kind.map { $0 == .add ? "add" : "remove" } ?? "unknown change") of node \(node) not proposed: \(outcome)")
        }
        counters.membershipOutcome.setReleaseAllowingDecrease(outcome.rawValue)
        counters.membershipProposedEpoch.setReleaseAllowingDecrease(Int64(proposedEpoch))
        counters.membershipHandled.setReleaseAllowingDecrease(request)
        return 1
    }

    /// The membership `kind` asks for, proposed when this member leads the configuration log.
    private func changeMembership(_ kind: MembershipChangeKind?, of node: UInt32, now: Int64,
                                  proposedEpoch: inout UInt32) -> MembershipChangeOutcome {
        guard let kind else { return .unknownKind }
        guard membersById[node] != nil else { return .unknownMember }
        guard failover!.log.role == .leader else { return .notLeader }
        guard failover!.log.lastEntry == failover!.log.committedEntry else { return .changePending }
        let committed = failover!.log.committedMembership
        let next: ChainMembership
        switch kind {
        case .remove:
            guard committed.contains(node) else { return .notInChain }
            guard committed.count - 1 >= committed.minimumLength else { return .belowMinimumLength }
            guard let change = try? committed.holdingOut(node) else { return .refused }
            next = change
        case .add:
            guard !committed.contains(node) else { return .alreadyInChain }
            guard committed.holdsOut(node) else { return .rejoinsOnItsOwn }
            guard let change = try? committed.releasing(node) else { return .refused }
            next = change
        }
        switch failover!.log.propose(next, now: now) {
        case let .accepted(_, action):
            carryOut(action, now: now)
            proposedEpoch = next.epoch
            return .proposed
        case let .refused(reason):
            logger.info("operator change refused by the configuration log: \(reason)")
            return .refused
        }
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
