import BatonLog
import BatonNet
import BatonProtocol

/// Automatic failover, when the chain has it (`ReplicationConfiguration.failover`):
///
/// - every configured member keeps the **configuration log** (`ConfigurationLog`:
///   Raft's elections over whole memberships) and answers its messages over
///   the replication socket; its state is written to `chain-config` before
///   anything that depends on it is sent or applied;
/// - every member runs a **failure detector** (`FailureDetector`): any
///   datagram from a member counts as hearing it; a member silent for the
///   suspicion time is probed indirectly through others, and confirmed
///   failed only when those fail too;
/// - the configuration log's **leader** proposes, one at a time, the
///   committed chain without a member its detector confirmed failed (epoch + 1);
/// - every member applies each **committed** membership to the data path
///   (`reconfigure`): the repair cases are there;
/// - a **head that hears no majority** of the voters for the fencing window
///   (half the failure time), or whose chain is at its minimum length with a
///   member failed (such a member is not removed), refuses writes
///   (`notEnoughReplicas`) until that ends: the others
///   may have replaced it. (Safety does not rest on this: the members of a
///   later epoch drop its data, so it cannot commit anything new.)
///
/// - a **removed member rejoins** as the tail (`ChainReplicator+Rejoin`).
///
/// - an operator **adds or removes** a member by hand (`ChainReplicator+MembershipChange`).
///
/// Threading: the replicator's thread.
extension ChainReplicator {
    /// Failover's share of a duty cycle: the configuration log's and the
    /// detector's timers, a proposal if one is due, fencing.
    func runFailover(now: Int64) -> Int {
        guard failover != nil else { return 0 }
        var work = 0
        let action = failover!.log.tick(now: now)
        work += carryOut(action, now: now)
        failover!.detector.tick(now: now, into: &detectorActions)
        if !detectorActions.isEmpty { work += carryOutDetectorActions(now: now) }
        work += proposeRemovalIfDue(now: now)
        work += handleMembershipRequest(now: now)
        work += advanceHeadRemoval(now: now)
        work += advanceHandOver(now: now)
        if now >= failover!.nextFencingCheckNanos {
            checkFencing(now: now)
            if failover!.successorIsLearner { dropFailedLearner() }
        }
        if !inChain { work += advanceRejoin(now: now) }
        return work
    }

    /// A configuration-log or detector datagram (types that cross epochs).
    func onFailoverDatagram(_ type: ReplicationProtocol.MessageType, from node: UInt32,
                            _ address: UnsafeMutableRawPointer, now: Int64) {
        guard failover != nil, membersById[node] != nil, node != configuration.nodeId else {
            counters.droppedNotPeer.addRelease(1)
            return
        }
        counters.configurationMessages.addRelease(1)
        let term = UInt64(ReplicationHeader(address).epoch)
        switch type {
        case .voteRequest:
            let request = ReplicationVoteRequest(address)
            let message = ConfigurationVoteRequest(candidate: node, proposedTerm: term, lastTerm: request.lastTerm,
                                                   lastIndex: UInt64(request.lastPosition), isPreVote: request.isPreVote)
            carryOut(failover!.log.receive(.voteRequest(message), now: now), now: now)
        case .voteResponse:
            let response = ReplicationVoteResponse(address)
            let message = ConfigurationVoteResponse(voter: node, term: term, granted: response.isGranted, isPreVote: response.isPreVote)
            carryOut(failover!.log.receive(.voteResponse(message), now: now), now: now)
        case .configAppend:
            let append = ReplicationConfigAppend(address)
            // The leader repeats its entries every heartbeat: the memberships this member
            // already holds are reused, not decoded again (no allocation per heartbeat).
            guard let entry = knownMembership(append.entryMembership) ?? Self.membership(append.entryMembership),
                  let committed = knownMembership(append.committedMembership) ?? Self.membership(append.committedMembership) else {
                counters.droppedMalformed.addRelease(1)
                return
            }
            let message = ConfigurationAppend(
                term: term, leaderId: node,
                entry: ConfigurationEntry(index: append.entryIndex, term: append.entryTerm, membership: entry),
                committedEntry: ConfigurationEntry(index: append.committedIndex, term: append.committedTerm, membership: committed))
            carryOut(failover!.log.receive(.append(message), now: now), now: now)
        case .configAppendAck:
            let ack = ReplicationConfigAppendAck(address)
            let message = ConfigurationAppendAck(term: term, follower: node, matchedIndex: ack.matchedIndex,
                                                 matchedTerm: ack.matchedTerm, success: ack.isSuccess)
            carryOut(failover!.log.receive(.appendAck(message), now: now), now: now)
        case .probe:
            onProbe(ReplicationProbe(address), from: node, now: now)
        default:
            counters.droppedNotPeer.addRelease(1)
        }
    }

    /// Any valid datagram from a configured member: the detector heard it.
    @inline(__always)
    func failoverHeard(from node: UInt32, now: Int64) {
        guard failover != nil else { return }
        failover!.detector.heard(from: node, now: now)
    }

    // MARK: - The configuration log

    /// Persists what the log changed, sends what it asks, and applies a newly
    /// committed membership. Returns 1 if anything happened.
    @discardableResult
    func carryOut(_ action: ConfigurationLogAction, now: Int64) -> Int {
        guard persistConfigurationIfNeeded() else { return 1 }
        publishConfigurationCounters()
        applyCommittedMembershipIfNew(now: now)
        switch action {
        case .none:
            return 0
        case let .broadcast(message):
            for voter in failover!.voters where voter != configuration.nodeId { send(message, to: voter) }
            return 1
        case let .send(message, to: voter):
            send(message, to: voter)
            return 1
        }
    }

    /// Writes `chain-config` when the log changed it (Raft's rule: durable
    /// before anything that depends on it leaves). False when the write failed.
    func persistConfigurationIfNeeded() -> Bool {
        guard failover!.log.needsPersisting else { return true }
        do {
            try ConfigurationStateFile.write(failover!.log.persistentState, directory: log.configuration.directory, fileSystem: log.fileSystem)
            failover!.log.persisted()
            if failover!.persistFailed {
                failover!.persistFailed = false
                logger.info("configuration state written again")
            }
            return true
        } catch {
            if !failover!.persistFailed { logger.error("cannot write the configuration state (\(error)); sending nothing that depends on it until it can") }
            failover!.persistFailed = true
            return false
        }
    }

    /// A committed membership of a later epoch than the data path's: apply it.
    func applyCommittedMembershipIfNew(now: Int64) {
        let membership = failover!.log.committedMembership
        guard membership.epoch > epoch else { return }
        counters.reconfigurations.addRelease(1)
        reconfigure(epoch: membership.epoch, chain: membership.members, minimumLength: membership.minimumLength, now: now)
        failover!.successorIsLearner = false
        failover!.learnerCounts = false
        publishHeldOutMembers(membership)
        if !inChain && membership.holdsOut(configuration.nodeId) {
            logger.warning("node \(configuration.nodeId) is held out of the chain of epoch \(membership.epoch) (\(membership.members.map(String.init).joined(separator: " → "))) by an operator: it stays out until added back (baton admin add-member)")
            startRejoin()
        } else if !inChain {
            if case .none = failover!.rejoin {
                logger.warning("node \(configuration.nodeId) is not in the chain of epoch \(membership.epoch) (\(membership.members.map(String.init).joined(separator: " → "))): it was removed while it was unreachable; rejoining as the tail")
            } else {
                logger.info("node \(configuration.nodeId) may rejoin the chain of epoch \(membership.epoch): learning from its tail")
            }
            startRejoin()
        } else if failover!.rejoin != .none {
            logger.info("node \(configuration.nodeId) is back in the chain (epoch \(membership.epoch)) as its \(roleInChain.rawValue)")
            failover!.rejoin = .none
        }
        // Fencing is `checkFencing`'s alone (it also lifts it): clearing the flag here would leave the gate refusing.
        failover!.nextFencingCheckNanos = 0
    }

    func publishConfigurationCounters() {
        counters.configurationTerm.setReleaseAllowingDecrease(Int64(truncatingIfNeeded: failover!.log.term))
        counters.configurationLeader.setReleaseAllowingDecrease(failover!.log.leaderId.map(Int64.init) ?? -1)
    }

    /// The leader proposes the committed chain without a member its detector
    /// confirmed failed — one change at a time, only with its own last entry
    /// committed, and never below the minimum length: a shorter chain would
    /// refuse writes anyway, and a member kept in the chain takes up again
    /// when it comes back (the head refuses writes meanwhile, `checkFencing`).
    func proposeRemovalIfDue(now: Int64) -> Int {
        guard failover!.log.role == .leader, failover!.log.lastEntry == failover!.log.committedEntry else { return 0 }
        let committed = failover!.log.committedMembership
        guard committed.count > committed.minimumLength else { return 0 }
        for member in committed.members where member != configuration.nodeId {
            guard case .failed = failover!.detector.liveness(of: member), heardSinceStart(member) else { continue }
            guard let next = try? committed.removing(member) else { continue }
            switch failover!.log.propose(next, now: now) {
            case let .accepted(_, action):
                logger.warning("node \(member) confirmed failed: proposing epoch \(next.epoch), chain \(next.members.map(String.init).joined(separator: " → "))")
                carryOut(action, now: now)
                return 1
            case let .refused(reason):
                logger.debug("cannot propose removing node \(member): \(reason)")
                return 0
            }
        }
        return 0
    }

    /// Whether `member` was heard (directly or through a helper) since this
    /// member's failover started. One never heard is not removed: members of
    /// a cluster start one by one, and a member that starts later than the
    /// failure time after the others would otherwise be removed before it
    /// ever took part (a cluster whose member never starts commits nothing:
    /// start it).
    func heardSinceStart(_ member: UInt32) -> Bool {
        (failover!.detector.lastHeardDirectly(from: member) ?? .min) > failover!.startedNanos
            || failover!.detector.lastHeardIndirectly(about: member) != nil
    }

    /// Sends one configuration-log message; the header's epoch carries the term.
    func send(_ message: ConfigurationMessage, to voter: UInt32) {
        guard let member = membersById[voter] else { return }
        let destination = member.replicationAddress
        switch message {
        case let .voteRequest(request):
            guard let out = outbox.begin(ReplicationVoteRequest.self, to: destination) else { return }
            out.header.epoch = UInt32(truncatingIfNeeded: request.proposedTerm)
            out.lastTerm = request.lastTerm
            out.lastPosition = Int64(truncatingIfNeeded: request.lastIndex)
            out.flags = 0
            out.isPreVote = request.isPreVote
        case let .voteResponse(response):
            guard let out = outbox.begin(ReplicationVoteResponse.self, to: destination) else { return }
            out.header.epoch = UInt32(truncatingIfNeeded: response.term)
            out.flags = 0
            out.isGranted = response.granted
            out.isPreVote = response.isPreVote
        case let .append(append):
            guard let out = outbox.begin(ReplicationConfigAppend.self, to: destination) else { return }
            out.header.epoch = UInt32(truncatingIfNeeded: append.term)
            out.entryIndex = append.entry.index
            out.entryTerm = append.entry.term
            out.committedIndex = append.committedEntry.index
            out.committedTerm = append.committedEntry.term
            Self.write(append.entry.membership, into: out.entryMembership)
            Self.write(append.committedEntry.membership, into: out.committedMembership)
        case let .appendAck(ack):
            guard let out = outbox.begin(ReplicationConfigAppendAck.self, to: destination) else { return }
            out.header.epoch = UInt32(truncatingIfNeeded: ack.term)
            out.matchedIndex = ack.matchedIndex
            out.matchedTerm = ack.matchedTerm
            out.flags = 0
            out.isSuccess = ack.success
        }
    }

    static func write(_ membership: ChainMembership, into block: ReplicationMembershipBlock) {
        block.epoch = membership.epoch
        block.minimumLength = UInt32(membership.minimumLength)
        block.memberCount = UInt32(membership.members.count)
        block.heldOutCount = UInt32(membership.heldOut.count)
        let ids = membership.members + membership.heldOut
        for slot in 0..<ReplicationMembershipBlock.memberSlots {
            block.setMember(slot, slot < ids.count ? ids[slot] : 0)
        }
    }

    /// The last or committed membership this member holds, if `block` says exactly that.
    func knownMembership(_ block: ReplicationMembershipBlock) -> ChainMembership? {
        if Self.block(block, holds: failover!.log.lastEntry.membership) { return failover!.log.lastEntry.membership }
        if Self.block(block, holds: failover!.log.committedMembership) { return failover!.log.committedMembership }
        return nil
    }

    static func block(_ block: ReplicationMembershipBlock, holds membership: ChainMembership) -> Bool {
        guard block.epoch == membership.epoch, Int(block.minimumLength) == membership.minimumLength,
              Int(block.memberCount) == membership.members.count, Int(block.heldOutCount) == membership.heldOut.count else { return false }
        for slot in 0..<membership.members.count where block.member(slot) != membership.members[slot] { return false }
        for (index, id) in membership.heldOut.enumerated() where block.member(membership.members.count + index) != id { return false }
        return true
    }

    /// The membership in a message block, or nil when it is not a valid one
    /// (a duplicate id; the counts were checked with the datagram).
    static func membership(_ block: ReplicationMembershipBlock) -> ChainMembership? {
        let count = Int(block.memberCount)
        let members = (0..<count).map(block.member)
        let heldOut = (count..<(count + Int(block.heldOutCount))).map(block.member)
        return try? ChainMembership(epoch: block.epoch, members: members, minimumLength: Int(block.minimumLength), heldOut: heldOut)
    }

    // MARK: - The failure detector

    func carryOutDetectorActions(now: Int64) -> Int {
        var work = 0
        for index in 0..<detectorActions.count {
            switch detectorActions[index] {
            case let .probe(member):
                sendProbe(.probe, to: member, subject: member, requester: configuration.nodeId)
            case let .requestIndirectProbe(target, helper):
                sendProbe(.request, to: helper, subject: target, requester: configuration.nodeId)
            case let .relayProbeAnswer(target, requester):
                sendProbe(.answer, to: requester, subject: target, requester: requester)
            case let .suspected(member):
                logger.info("node \(member) suspected: nothing heard for \(failover!.detector.configuration.suspectAfterNanos / 1_000_000) ms; asking others to probe it")
            case let .confirmedFailed(member):
                logger.warning("node \(member) confirmed failed: silent, and no other member reached it either")
                publishFailedMembers()
            case let .recovered(member):
                logger.info("node \(member) heard again")
                publishFailedMembers()
            }
            work += 1
        }
        return work
    }

    func publishFailedMembers() {
        var bits: Int64 = 0
        for (index, member) in configuration.members.enumerated() {
            if case .failed = failover!.detector.liveness(of: member.nodeId) { bits |= 1 << Int64(index) }
        }
        counters.membersFailed.setReleaseAllowingDecrease(bits)
    }

    func sendProbe(_ kind: ReplicationProbe.Kind, to member: UInt32, subject: UInt32, requester: UInt32) {
        guard let destination = membersById[member]?.replicationAddress,
              let probe = outbox.begin(ReplicationProbe.self, to: destination) else { return }
        failover!.nonce &+= 1
        probe.nonce = failover!.nonce
        probe.kind = kind
        probe.subject = subject
        probe.requester = requester
    }

    /// A Probe message: answer a probe, probe for another, or take an answer (relaying it if it was for another).
    func onProbe(_ probe: ReplicationProbe, from node: UInt32, now: Int64) {
        switch probe.kind {
        case .probe:
            sendProbe(.answer, to: node, subject: configuration.nodeId, requester: probe.requester)
        case .request:
            let target = probe.subject
            if failover!.detector.onIndirectProbeRequest(about: target, from: node, now: now) {
                sendProbe(.probe, to: target, subject: target, requester: node)
            }
        case .join:
            onJoin(of: probe.subject, from: node, now: now)
        case .handOver:
            if probe.subject == configuration.nodeId { onHandOverRequest(from: node, now: now) }
        case .handedOver:
            if probe.subject == node { onHandedOver(by: node) }
        case .answer:
            if probe.subject == node && probe.requester != configuration.nodeId {
                // The target answered a probe made for another member: relay it.
                failover!.detector.onProbeAnswer(from: node, now: now, into: &detectorActions)
                _ = carryOutDetectorActions(now: now)
            } else if probe.subject != node {
                // A helper relays that `subject` answered it.
                failover!.detector.heardIndirectly(about: probe.subject, via: node, now: now)
            }
        }
    }

    // MARK: - Fencing

    /// A head refuses writes (`notEnoughReplicas`) while it hears no majority
    /// of the voters for the fencing window (it may have been replaced), or
    /// while its chain is at the minimum length and a member of it is
    /// confirmed failed (no acknowledgement could come; the member is not
    /// removed, so the chain resumes when it returns). It orders again when
    /// neither holds.
    func checkFencing(now: Int64) {
        failover!.nextFencingCheckNanos = now &+ failover!.detector.configuration.probeIntervalNanos
        let heads = inChain && predecessor == nil && !catchUp.isCatchingUp
        guard heads || failover!.fenced else { return }
        let reaches = failover!.detector.reachesMajority(of: failover!.voters, within: failover!.fencingWindowNanos, now: now)
        var memberFailed: UInt32?
        if chain.count <= minimumLength {
            for member in chain where member != configuration.nodeId {
                if case .failed = failover!.detector.liveness(of: member) { memberFailed = member }
            }
        }
        let refuse = heads && (!reaches || memberFailed != nil)
        if refuse { counters.fenced.setReleaseAllowingDecrease(reaches ? 2 : 1) }
        if refuse && !failover!.fenced {
            failover!.fenced = true
            if !reaches {
                logger.warning("node \(configuration.nodeId) heads the chain but has heard no majority of the \(failover!.voters.count) members for \(failover!.fencingWindowNanos / 1_000_000) ms: refusing writes until it does (it may have been replaced)")
            } else {
                logger.warning("node \(configuration.nodeId) heads a chain of \(chain.count), its minimum length, and node \(memberFailed ?? 0) failed: refusing writes until it returns")
            }
            leadership.publish(.tooFewReplicas, leader: configuration.nodeId, keepsAcks: true)
        } else if failover!.fenced && !refuse {
            failover!.fenced = false
            counters.fenced.setReleaseAllowingDecrease(0)
            if heads {
                logger.info("node \(configuration.nodeId) hears a majority and its whole chain again: ordering")
                leadership.publish(headLeadership(), leader: configuration.nodeId, keepsAcks: true)
            }
        }
    }
}
