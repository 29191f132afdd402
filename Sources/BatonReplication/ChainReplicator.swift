import BatonAgent
import BatonCodec
import BatonLog
import BatonMutation
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// One member's replication agent: the **transmit** stage towards its
/// successor and the follower's **order** stage from its predecessor, over one
/// transport (one UDP socket). The agent polls and dispatches; the protocol's
/// decisions live in small parts with time passed in, each unit-tested
/// without sockets:
///
/// - `SuccessorSender` — what the successor holds, its window, when to go
///   back and resend (first or lower Status, Nak, tail-loss timeout), when a
///   Commit or Heartbeat is due;
/// - `GapDetector` — gaps in what the predecessor sent, Nak delay and back-off;
/// - `HeadCatchUp` — a restarted head pulling back what its successor holds
///   before ordering (awaiting → pulling → caught up);
/// - `CommitFold` — the commit position, durable on every member;
/// - `StatusSchedule` — when Status goes upstream;
/// - `ReplicationOutbox` — header slots and the transport batch.
///
/// Downstream (a successor exists): sends the log's bytes from the staged
/// position up to the appended position and the successor's window, packed
/// into datagrams of at most the MTU, zero-copy (iovecs into the log buffer;
/// `sentPosition` gates buffer reuse, so staged bytes stay put until the
/// kernel has taken them). Resends are go-back-N from a `LogResendCursor`
/// (the log buffer, or the segment files once the buffer has moved on).
///
/// Upstream (a predecessor exists): accepts only the bytes at its received
/// position (earlier bytes are duplicates; later ones reveal a gap), copies
/// them into the log buffer, and publishes `appended` over whole frames that
/// pass their CRC check. Reports Status upstream: received and durable
/// positions, chain-durable = min(own durable, successor's chain-durable), and
/// a window no larger than its free buffer.
///
/// Commit: the head's commit is min(own durable, successor's chain-durable);
/// it travels down the chain in Commit and Heartbeat messages, and each member
/// publishes it (clamped to its own durable position) in `counters.chainCommit`.
///
/// Every datagram is checked (`ReplicationDatagramCheck`) and must come from
/// the neighbour that sends its type; anything else is dropped and counted.
///
/// Invariant (asserted after each duty cycle in debug builds): the commit is
/// never past the appended position; a follower's published end is never
/// past the bytes it received; nothing is staged past the appended position.
/// Threading: an `Agent`; every method runs on its runner's thread. On a
/// follower it is the single writer of the log appender.
public final class ChainReplicator<Transport: ReplicationTransport, Clock: NanoClock>: Replicator {
    public let roleName = "transmit"
    public let configuration: ReplicationConfiguration
    public let counters: ReplicationCounters
    /// Leading (the head, once caught up), waiting (a head catching up) or
    /// following (naming the head); the chain's head is fixed by the configuration.
    public let leadership: LeadershipGate
    public var commitSource: ChainCommitSource { ChainCommitSource(chainCommit: counters.chainCommit) }
    let outbox: ReplicationOutbox<Transport>
    let clock: Clock
    let log: DurableLog
    let appender: LogAppender
    let logCounters: LogCounters
    /// This member's durable position as it reports and folds it: the log's
    /// durable counter, or (`Mutation.ackBeforeSync`, simulator only) its
    /// appended counter. Chosen once at construction, not per duty cycle.
    let ownDurable: PositionCounter
    let logger: Logger
    /// Every configured member by id (the cluster file's list: addresses never change).
    let membersById: [UInt32: ClusterMember]
    /// The chain in force: its epoch and its members in order, head first
    /// (the cluster file's, until a reconfiguration replaces it).
    public internal(set) var epoch: UInt32
    public internal(set) var chain: [UInt32]
    /// Fewer members than this and the head refuses writes (`notEnoughReplicas`).
    public internal(set) var minimumLength: Int
    var predecessor: ClusterMember?
    var successor: ClusterMember?
    /// False once a configuration removed this member: it replicates nothing and commits nothing.
    var inChain = true
    /// The gate's generation when this member last stopped heading: it
    /// touches the appender again only once the order stage has seen it.
    var releasedGeneration: Int64 = 0
    /// `Mutation.removedMemberCommits` (simulator only), read once.
    let removedMemberCommits = Mutation.removedMemberCommits.isActive
    /// Automatic failover's configuration log and failure detector (nil: a static chain).
    var failover: ChainFailover?
    /// The failure detector's actions for one call (allocated at start).
    var detectorActions = FailureDetectorActions(capacity: 1)
    let bufferBase: UnsafeMutableRawPointer
    let bufferMask: Int64
    let bufferCapacity: Int64
    /// Largest Data payload: MTU minus the Data header.
    let dataBytesMax: Int

    // MARK: Towards the successor
    var sender: SuccessorSender
    /// Go-back-N resends to the successor.
    let resender: LogResendCursor
    /// The holes the successor Nak'd (selective repeat), resent front first by `repairer`.
    let requested = ByteRanges(capacity: ByteRanges.chainCapacity)
    let repairer: LogResendCursor
    var catchUp: HeadCatchUp

    // MARK: From the predecessor
    /// Contiguous bytes copied into the log buffer (may end inside a frame).
    var receivedBytes: Int64
    /// Bytes held past a gap (selective repeat): only the holes are Nak'd.
    let ahead = ByteRanges(capacity: ByteRanges.chainCapacity)
    /// This member's incarnation: the clock at start, 32 bits, never 0 (a
    /// restart changes it). Sent in every Data datagram, and in the high half
    /// of the Status's receive generation.
    let incarnation: Int64
    /// Sent in Status (`ReplicationStatus.receiveGeneration`): `incarnation`
    /// in the high half, the resets of `receivedBytes` since in the low half.
    var receiveGeneration: Int64 = 0
    /// The stream of Data this member takes (`takesStream`).
    var dataSource = DataStreamSource()
    var framesPending = false
    var gaps: GapDetector
    var predecessorCommit: Int64 = 0
    var statusSchedule: StatusSchedule
    /// Answers a restarted head's Pull with this member's log.
    let pusher: LogResendCursor

    var commitFold: CommitFold
    /// The highest chain-durable position this member reported upstream.
    var reportedChainDurable: Int64 = 0

    /// `configurationState`: with failover, the `chain-config` file's state as
    /// read at start (nil: none yet — the cluster file's chain is the committed one).
    public init(configuration: ReplicationConfiguration, log: DurableLog, transport: Transport, clock: Clock,
                counters: ReplicationCounters, leadership: LeadershipGate, logger: Logger,
                configurationState: ConfigurationPersistentState? = nil) {
        precondition(configuration.chainIndex != nil, "node \(configuration.nodeId) is not a member")
        self.configuration = configuration
        self.counters = counters
        self.leadership = LeadershipGate(state: leadership.state, leaderId: leadership.leaderId,
                                         generation: leadership.generation, observed: leadership.observed, ackableFrom: leadership.ackableFrom,
                                         refusalTexts: Self.refusalTexts(configuration),
                                         tooFewReplicasText: Self.tooFewReplicasText(configuration))
        outbox = ReplicationOutbox(transport: transport, nodeId: configuration.nodeId,
                                   clusterId: configuration.clusterId, epoch: configuration.epoch)
        self.clock = clock
        self.log = log
        self.appender = log.appender
        self.logCounters = log.counters
        ownDurable = Mutation.ackBeforeSync.isActive ? log.counters.appended : log.counters.durable
        self.logger = logger
        membersById = Dictionary(uniqueKeysWithValues: configuration.members.map { ($0.nodeId, $0) })
        epoch = configuration.epoch
        chain = configuration.members.map(\.nodeId)
        minimumLength = configuration.failover?.minimumLength ?? 1
        predecessor = configuration.predecessor
        successor = configuration.successor
        bufferBase = log.buffer.base
        bufferMask = Int64(log.buffer.mask)
        bufferCapacity = Int64(log.buffer.capacity)
        dataBytesMax = transport.datagramBytesMax - ReplicationData.bytesOffset
        let heartbeat = configuration.heartbeatIntervalNanos
        let chunkSize = max(1 << 20, 2 * FrameDescriptor.aligned(log.configuration.maximumFrameLength))
        resender = LogResendCursor(log: log, chunkBytes: chunkSize)
        pusher = LogResendCursor(log: log, chunkBytes: chunkSize)
        repairer = LogResendCursor(log: log, chunkBytes: 256 << 10)
        let end = log.appendedPosition
        sender = SuccessorSender(stagedPosition: end, heartbeatIntervalNanos: heartbeat)
        catchUp = HeadCatchUp(headWithSuccessor: predecessor == nil && successor != nil, heartbeatIntervalNanos: heartbeat)
        receivedBytes = end
        incarnation = max(1, Int64(UInt32(truncatingIfNeeded: clock.monotonicNanos())))
        receiveGeneration = incarnation << 32
        outbox.senderIncarnation = incarnation
        gaps = GapDetector(nakDelayNanos: configuration.nakDelayNanos,
                           maximumBackoffNanos: max(heartbeat, configuration.nakDelayNanos))
        statusSchedule = StatusSchedule(heartbeatIntervalNanos: heartbeat)
        commitFold = CommitFold(hasPredecessor: predecessor != nil, hasSuccessor: successor != nil, start: log.startPosition)
        counters.role.setRelease(configuration.role.code)
        counters.epoch.setRelease(Int64(configuration.epoch))
        counters.sentPosition.setRelease(end)
        counters.receivedBytesPosition.setRelease(end)
        counters.chainCommit.setRelease(commitFold.commit)
        // A head with a successor orders nothing until it knows it is not behind it.
        let head = configuration.members[0].nodeId
        if predecessor != nil {
            // `Mutation.followerLeads` (simulator only): a follower says it leads.
            leadership.publish(Mutation.followerLeads.isActive ? .leading : .following, leader: head)
        } else {
            leadership.publish(catchUp.isCatchingUp ? .waiting : .leading, leader: head)
        }
        // A successor needs these bytes until it has them: they gate the buffer
        // (sent) and retention (received). Registered on every member, since a
        // reconfiguration may give a member a successor; without one they
        // follow the log (`releaseWithoutSuccessor`).
        log.addGating(counters.sentPosition)
        counters.successorReceived.setRelease(successor == nil ? .max : log.startPosition)
        log.addRetentionFloor(counters.successorReceived)
        if let settings = configuration.failover { startFailover(settings, state: configurationState) }
    }

    /// Builds the configuration log and the failure detector, and applies the
    /// committed membership the state file holds if it is later than the cluster file's.
    private func startFailover(_ settings: ChainFailoverConfiguration, state: ConfigurationPersistentState?) {
        let now = clock.monotonicNanos()
        let voters = configuration.members.map(\.nodeId)
        let initial: ChainMembership
        do { initial = try ChainMembership(epoch: configuration.epoch, members: voters, minimumLength: settings.minimumLength) } catch {
            preconditionFailure("the cluster file's chain is not a valid membership: \(error)")
        }
        failover = ChainFailover(
            log: ConfigurationLog(nodeId: configuration.nodeId, voters: voters, state: state, initialMembership: initial,
                                  electionTimeoutMinimumNanos: configuration.electionTimeoutMinimumNanos,
                                  electionTimeoutMaximumNanos: configuration.electionTimeoutMaximumNanos,
                                  heartbeatIntervalNanos: configuration.heartbeatIntervalNanos,
                                  seed: configuration.clusterId, now: now),
            detector: FailureDetector(nodeId: configuration.nodeId, members: voters.filter { $0 != configuration.nodeId },
                                      configuration: settings.detector, now: now),
            voters: voters, fencingWindowNanos: settings.detector.fencingWindowNanos,
            startedNanos: now)
        detectorActions = FailureDetectorActions()
        publishConfigurationCounters()
        counters.configurationLeader.setReleaseAllowingDecrease(-1)
        applyCommittedMembershipIfNew(now: now)
    }

    public func doWork() throws -> Int {
        let now = clock.monotonicNanos()
        defer { assertInvariants() }
        var work = 0
        // Finish an earlier batch the socket could not take first.
        if outbox.pendingCount > 0 {
            if case .blocked = flush() { return receive(now: now) }
        }
        work += receive(now: now)
        if failover != nil { work += runFailover(now: now) }
        if predecessor != nil {
            work += publishReceivedFrames(now: now)
            work += requestMissing(now: now)
        }
        if inChain || removedMemberCommits { work += advanceCommit() }
        if predecessor != nil {
            work += reportStatus(now: now)
            work += pushUpstream()
        }
        if catchUp.isCatchingUp {
            work += publishReceivedFrames(now: now)
            work += pullFromSuccessor(now: now)
        } else if successor != nil {
            work += transmit(now: now)
        } else {
            releaseWithoutSuccessor()
        }
        if outbox.pendingCount > 0 {
            _ = flush()
        } else if successor != nil {
            releaseHeldBySuccessor()
        }
        return work
    }

    /// What a member that is not the head tells a publisher, by the head it
    /// names: one text for every other member, since a reconfiguration may
    /// make any of them the head.
    static func refusalTexts(_ configuration: ReplicationConfiguration) -> [UInt32: String] {
        var texts: [UInt32: String] = [:]
        for head in configuration.members where head.nodeId != configuration.nodeId {
            texts[head.nodeId] = "node \(configuration.nodeId) is not the chain's head; publish to the head, node \(head.nodeId) at \(head.clientAddress)"
        }
        return texts
    }

    /// What a head tells a publisher while its chain is shorter than the minimum.
    static func tooFewReplicasText(_ configuration: ReplicationConfiguration) -> String {
        "node \(configuration.nodeId) heads the chain but cannot acknowledge writes now: the chain is shorter than its minimum length, or this member hears no majority of the members (it may have been replaced); retry later"
    }

    /// With the outbox empty, no datagram points into the log buffer: the sent
    /// position (a gate of the buffer) may pass what is staged without a
    /// datagram (`onStatus`) and, for a head taking its log back, what its
    /// successor already holds — else a buffer smaller than the difference
    /// never has room for what comes back (the simulator, seed 372 with
    /// failover: a restarted middle made head, with bytes its successor held
    /// but it had never sent, pulled nothing for five seconds).
    @inline(__always)
    func releaseHeldBySuccessor() {
        var sent = sender.stagedPosition
        if catchUp.isCatchingUp { sent = max(sent, min(counters.successorReceived.getPlain(), logCounters.appended.getAcquire())) }
        if sent > counters.sentPosition.getPlain() { counters.sentPosition.setRelease(sent) }
    }

    /// No successor: the sent position and the successor's floor must not hold the log back.
    @inline(__always)
    func releaseWithoutSuccessor() {
        let durable = logCounters.durable.getAcquire()
        if durable > counters.sentPosition.getPlain() { counters.sentPosition.setRelease(durable) }
    }

    /// Sends what is staged; on completion the staged data bytes count as
    /// sent (releasing their buffer space).
    func flush() -> TransportFlushResult {
        let result = outbox.flush()
        if result.sent > 0 { counters.datagramsSent.addRelease(Int64(result.sent)) }
        if result.failed > 0 { counters.sendErrors.addRelease(Int64(result.failed)) }
        if case .complete = result, successor != nil, sender.stagedPosition > counters.sentPosition.getPlain() {
            counters.sentPosition.setRelease(sender.stagedPosition)
        }
        return result
    }

    /// This member's durable position, as it reports and folds it (see `ownDurable`).
    @inline(__always)
    func ownDurablePosition() -> Int64 { ownDurable.getAcquire() }

    /// Folds the commit position (see `CommitFold`) and publishes it.
    func advanceCommit() -> Int {
        guard commitFold.advance(durable: ownDurablePosition(), appended: logCounters.appended.getAcquire(),
                                 successorChainDurable: sender.chainDurable, predecessorCommit: predecessorCommit) else {
            return 0
        }
        counters.chainCommit.setRelease(commitFold.commit)
        return 1
    }

    /// The position chain this agent keeps (debug builds): commit within the
    /// appended log; a follower's received bytes at or past what it published;
    /// nothing staged past the appended position.
    func assertInvariants() {
        assert(commitFold.commit <= logCounters.appended.getPlain(),
               "commit \(commitFold.commit) past appended \(logCounters.appended.getPlain())")
        assert(predecessor == nil || receivedBytes >= appender.position,
               "received bytes \(receivedBytes) below the published end \(appender.position)")
        assert(successor == nil || sender.stagedPosition <= logCounters.appended.getPlain(),
               "staged \(sender.stagedPosition) past appended \(logCounters.appended.getPlain())")
    }
}
