import BatonAgent
import BatonCodec
import BatonLog
import BatonMutation
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// One Raft member's replication agent, over the same log, frames, pipeline
/// and UDP transport as the chain: the **transmit** stage to every follower
/// while leading, the follower's **order** stage (the log appender's writer)
/// otherwise. The agent polls and dispatches; the decisions live in small
/// parts with time passed in:
///
/// - `RaftElection` — terms, votes, pre-vote, check-quorum, timeouts;
/// - `RaftTermIndex` — which term wrote which positions (durable in
///   `RaftStateFile` with the term and vote, written before anything that
///   depends on it is sent or written);
/// - `RaftFollowerLink` (one per follower) over `SuccessorSender` — flow
///   control, go-back-N resends;
/// - `GapDetector`, `StatusSchedule` — a follower's Naks and Status;
/// - `RaftQuorum` — the majority's durable position.
///
/// **Log matching** works on byte positions, the way Aeron Cluster's does
/// rather than per entry: a follower that hears a new leader sends a
/// SyncRequest (its last term, where that term starts, its end); the leader
/// answers with the position where the logs are known to agree
/// (`RaftTermIndex.matchPosition`) and its term starts from there. The
/// follower cuts anything past that position (a running-log truncation,
/// never below its commit — refused and counted if asked), records the
/// leader's terms, persists them, and only then takes Data. Each position is
/// written once per term by one leader, so the same term at the same position
/// means the same bytes before it.
///
/// **Commit**: the leader's commit is the majority's durable position
/// (its own durable included), and moves only past the first position of its
/// own term: a new leader appends a marker frame (32 bytes of padding) as its
/// term's first entry, so earlier terms' bytes commit only under it (Raft
/// §5.4.2, the figure-8 case). Followers learn it from Commit and Heartbeat
/// and publish it clamped to their own durable position.
///
/// **Leadership** reaches the pipeline through the gate: leading, the order
/// stage orders; otherwise it refuses publishes naming the leader. A member
/// that stops leading touches the appender again only once the order stage
/// has observed the change; the commit stage refuses (never acks) requests
/// ordered under an earlier generation.
///
/// Threading: an `Agent`; every method runs on its runner's thread. It is
/// the single writer of the log appender except while leading.
public final class RaftReplicator<Transport: ReplicationTransport, Clock: NanoClock>: Replicator {
    public let roleName = "transmit"
    public let configuration: ReplicationConfiguration
    public let counters: ReplicationCounters
    public let raftCounters: RaftCounters
    public let leadership: LeadershipGate
    public var commitSource: ChainCommitSource { ChainCommitSource(chainCommit: counters.chainCommit) }
    let outbox: ReplicationOutbox<Transport>
    let clock: Clock
    let log: DurableLog
    let appender: LogAppender
    let logCounters: LogCounters
    /// This member's durable position as it reports and counts it (`Mutation.ackBeforeSync`: appended).
    let ownDurable: PositionCounter
    let logger: Logger
    let bufferBase: UnsafeMutableRawPointer
    let bufferMask: Int64
    let bufferCapacity: Int64
    let dataBytesMax: Int
    let heartbeatNanos: Int64

    var election: RaftElection
    var termIndex: RaftTermIndex
    /// Every other member, in configuration order.
    let links: [RaftFollowerLink]
    let quorum: RaftQuorum
    /// The commit position this member publishes.
    var commit: Int64

    // MARK: Leading
    /// Won an election; the term's marker is not appended yet (the order stage must first let go of the appender).
    var leaderStartPending = false
    /// Where this leader's term starts (its marker frame), -1 while not leading (published as `raft.termStart`).
    var termStart: Int64 = -1 {
        didSet { raftCounters.termStart.setReleaseAllowingDecrease(termStart) }
    }
    /// `Mutation.raftSkipsTruncation` (simulator only), read once.
    let skipsTruncation: Bool
    /// `Mutation.raftCommitsEarlierTerms` (simulator only), read once: the commit ignores where the term starts.
    let commitsEarlierTerms: Bool
    /// Bytes below this may be overwritten in the log buffer: a follower behind it is sent a re-read (`counters.sentPosition`).
    var zeroCopyFloor: Int64

    // MARK: Following
    /// The leadership generation published when this member last stopped
    /// leading: the appender is this agent's once the order stage observed it.
    var releasedGeneration: Int64 = 0
    /// Whether `receivedBytes` has been taken from the appender since it came back.
    var appenderSettled = false
    var synced = false
    var syncValidUpTo: Int64 = .max
    var receivedBytes: Int64
    var framesPending = false
    var gaps: GapDetector
    /// Raft's followers keep nothing past a gap: the leader resends from the Nak's position (go-back-N).
    let goBackN = ByteRanges(capacity: 0)
    var statusSchedule: StatusSchedule
    var leaderCommit: Int64 = 0
    var lastSyncRequestNanos: Int64 = .min
    /// A Sync waiting for its truncation to finish.
    var pendingSync: PendingSync?
    /// The log truncation under way (0: none).
    var truncationGeneration: Int64 = 0
    /// This election was handed over by the leader (its vote requests carry the transfer flag).
    var handOver = false
    /// The transfer request last read from `raft.transfer.requests` (answered or under way).
    var transferRequestSeen: Int64
    /// A leadership transfer this leader is carrying out.
    var transfer: LeadershipTransfer?

    struct PendingSync {
        var term: UInt64
        var leader: UInt32
        var matchPosition: Int64
        var validUpTo: Int64
        var entries: [RaftTermEntry]
    }

    /// Builds the member from its durable state (`state`: read by the caller
    /// from `RaftStateFile`, nil for a new member).
    public init(configuration: ReplicationConfiguration, log: DurableLog, state: RaftPersistentState?, transport: Transport,
                clock: Clock, counters: ReplicationCounters, raftCounters: RaftCounters, leadership: LeadershipGate,
                logger: Logger) {
        precondition(configuration.chainIndex != nil, "node \(configuration.nodeId) is not a member")
        self.configuration = configuration
        self.counters = counters
        self.raftCounters = raftCounters
        self.leadership = LeadershipGate(state: leadership.state, leaderId: leadership.leaderId,
                                         generation: leadership.generation, observed: leadership.observed, ackableFrom: leadership.ackableFrom,
                                         refusalTexts: Self.refusalTexts(configuration),
                                         unknownLeaderText: "node \(configuration.nodeId) knows no Raft leader now (an election is in progress); try again shortly")
        outbox = ReplicationOutbox(transport: transport, nodeId: configuration.nodeId,
                                   clusterId: configuration.clusterId, epoch: UInt32(truncatingIfNeeded: state?.currentTerm ?? 0))
        self.clock = clock
        self.log = log
        appender = log.appender
        logCounters = log.counters
        ownDurable = Mutation.ackBeforeSync.isActive ? log.counters.appended : log.counters.durable
        skipsTruncation = Mutation.raftSkipsTruncation.isActive
        // Requests made before this start are not this incarnation's to answer.
        transferRequestSeen = raftCounters.transferRequests.getAcquire()
        commitsEarlierTerms = Mutation.raftCommitsEarlierTerms.isActive
        self.logger = logger
        bufferBase = log.buffer.base
        bufferMask = Int64(log.buffer.mask)
        bufferCapacity = Int64(log.buffer.capacity)
        dataBytesMax = transport.datagramBytesMax - ReplicationData.bytesOffset
        heartbeatNanos = configuration.heartbeatIntervalNanos
        let now = clock.monotonicNanos()
        let end = log.appendedPosition
        var index = state?.termIndex ?? RaftTermIndex()
        index.clip(toLogEnd: end)
        termIndex = index
        election = RaftElection(nodeId: configuration.nodeId, voters: configuration.members.map(\.nodeId),
                                term: state?.currentTerm ?? 0, votedFor: state?.votedFor,
                                electionTimeoutMinimumNanos: configuration.electionTimeoutMinimumNanos,
                                electionTimeoutMaximumNanos: configuration.electionTimeoutMaximumNanos,
                                seed: UInt64(bitPattern: now) ^ configuration.clusterId, now: now)
        let chunk = max(1 << 20, 2 * FrameDescriptor.aligned(log.configuration.maximumFrameLength))
        let peers = configuration.members.filter { $0.nodeId != configuration.nodeId }
        links = peers.enumerated().map { index, member in
            RaftFollowerLink(member: member, index: index, stagedPosition: end, heartbeatIntervalNanos: configuration.heartbeatIntervalNanos,
                             resender: LogResendCursor(log: log, chunkBytes: chunk), durableCounter: raftCounters.followerDurable[index])
        }
        quorum = RaftQuorum(members: configuration.members.count)
        commit = log.startPosition
        zeroCopyFloor = end
        receivedBytes = end
        gaps = GapDetector(nakDelayNanos: configuration.nakDelayNanos,
                           maximumBackoffNanos: max(configuration.heartbeatIntervalNanos, configuration.nakDelayNanos))
        statusSchedule = StatusSchedule(heartbeatIntervalNanos: configuration.heartbeatIntervalNanos)
        counters.role.setReleaseAllowingDecrease(RaftRole.follower.code)
        counters.epoch.setReleaseAllowingDecrease(Int64(truncatingIfNeeded: election.term))
        counters.sentPosition.setReleaseAllowingDecrease(end)
        counters.receivedBytesPosition.setReleaseAllowingDecrease(end)
        counters.chainCommit.setReleaseAllowingDecrease(commit)
        raftCounters.leaderId.setReleaseAllowingDecrease(-1)
        raftCounters.votedFor.setReleaseAllowingDecrease(election.votedFor.map(Int64.init) ?? -1)
        // The log buffer keeps what a zero-copy send to a follower still needs.
        log.addGating(counters.sentPosition)
        // Retention never deletes an uncommitted byte (a truncation may cut anywhere above the commit),
        // nor, on a leader, what a live follower still needs (`publishRetentionFloor`).
        raftCounters.retentionFloor.setReleaseAllowingDecrease(commit)
        log.addRetentionFloor(raftCounters.retentionFloor)
        // Until a leader is heard: refuse publishes (the client tries another member).
        releasedGeneration = self.leadership.publish(.following, leader: nil)
    }

    /// The node stops: a leader hands over first (see `handOverLeadership`).
    public func onClose() { handOverLeadership() }

    public func doWork() throws -> Int {
        let now = clock.monotonicNanos()
        defer { assertInvariants() }
        var work = 0
        if outbox.pendingCount > 0 {
            if case .blocked = flush() { return receive(now: now) }
        }
        work += receive(now: now)
        work += finishTruncation(now: now)
        work += pollTransferRequest(now: now)
        if election.role == .leader {
            work += startLeadingIfReady(now: now)
            work += advanceLeaderCommit()
            work += transmit(now: now)
            work += advanceTransfer(now: now)
        } else {
            work += settleAppender()
            work += publishReceivedFrames(now: now)
            work += requestMissing(now: now)
            work += advanceFollowerCommit()
            work += reportToLeader(now: now)
        }
        work += tickElection(now: now)
        publishRetentionFloor(now: now)
        if outbox.pendingCount > 0 {
            _ = flush()
        } else if links.isEmpty {
            // A cluster of one sends nothing, so no flush ever completes: the floor follows the log's end here.
            advanceZeroCopyFloor()
        }
        return work
    }

    /// The retention floor (`raft.retentionFloor`): the commit; a leader also
    /// keeps what its followers heard within an election timeout, matched at
    /// a position it still holds, lack. A follower down longer is not waited for: if it comes back
    /// behind the leader's start, it is told to rejoin from there.
    func publishRetentionFloor(now: Int64) {
        var floor = commit
        if election.role == .leader {
            // Heard lately and matched at a position this log still holds (streaming, or between its Sync and first Status).
            let recent = now &- configuration.electionTimeoutMaximumNanos
            let start = log.startPosition
            for link in links {
                if link.lastHeardNanos > recent && link.durable >= start { floor = min(floor, link.durable) }
                if let hold = link.rejoinHold, hold.until > now { floor = min(floor, hold.position) }
            }
        }
        if floor != raftCounters.retentionFloor.getPlain() { raftCounters.retentionFloor.setReleaseAllowingDecrease(floor) }
    }

    /// How long a leader's retention keeps the position it told a follower to rejoin from.
    static var rejoinHoldNanos: Int64 { 60_000_000_000 }

    /// What a follower tells a publisher, by leader id.
    static func refusalTexts(_ configuration: ReplicationConfiguration) -> [UInt32: String] {
        var texts: [UInt32: String] = [:]
        for member in configuration.members where member.nodeId != configuration.nodeId {
            texts[member.nodeId] = "node \(configuration.nodeId) follows the Raft leader, node \(member.nodeId) at \(member.clientAddress); publish there"
        }
        return texts
    }

    // MARK: - Shared

    /// Sends what is staged; while leading, a complete flush lets the log
    /// buffer move on past what every streaming follower has been sent.
    func flush() -> TransportFlushResult {
        let result = outbox.flush()
        if result.sent > 0 { counters.datagramsSent.addRelease(Int64(result.sent)) }
        if result.failed > 0 { counters.sendErrors.addRelease(Int64(result.failed)) }
        if case .complete = result { advanceZeroCopyFloor() }
        return result
    }

    /// Everything staged is with the kernel: the floor rises to the lowest
    /// position a streaming follower still gets zero-copy (a follower more
    /// than half the buffer behind is left to re-reads); with no leader role,
    /// to the log's end.
    func advanceZeroCopyFloor() {
        let appended = logCounters.appended.getAcquire()
        var floor = appended
        if election.role == .leader {
            for link in links where link.synced && !link.resender.isActive {
                let staged = link.sender.stagedPosition
                if staged >= zeroCopyFloor && appended &- staged <= bufferCapacity / 2 { floor = min(floor, staged) }
            }
        }
        if floor > zeroCopyFloor {
            zeroCopyFloor = floor
            counters.sentPosition.setRelease(floor)
        }
    }

    /// This member's durable position as it reports and counts it (never past its log's end).
    @inline(__always)
    func ownDurablePosition() -> Int64 { min(ownDurable.getAcquire(), logCounters.appended.getAcquire()) }

    /// Writes the term, vote and term index (`newIndex` when given, which
    /// becomes the term index only once it is durable) synchronously: rare —
    /// elections, votes, syncs. False when the write failed: the caller must
    /// not send or write what depends on it (found by the simulator: a term
    /// index kept in memory after its write failed was never written again,
    /// and the member came back with no term for bytes it held — and voted
    /// for a shorter log).
    func persistState(termIndex newIndex: RaftTermIndex? = nil) -> Bool {
        let state = RaftPersistentState(currentTerm: election.term, votedFor: election.votedFor, termIndex: newIndex ?? termIndex)
        do {
            try RaftStateFile.write(state, directory: log.configuration.directory, fileSystem: log.fileSystem)
        } catch {
            raftCounters.stateWriteFailures.addRelease(1)
            logger.error("raft: writing the term and vote failed: \(error); not answering until it succeeds")
            return false
        }
        election.persisted()
        if let newIndex { termIndex = newIndex }
        outbox.epoch = UInt32(truncatingIfNeeded: election.term)
        counters.epoch.setRelease(Int64(truncatingIfNeeded: election.term))
        raftCounters.votedFor.setReleaseAllowingDecrease(election.votedFor.map(Int64.init) ?? -1)
        return true
    }

    /// Persists the election's state if it changed; false on failure.
    func persistIfNeeded() -> Bool { election.needsPersisting ? persistState() : true }

    /// The log's end and the term of its last byte, as votes compare them.
    func ownLogEnd() -> (lastTerm: UInt64, end: Int64) {
        let end = logCounters.appended.getAcquire()
        return (termIndex.lastTerm(logEnd: end), end)
    }

    /// Debug builds, after every duty cycle: the commit within the log's
    /// end; a follower's received bytes at or past its published end; the
    /// term's start known while leading.
    func assertInvariants() {
        assert(commit <= logCounters.appended.getPlain() || election.role != .leader,
               "commit \(commit) past appended \(logCounters.appended.getPlain())")
        assert(election.role == .leader || !appenderSettled || receivedBytes >= appender.position,
               "received bytes \(receivedBytes) below the published end \(appender.position)")
        assert(termStart < 0 || election.role == .leader, "a term start \(termStart) while not leading")
        assert(transfer == nil || election.role == .leader, "a leadership transfer while not leading")
    }
}
