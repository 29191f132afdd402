/// The chain's configuration log for one member: Raft over a log of whole
/// memberships, as a small object with time passed in. Voters are every
/// configured member; the elections are `RaftElection`'s, unchanged (terms,
/// pre-vote, check-quorum, randomised timeouts, votes only for a log at least
/// as up to date, compared on the last entry's `(term, index)`).
///
/// Each entry is a whole `ChainMembership`, so a member's log is its last
/// entry plus the newest entry it knows committed, and replication is one
/// message: the leader sends its last entry (and committed entry) to every
/// follower at once after a change and every heartbeat interval; a follower
/// takes it in place of its own last entry when it is at least as up to date
/// (always, from a new leader: its entry is of a later term) and acks its
/// last entry's `(index, term)`. A new leader appends a no-op (its term, the
/// same membership and epoch) so an entry it inherited commits under its own
/// term (Raft §5.4.2); it commits its last entry once a majority, itself
/// included, holds exactly that entry. It proposes a change only when its
/// last entry is committed, with the committed epoch + 1.
///
/// Nothing here does I/O: events return a `ConfigurationLogAction` to send.
/// Before sending anything — and before acting on a newly committed
/// membership — the caller writes `persistentState` (`ConfigurationStateFile`)
/// when `needsPersisting`, then calls `persisted()`.
///
/// Invariant: `persistentState.inconsistency == nil` after every event
/// (asserted); the committed entry's index never decreases; a leader's last
/// entry is of its term. An Append that would break the invariant (only a
/// leader that lost committed entries could send one) is refused and
/// counted in `refusedAppendCount`, never taken.
/// Threading: owned by one agent; its thread only.
public struct ConfigurationLog: Sendable {
    public let nodeId: UInt32
    /// Every voting member (the cluster file's members), this one included.
    public let voters: [UInt32]
    /// How often a leader repeats its Append to every follower.
    public let heartbeatIntervalNanos: Int64
    /// The election half: role, term, vote, leader, timers.
    public internal(set) var election: RaftElection
    /// This member's last entry: its whole log.
    public internal(set) var lastEntry: ConfigurationEntry
    /// The newest entry this member knows committed.
    public internal(set) var committedEntry: ConfigurationEntry
    /// Appends refused because taking them would break this member's log
    /// (a leader behind this member's committed entry): 0 in a correct cluster.
    public internal(set) var refusedAppendCount = 0
    /// Why the last refused Append was refused.
    public internal(set) var lastRefusal: String?
    /// The entries changed since the last `persisted()`.
    var entriesNeedPersisting = false
    /// A leader's view of each voter (by index in `voters`): the highest
    /// index of its term the voter acked (0: none).
    var matchedIndexes: [UInt64]
    /// Each voter's last message of `heardTerm` (by index), for `heardMajority`.
    var heardNanos: [Int64]
    var heardTerm: UInt64 = 0
    /// When a leader last sent its Append to every follower.
    var lastAppendSentNanos: Int64 = .min

    /// A member starting from `state` (what it persisted), or from
    /// `initialMembership` (the cluster file's) when `state` is nil (a new member).
    public init(nodeId: UInt32, voters: [UInt32], state: ConfigurationPersistentState?, initialMembership: ChainMembership,
                electionTimeoutMinimumNanos: Int64, electionTimeoutMaximumNanos: Int64, heartbeatIntervalNanos: Int64,
                seed: UInt64, now: Int64) {
        precondition(Set(voters).count == voters.count, "voters \(voters) name a member twice")
        precondition(voters.count <= ChainMembership.maximumMembers, "\(voters.count) voters, at most \(ChainMembership.maximumMembers)")
        precondition(heartbeatIntervalNanos > 0 && heartbeatIntervalNanos < electionTimeoutMinimumNanos,
                     "heartbeat interval \(heartbeatIntervalNanos) ns must be below the minimum election timeout \(electionTimeoutMinimumNanos) ns")
        let start = state ?? ConfigurationPersistentState(initialMembership: initialMembership)
        if let reason = start.inconsistency { preconditionFailure("node \(nodeId)'s configuration state is inconsistent: \(reason)") }
        self.nodeId = nodeId
        self.voters = voters
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
        election = RaftElection(nodeId: nodeId, voters: voters, term: start.currentTerm, votedFor: start.votedFor,
                                electionTimeoutMinimumNanos: electionTimeoutMinimumNanos,
                                electionTimeoutMaximumNanos: electionTimeoutMaximumNanos, seed: seed, now: now)
        lastEntry = start.lastEntry
        committedEntry = start.committedEntry
        matchedIndexes = Array(repeating: 0, count: voters.count)
        heardNanos = Array(repeating: .min, count: voters.count)
    }

    // MARK: - State

    public var role: RaftRole { election.role }
    public var term: UInt64 { election.term }
    public var votedFor: UInt32? { election.votedFor }
    /// The leader of `term` as this member knows it.
    public var leaderId: UInt32? { election.leaderId }
    /// Acks (this member's own included) that commit an entry.
    public var majority: Int { election.majority }
    /// The membership of the committed entry: what the data path obeys.
    public var committedMembership: ChainMembership { committedEntry.membership }

    /// The term, vote or entries changed since the last `persisted()`.
    public var needsPersisting: Bool { election.needsPersisting || entriesNeedPersisting }

    /// What to write to the state file.
    public var persistentState: ConfigurationPersistentState {
        ConfigurationPersistentState(currentTerm: term, votedFor: votedFor, committedEntry: committedEntry, lastEntry: lastEntry)
    }

    /// `persistentState` is durable as it is now.
    public mutating func persisted() {
        election.persisted()
        entriesNeedPersisting = false
    }

    /// Whether this member heard a majority of the voters (itself included)
    /// within the last `windowNanos` — fencing: a member that has not stops
    /// acknowledging. A leader counts the voters whose messages of its term
    /// (granted votes, acks) arrived within the window. A follower counts its
    /// leader's message within the window as a majority: the leader leads
    /// only while a majority answers it (check-quorum within the minimum
    /// election timeout), so the follower's claim holds for
    /// `windowNanos + electionTimeoutMinimumNanos`. A candidate has not.
    public func heardMajority(withinNanos windowNanos: Int64, now: Int64) -> Bool {
        switch role {
        case .leader:
            guard heardTerm == term else { return majority <= 1 }
            var heard = 1
            for (slot, voter) in voters.enumerated() where voter != nodeId {
                if heardNanos[slot] != .min && now &- heardNanos[slot] < windowNanos { heard &+= 1 }
            }
            return heard >= majority
        case .follower:
            let heardNanos = election.leaderHeardNanos
            return leaderId != nil && heardNanos != .min && now &- heardNanos < windowNanos
        case .preCandidate, .candidate:
            return false
        }
    }

    // MARK: - Events

    /// Timers: a leader checks its quorum (stepping down without a majority)
    /// and repeats its Append every heartbeat interval; anyone else whose
    /// election deadline passed asks for pre-votes.
    public mutating func tick(now: Int64) -> ConfigurationLogAction {
        let action = apply(election.tick(now: now, mayStand: true), now: now)
        guard action == .none, role == .leader, lastAppendSentNanos == .min || now &- lastAppendSentNanos >= heartbeatIntervalNanos
        else { return action }
        return broadcastAppend(now: now)
    }

    /// A message from another voter (messages from non-voters or from itself are ignored).
    public mutating func receive(_ message: ConfigurationMessage, now: Int64) -> ConfigurationLogAction {
        switch message {
        case let .voteRequest(request): return onVoteRequest(request, now: now)
        case let .voteResponse(response): return onVoteResponse(response, now: now)
        case let .append(append): return onAppend(append, now: now)
        case let .appendAck(ack): return onAppendAck(ack, now: now)
        }
    }

    /// Proposes `membership` as the next configuration: only the leader,
    /// only once its last entry is committed, only with the committed epoch
    /// + 1, and only with configured voters as members.
    public mutating func propose(_ membership: ChainMembership, now: Int64) -> ConfigurationProposalResult {
        guard role == .leader else { return .refused(.notLeader(leaderId: leaderId)) }
        guard lastEntry == committedEntry else { return .refused(.uncommittedEntry(index: lastEntry.index)) }
        let expected = UInt64(committedMembership.epoch) + 1
        guard UInt64(membership.epoch) == expected else { return .refused(.wrongEpoch(proposed: membership.epoch, expected: expected)) }
        for member in membership.members + membership.heldOut where !voters.contains(member) { return .refused(.notAVoter(nodeId: member)) }
        append(membership: membership)
        let action = advanceCommit(now: now)
        return .accepted(entry: lastEntry, action: action == .none ? broadcastAppend(now: now) : action)
    }

    // MARK: - Internals

    /// `voter`'s index in `voters`, nil for a non-voter or this member.
    func otherVoterSlot(_ voter: UInt32) -> Int? {
        guard voter != nodeId else { return nil }
        return voters.firstIndex(of: voter)
    }

    /// A message of `messageTerm` from `voter`: counts for `heardMajority` when of the current term.
    mutating func noteHeard(from slot: Int, term messageTerm: UInt64, now: Int64) {
        guard messageTerm == term else { return }
        if heardTerm != term {
            heardTerm = term
            for index in heardNanos.indices { heardNanos[index] = .min }
        }
        heardNanos[slot] = now
    }

    func assertInvariant() {
        assert(persistentState.inconsistency == nil, "node \(nodeId): \(persistentState.inconsistency ?? "")")
        assert(role != .leader || lastEntry.term == term, "node \(nodeId) leads term \(term) with \(lastEntry)")
    }
}
