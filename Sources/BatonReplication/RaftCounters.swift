import BatonRing

/// A Raft member's own counters, labelled `raft.*` in the node's counters
/// file so `baton stat` shows role, term, leader, vote, elections and each
/// follower's positions live. (`replication.role` holds `RaftRole.code`,
/// `replication.epoch` the term, `replication.position.chainCommit` the commit.)
/// Allocated once at set-up.
///
/// Single writer: the `RaftReplicator` agent; readers on any thread use acquire loads.
public final class RaftCounters: @unchecked Sendable {
    /// The leader of the current term as this member knows it (-1: unknown).
    public let leaderId: PositionCounter
    /// The member this one voted for in the current term (-1: none).
    public let votedFor: PositionCounter
    /// Pre-vote rounds this member started.
    public let preVotesStarted: PositionCounter
    /// Elections (terms) this member started.
    public let electionsStarted: PositionCounter
    public let electionsWon: PositionCounter
    /// Times this member stopped leading (check-quorum, a later term, a hand-over).
    public let stepDowns: PositionCounter
    /// Times this member cut an uncommitted suffix of its log to match its leader's, and the bytes cut.
    public let truncations: PositionCounter
    public let truncatedBytes: PositionCounter
    /// A leader's Sync asked to cut below this member's commit: refused (never happens in a correct cluster).
    public let truncationsRefused: PositionCounter
    /// Syncs (log-matching answers) this member sent as leader.
    public let syncsServed: PositionCounter
    /// Leaderships this member handed to a follower before stopping.
    public let handOvers: PositionCounter
    /// Leadership-transfer requests made (`baton admin transfer-leadership`,
    /// another process: the only counters written from outside the node),
    /// and the member asked for (node id; -1: the most up-to-date follower),
    /// written before the request number.
    public let transferRequests: PositionCounter
    public let transferTarget: PositionCounter
    /// The last request number answered, and how (`RaftTransferOutcome`).
    public let transfersHandled: PositionCounter
    public let transferOutcome: PositionCounter
    /// Writes of the term/vote/term-index file that failed (the reply waiting on it was not sent).
    public let stateWriteFailures: PositionCounter
    /// A leader told this member its log starts above what this member lacks:
    /// the position it rejoins from at its next start (`RaftRejoinNote`); -1: none.
    public let rejoinAt: PositionCounter
    /// Followers this leader told to rejoin from its log's start (their needed bytes are gone).
    public let rejoinsAsked: PositionCounter
    /// Retention never deletes a segment reaching past this: the commit, and
    /// on a leader also the durable position of every follower streaming
    /// from it and heard within an election timeout (so a live follower that
    /// is catching up is never cut off from what it still needs).
    public let retentionFloor: PositionCounter
    /// Where this member's current leadership began: the position of its term's
    /// marker (-1 while it does not lead, or before the marker is in the log).
    public let termStart: PositionCounter
    /// Per other member, in configuration order: its durable position as this leader knows it.
    public let followerDurable: [PositionCounter]
    /// Per other member: the end of what it reported holding.
    public let followerReceived: [PositionCounter]

    public init(peers: [UInt32], allocate: (String) -> PositionCounter) {
        leaderId = allocate("raft.leader")
        votedFor = allocate("raft.votedFor")
        preVotesStarted = allocate("raft.preVotes.started")
        electionsStarted = allocate("raft.elections.started")
        electionsWon = allocate("raft.elections.won")
        stepDowns = allocate("raft.stepDowns")
        truncations = allocate("raft.truncations")
        truncatedBytes = allocate("raft.truncations.bytes")
        truncationsRefused = allocate("raft.truncations.refusedBelowCommit")
        syncsServed = allocate("raft.syncs.served")
        handOvers = allocate("raft.handOvers")
        stateWriteFailures = allocate("raft.stateFile.writeFailures")
        transferRequests = allocate("raft.transfer.requests")
        transferTarget = allocate("raft.transfer.target")
        transfersHandled = allocate("raft.transfer.handled")
        transferOutcome = allocate("raft.transfer.outcome")
        rejoinAt = allocate("raft.rejoinAt")
        rejoinAt.setReleaseAllowingDecrease(-1)
        rejoinsAsked = allocate("raft.rejoinsAsked")
        retentionFloor = allocate("raft.retentionFloor")
        termStart = allocate("raft.termStart")
        termStart.setReleaseAllowingDecrease(-1)
        followerDurable = peers.map { allocate("raft.follower.\($0).durable") }
        followerReceived = peers.map { allocate("raft.follower.\($0).received") }
    }
}
