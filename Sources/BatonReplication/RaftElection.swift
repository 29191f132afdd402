import BatonMutation

/// What a member must do after an election event.
public enum RaftElectionAction: Equatable, Sendable {
    case none
    /// Ask every other voter for a pre-vote for `term` (this member's term + 1; its own term is unchanged).
    case requestPreVotes(term: UInt64)
    /// Ask every other voter for a vote in `term` (already this member's term, its vote its own).
    case requestVotes(term: UInt64)
    /// This member won `term`: it leads from now on.
    case becomeLeader(term: UInt64)
    /// This member led and stops: it lost contact with a majority (check-quorum) or saw a later term.
    case stepDown
}

/// Raft's election rules for one member, as a small object with time passed
/// in (etcd/raft's election half, for a byte-positioned log): randomised
/// election timeouts, **pre-vote** (a pre-candidate asks whether it would win
/// before it bumps its term, and a voter that still hears a live leader says
/// no, so a member cut off and back cannot depose a healthy leader),
/// **check-quorum** (a leader that has not heard from a majority within the
/// minimum election timeout steps down), and votes only for a log at least as
/// up to date as the voter's (last term, then log end). Nothing here does
/// I/O: the replicator sends what the actions say and, before any message
/// goes out, persists `term` and `votedFor` when `needsPersisting` (Raft's
/// rule: persisted before any reply that depends on them).
///
/// Invariant: `term` never decreases; within one term `votedFor` is set at
/// most once; a leader has `leaderId == nodeId`; `grants` holds only voters.
/// Threading: owned by one replicator; its thread only.
public struct RaftElection: Sendable {
    public let nodeId: UInt32
    /// Every voting member, this one included.
    public let voters: [UInt32]
    /// Votes that win an election (and members whose durable position commits).
    public let majority: Int
    public let electionTimeoutMinimumNanos: Int64
    public let electionTimeoutMaximumNanos: Int64
    public private(set) var role: RaftRole = .follower
    public private(set) var term: UInt64
    public private(set) var votedFor: UInt32?
    /// The leader of `term` as this member knows it.
    public private(set) var leaderId: UInt32?
    /// When a follower (or candidate) stands for election next.
    public private(set) var electionDeadline: Int64
    /// When this member last heard its term's leader (.min: not in this term).
    public private(set) var leaderHeardNanos: Int64 = .min
    /// `term` or `votedFor` changed since the last `persisted()`.
    public private(set) var needsPersisting = false
    /// Pre-votes or votes granted in the current round, by voter index (bit).
    private var grants: UInt64 = 0
    /// A leader's last word from each voter (by index).
    private var heardNanos: [Int64]
    private var random: UInt64
    /// `Mutation.raftVotesForAnyLog` (simulator only), read once.
    private let votesForAnyLog = Mutation.raftVotesForAnyLog.isActive

    public init(nodeId: UInt32, voters: [UInt32], term: UInt64, votedFor: UInt32?,
                electionTimeoutMinimumNanos: Int64, electionTimeoutMaximumNanos: Int64, seed: UInt64, now: Int64) {
        precondition(voters.contains(nodeId), "node \(nodeId) is not among the voters \(voters)")
        precondition(voters.count <= 64, "at most 64 voters")
        precondition(electionTimeoutMinimumNanos > 0 && electionTimeoutMaximumNanos >= electionTimeoutMinimumNanos,
                     "election timeouts \(electionTimeoutMinimumNanos)...\(electionTimeoutMaximumNanos) ns")
        self.nodeId = nodeId
        self.voters = voters
        majority = voters.count / 2 + 1
        self.electionTimeoutMinimumNanos = electionTimeoutMinimumNanos
        self.electionTimeoutMaximumNanos = electionTimeoutMaximumNanos
        self.term = term
        self.votedFor = votedFor
        heardNanos = Array(repeating: .min, count: voters.count)
        random = seed ^ (UInt64(nodeId) &* 0x9E37_79B9_7F4A_7C15)
        electionDeadline = 0
        electionDeadline = now &+ randomTimeout()
    }

    /// Votes or pre-votes granted so far in this round (this member's own included).
    public var grantCount: Int { grants.nonzeroBitCount }

    /// The term's leader has been heard within the minimum election timeout
    /// (or this member leads): it refuses to help depose it.
    public func inLeaderLease(now: Int64) -> Bool {
        role == .leader || (leaderHeardNanos != .min && now &- leaderHeardNanos < electionTimeoutMinimumNanos)
    }

    /// Timers: a leader checks its quorum; anyone else whose deadline passed
    /// starts a pre-vote round (when `mayStand`: a member truncating its log waits).
    public mutating func tick(now: Int64, mayStand: Bool) -> RaftElectionAction {
        if role == .leader {
            var heard = 1
            for (index, voter) in voters.enumerated() where voter != nodeId && heardNanos[index] > now &- electionTimeoutMinimumNanos {
                heard &+= 1
            }
            if heard >= majority { return .none }
            becomeFollower(leader: nil, now: now)
            return .stepDown
        }
        guard now >= electionDeadline else { return .none }
        electionDeadline = now &+ randomTimeout()
        guard mayStand else { return .none }
        role = .preCandidate
        leaderId = nil
        leaderHeardNanos = .min
        grants = bit(nodeId)
        if grantCount >= majority { return startElection(now: now) }
        return .requestPreVotes(term: term &+ 1)
    }

    /// A pre-vote answer for `proposedTerm`.
    public mutating func onPreVoteResponse(from voter: UInt32, proposedTerm: UInt64, granted: Bool, now: Int64) -> RaftElectionAction {
        guard role == .preCandidate, granted, proposedTerm == term &+ 1, voters.contains(voter) else { return .none }
        grants |= bit(voter)
        return grantCount >= majority ? startElection(now: now) : .none
    }

    /// A vote answer in `voteTerm` (the caller has already applied a later term with `observe`).
    public mutating func onVoteResponse(from voter: UInt32, voteTerm: UInt64, granted: Bool, now: Int64) -> RaftElectionAction {
        guard role == .candidate, granted, voteTerm == term, voters.contains(voter) else { return .none }
        grants |= bit(voter)
        guard grantCount >= majority else { return .none }
        role = .leader
        leaderId = nodeId
        for index in heardNanos.indices { heardNanos[index] = now }
        return .becomeLeader(term: term)
    }

    /// Any message carrying `messageTerm` (but a pre-vote request's proposed
    /// term): a later term makes this member a follower of it with no vote
    /// (to persist). Returns `.stepDown` if it was leading.
    public mutating func observe(term messageTerm: UInt64, now: Int64) -> RaftElectionAction {
        guard messageTerm > term else { return .none }
        let wasLeader = role == .leader
        term = messageTerm
        votedFor = nil
        needsPersisting = true
        becomeFollower(leader: nil, now: now)
        return wasLeader ? .stepDown : .none
    }

    /// A message from `leader`, sent as the leader of `messageTerm`. Returns
    /// false when it is stale (an earlier term: the caller tells the sender
    /// the current one). A candidate or pre-candidate hearing its term's
    /// leader becomes its follower; the election timer restarts.
    public mutating func onLeaderMessage(from leader: UInt32, term messageTerm: UInt64, now: Int64) -> Bool {
        guard messageTerm >= term, leader != nodeId else { return false }
        _ = observe(term: messageTerm, now: now)
        assert(role != .leader, "node \(nodeId) leads term \(term) and heard node \(leader) lead it too")
        if role == .leader { return false }
        if role != .follower || leaderId != leader { becomeFollower(leader: leader, now: now) }
        leaderHeardNanos = now
        electionDeadline = now &+ randomTimeout()
        return true
    }

    /// A leader heard `voter` (any message of the current term): counts for check-quorum.
    public mutating func onFollowerMessage(from voter: UInt32, term messageTerm: UInt64, now: Int64) {
        guard role == .leader, messageTerm == term, let index = voters.firstIndex(of: voter) else { return }
        heardNanos[index] = now
    }

    /// Whether to grant `candidate`'s request (a pre-vote when `preVote`):
    /// its proposed term is current or later, this member has not voted for
    /// another in it, no live leader is heard (unless `transfer`: the leader
    /// itself handed over), and its log (last term, end) is at least as up to
    /// date as this one's. A granted real vote is recorded (to persist) and
    /// restarts the election timer. A real request of a later term that is
    /// not ignored makes this member a follower of that term first.
    public mutating func decideVote(candidate: UInt32, proposedTerm: UInt64, lastTerm: UInt64, lastPosition: Int64,
                                    preVote: Bool, transfer: Bool, ownLastTerm: UInt64, ownEnd: Int64, now: Int64) -> Bool {
        guard voters.contains(candidate), candidate != nodeId else { return false }
        let upToDate = lastTerm > ownLastTerm || (lastTerm == ownLastTerm && lastPosition >= ownEnd) || votesForAnyLog
        let leaseHolds = inLeaderLease(now: now) && !transfer
        if preVote { return proposedTerm > term && upToDate && !leaseHolds }
        if proposedTerm < term { return false }
        if proposedTerm > term {
            if leaseHolds { return false }
            _ = observe(term: proposedTerm, now: now)
        }
        guard votedFor == nil || votedFor == candidate, upToDate else { return false }
        if votedFor != candidate {
            votedFor = candidate
            needsPersisting = true
        }
        electionDeadline = now &+ randomTimeout()
        return true
    }

    /// A leader stepping down on its own (a leadership transfer, shutdown).
    public mutating func resign(now: Int64) {
        guard role == .leader else { return }
        becomeFollower(leader: nil, now: now)
    }

    /// Start the election at once (a leader handed over to this member).
    public mutating func timeoutNow(now: Int64) -> RaftElectionAction {
        guard role != .leader else { return .none }
        return startElection(now: now)
    }

    /// `term` and `votedFor` are durable as they are now.
    public mutating func persisted() { needsPersisting = false }

    // MARK: - Internals

    private mutating func startElection(now: Int64) -> RaftElectionAction {
        term &+= 1
        votedFor = nodeId
        needsPersisting = true
        role = .candidate
        leaderId = nil
        leaderHeardNanos = .min
        grants = bit(nodeId)
        electionDeadline = now &+ randomTimeout()
        if grantCount >= majority {
            role = .leader
            leaderId = nodeId
            return .becomeLeader(term: term)
        }
        return .requestVotes(term: term)
    }

    private mutating func becomeFollower(leader: UInt32?, now: Int64) {
        role = .follower
        leaderId = leader
        grants = 0
        if leader == nil { leaderHeardNanos = .min }
        electionDeadline = now &+ randomTimeout()
    }

    private func bit(_ voter: UInt32) -> UInt64 {
        guard let index = voters.firstIndex(of: voter) else { return 0 }
        return 1 << UInt64(index)
    }

    /// A timeout drawn uniformly from the configured range (SplitMix64).
    private mutating func randomTimeout() -> Int64 {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        let span = UInt64(electionTimeoutMaximumNanos &- electionTimeoutMinimumNanos) &+ 1
        return electionTimeoutMinimumNanos &+ Int64(z % span)
    }
}
