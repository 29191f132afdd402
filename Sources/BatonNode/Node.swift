import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonReplication
import BatonRing
import Glibc
import Logging

/// A single Baton node: the client I/O agent and the order, log, commit and
/// execute stages, connected by rings and position counters, over one durable
/// log. With `configuration.replication` set the node is a chain member: a
/// replication agent (transmit to the successor, follower order from the
/// predecessor) joins, and commit is the chain's (durable on every member);
/// a follower's order stage refuses publishes with `notLeader`.
///
/// ```
///  sockets ─► client I/O ─(ingress MPSC)─► order ─► log buffer ─► log writer ─► segments
///     ▲          ▲  │                        │                      │ durable
///     │          │  └─(hand-off SPSC)─► execute ◄── commit position ◄┤
///     │          └────(egress MPSC: acks)──── commit ◄─(ack SPSC)───┘
///     └──────────────── Deliver ◄── execute
/// ```
///
/// The node is generic over its `NodeEnvironment` (clock, log storage,
/// replication endpoint) and assembles any `Replicator` (the chain today)
/// behind one seam: the order stage reads the replicator's leadership gate,
/// the commit stage its commit source. `Node` is the production node.
///
/// Threading: build and `start()` on one thread; `stop()` from any thread but
/// the agents' own. In `shared` mode one thread runs every agent; in
/// `dedicated` mode each agent has a thread, pinned to `configuration.cpus[i]`
/// when given, with `configuration.idleStrategies[i]` when given.
public final class GenericNode<Environment: NodeEnvironment> {
    public typealias Clock = Environment.Clock
    public let configuration: NodeConfiguration
    public let log: DurableLog
    public let counters: NodeCounters
    /// Where clients connect (the real port when the configuration asked for port 0).
    public let clientAddress: IPv4SocketAddress
    /// The replication agent's counters (nil without replication).
    public let replicationCounters: ReplicationCounters?
    /// Where this member receives replication datagrams (nil without replication).
    public let replicationAddress: IPv4SocketAddress?
    /// Faults injected on receive (tests; nil unless `configuration.faultInjection`).
    public private(set) var injectedFaults: CounterSet?
    /// A Raft member's own counters (role, term, each follower's durable position); nil for a chain or a single node.
    public private(set) var raftCounters: RaftCounters?
    private var closeTransport: (() -> Void)?
    /// The composite agent when `runsOwnThreads` is false, until taken.
    private nonisolated(unsafe) var externalAgent: (any Agent)?
    /// The same agents one by one (`takeAgents`), for an owner that schedules each itself.
    private nonisolated(unsafe) var externalAgents: [any Agent] = []
    private let logger: Logger
    private var stopRunners: [() -> Void] = []
    private var pendingStart: [() throws -> Void] = []
    private var started = false

    /// Opens (recovers) the log and builds the pipeline over `environment`; nothing runs until `start()`.
    public init(configuration: NodeConfiguration, environment: Environment,
                logger: Logger = Logger(label: "baton.node")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        let directory = configuration.log.directory
        do {
            try environment.fileSystem.checkDirectory(directory)
        } catch .missingDirectory {
            throw NodeError.startup("data directory '\(directory)' does not exist or is not a directory")
        } catch {
            throw NodeError.startup("data directory '\(directory)': \(error)")
        }
        let file = try environment.makeCountersFile(directory: directory, capacity: 256)
        var logConfiguration = configuration.log
        // A chain follower's log is a copy of its predecessor's (members forward only durable bytes, so every
        // log is a prefix of the head's): a corrupted durable frame is cut and fetched again from upstream.
        // A head with a successor cuts it too and takes the rest back from its successor before ordering
        // (`HeadCatchUp`): every committed byte is on every member, so the successor holds whatever
        // committed bytes the cut removed; what it lacks was never acknowledged. A chain of one has no
        // copy: it refuses to open a corrupt log (the operator decides).
        // (Raft: never — a member that cut a durable frame may have counted towards a commit it no longer holds.)
        if let replication = configuration.replication, replication.mode == .chain,
           replication.predecessor != nil || replication.successor != nil {
            logConfiguration.repairsFromReplicas = true
        }
        if configuration.replication?.mode == .raft {
            // A leader said this member's log must start afresh where the leader's begins (its retention deleted the rest).
            try RaftRejoinNote.rejoinIfNoted(log: logConfiguration, fileSystem: environment.fileSystem, logger: logger)
        }
        log = try DurableLog.open(logConfiguration, fileSystem: environment.fileSystem, logger: logger, allocateCounter: { file.allocate(label: "position.\($0)") })
        counters = NodeCounters(file: file)

        let rings = PipelineRings(ingress: ManyToOneRingBuffer(capacity: configuration.ingressRingBytes),
                                  ackRequests: OneToOneRingBuffer(capacity: configuration.ackRingBytes),
                                  egress: ManyToOneRingBuffer(capacity: configuration.ackRingBytes),
                                  handoff: OneToOneRingBuffer(capacity: 1 << 20))
        let clock = environment.clock

        let producers = try Node.rebuildProducers(from: log, maximumProducers: configuration.maximumProducers, logger: logger)
        let replication = configuration.replication
        // A chain member's commit comes from the chain: nothing is committed until the chain says so.
        let initialCommit = replication == nil ? log.durablePosition : log.startPosition
        counters.commitPosition.setRelease(initialCommit)
        counters.executePosition.setRelease(initialCommit)

        let client = try environment.makeClientAgents(ClientAgentContext(configuration: configuration, rings: rings, log: log,
                                                                         counters: counters, clock: clock, logger: logger))
        clientAddress = client.address
        // The environment made the two agents for this node alone and keeps no
        // reference: each goes to its own runner (the compiler sees them in one region).
        nonisolated(unsafe) let clientIO = client.clientIO
        nonisolated(unsafe) let execute = client.delivery
        let writer = try log.makeWriter(storage: environment.makeLogStorage(for: log, logger: logger), clock: clock)
        guard let replication else {
            replicationCounters = nil
            replicationAddress = nil
            let leadership = counters.leadershipGate()
            leadership.publish(.leading, leader: configuration.nodeId)
            assemble(clientIO, writer, execute, rings: rings, producers: producers, clock: clock,
                     commitSource: LocalDurableCommitSource(durable: log.counters.durable), leadership: leadership,
                     replicator: nil as ChainReplicator<Environment.Transport, Clock>?)
            logReady()
            return
        }
        let member = replication.members[replication.chainIndex!]
        let replicationCounters = ReplicationCounters(allocate: { file.allocate(label: $0) })
        let transport: Environment.Transport
        do {
            transport = try environment.bindReplicationTransport(member, configuration: replication, logger: logger)
        } catch {
            throw NodeError.replicationBind(address: member.replicationAddress, underlying: error)
        }
        self.replicationCounters = replicationCounters
        replicationAddress = transport.localAddress
        let endpoint = EndpointCloser(transport)
        closeTransport = { endpoint.close() }
        var raft: (state: RaftPersistentState?, counters: RaftCounters)?
        var configurationState: ConfigurationPersistentState?
        if replication.mode == .raft {
            let peers = replication.members.map(\.nodeId).filter { $0 != replication.nodeId }
            let state = try Self.raftState(log: log, fileSystem: environment.fileSystem)
            let ownCounters = RaftCounters(peers: peers, allocate: { file.allocate(label: $0) })
            raftCounters = ownCounters
            raft = (state, ownCounters)
            logger.info("node \(configuration.nodeId) is a Raft member of \(replication.members.map { String($0.nodeId) }.joined(separator: ", ")) (cluster \(replication.clusterId), term \(state?.currentTerm ?? 0)); replication on \(transport.localAddress)")
        } else if let failover = replication.failover {
            let state = try Self.chainConfigurationState(log: log, fileSystem: environment.fileSystem)
            configurationState = state
            FailoverCounters.publish(replication, failover: failover, allocate: { file.allocate(label: $0) })
            let committed = state?.committedEntry.membership
            let chain = (committed?.members ?? replication.members.map(\.nodeId)).map(String.init).joined(separator: " -> ")
            logger.info("node \(configuration.nodeId) is a member of chain \(chain) (cluster \(replication.clusterId), epoch \(committed?.epoch ?? replication.epoch)\(state == nil ? ", from the cluster file" : ", as its \(ConfigurationStateFile.fileName) file holds it")) with automatic failover (minimum length \(failover.minimumLength), failure time \(failover.detector.failureTimeNanos / 1_000_000) ms); replication on \(transport.localAddress)")
        } else {
            logger.info("node \(configuration.nodeId) is the \(replication.role) of chain \(replication.members.map { String($0.nodeId) }.joined(separator: " -> ")) (cluster \(replication.clusterId), epoch \(replication.epoch)); replication on \(transport.localAddress)")
        }
        // One call per transport type (the replicator is generic over it: no dynamic dispatch).
        if let faults = configuration.faultInjection {
            let faulty = FaultInjectingTransport(base: transport, faults: faults, clock: clock)
            injectedFaults = faulty.counters
            assembleReplicated(clientIO, writer, execute, rings: rings, producers: producers, clock: clock, transport: faulty,
                               replication: replication, counters: replicationCounters, raft: raft,
                               configurationState: configurationState)
        } else {
            assembleReplicated(clientIO, writer, execute, rings: rings, producers: producers, clock: clock, transport: transport,
                               replication: replication, counters: replicationCounters, raft: raft,
                               configurationState: configurationState)
        }
        logReady()
    }

    /// Builds the replication mode's replicator over `transport` (Raft when
    /// `raft` is given, with its durable state and counters; else the chain,
    /// with failover's `configurationState` as read at start) and assembles
    /// the pipeline around it.
    private func assembleReplicated<W: Agent, T: ReplicationTransport>(
        _ clientIO: sending Environment.ClientIO, _ writer: sending W, _ execute: sending Environment.Delivery,
        rings: PipelineRings, producers: sending ProducerTable, clock: Clock, transport: sending T,
        replication: ReplicationConfiguration, counters replicationCounters: ReplicationCounters,
        raft: (state: RaftPersistentState?, counters: RaftCounters)?, configurationState: ConfigurationPersistentState?
    ) {
        if let raft {
            assemble(clientIO, writer, execute, rings: rings, producers: producers, clock: clock,
                     replicator: RaftReplicator(configuration: replication, log: log, state: raft.state, transport: transport, clock: clock,
                                                counters: replicationCounters, raftCounters: raft.counters,
                                                leadership: counters.leadershipGate(), logger: logger))
        } else {
            assemble(clientIO, writer, execute, rings: rings, producers: producers, clock: clock,
                     replicator: ChainReplicator(configuration: replication, log: log, transport: transport, clock: clock,
                                                 counters: replicationCounters, leadership: counters.leadershipGate(),
                                                 logger: logger, configurationState: configurationState))
        }
    }

    private func logReady() {
        logger.info("node \(configuration.nodeId) ready: clients at \(clientAddress), log \(configuration.log.directory) from \(log.startPosition) to \(log.appendedPosition), durability \(configuration.log.durability), threading \(configuration.threading), idle \(configuration.idleStrategy)")
    }

    /// A replicated node: the order stage obeys the replicator's leadership
    /// gate and the commit stage reads its commit source (the `Replicator` seam).
    private func assemble<W: Agent, R: Replicator>(
        _ clientIO: sending Environment.ClientIO, _ writer: sending W, _ execute: sending Environment.Delivery,
        rings: PipelineRings, producers: sending ProducerTable, clock: Clock, replicator: sending R
    ) {
        let commitSource = replicator.commitSource
        let leadership = replicator.leadership
        assemble(clientIO, writer, execute, rings: rings, producers: producers, clock: clock, commitSource: commitSource,
                 leadership: leadership, replicator: Optional(replicator))
    }

    /// Builds the order and commit stages over `commitSource` and
    /// `leadership`, and puts every agent on its thread: one composite agent
    /// (shared) or a runner each (dedicated).
    private func assemble<W: Agent, S: CommitSource, R: Agent>(
        _ clientIO: sending Environment.ClientIO, _ writer: sending W, _ execute: sending Environment.Delivery,
        rings: PipelineRings, producers: sending ProducerTable, clock: Clock,
        commitSource: S, leadership: LeadershipGate, replicator: sending R?
    ) {
        let order = OrderStage(ingress: rings.ingress, ackRequests: rings.ackRequests, egress: rings.egress, log: log,
                               producers: producers, counters: counters, clock: clock,
                               maximumPayloadLength: configuration.maximumPayloadLength, leadership: leadership)
        let commit = CommitStage(source: commitSource, ackRequests: rings.ackRequests, egress: rings.egress,
                                 commitPosition: counters.commitPosition, leadership: leadership)
        let agentErrors = counters.agentErrors
        let errorLogger = logger
        let onError: @Sendable (any Error) -> Void = { error in
            agentErrors.getAndAddAtomic(1)
            errorLogger.error("agent error: \(error)")
        }
        if !configuration.runsOwnThreads {
            if let replicator {
                externalAgent = CompositeAgent(clientIO, order, writer, commit, execute, replicator)
                externalAgents = [clientIO, order, writer, commit, execute, replicator]
            } else {
                externalAgent = CompositeAgent(clientIO, order, writer, commit, execute)
                externalAgents = [clientIO, order, writer, commit, execute]
            }
            return
        }
        switch configuration.threading {
        case .shared:
            if let replicator {
                addRunner(CompositeAgent(clientIO, order, writer, commit, execute, replicator), stage: 0, onError: onError)
            } else {
                addRunner(CompositeAgent(clientIO, order, writer, commit, execute), stage: 0, onError: onError)
            }
        case .dedicated:
            addRunner(clientIO, stage: 0, onError: onError)
            addRunner(order, stage: 1, onError: onError)
            addRunner(writer, stage: 2, onError: onError)
            addRunner(commit, stage: 3, onError: onError)
            addRunner(execute, stage: 4, onError: onError)
            if let replicator { addRunner(replicator, stage: 5, onError: onError) }
        }
    }

    /// Adds the runner of thread `stage` (index into `cpus` and `idleStrategies`).
    private func addRunner<A: Agent>(_ agent: sending A, stage: Int, onError: @escaping @Sendable (any Error) -> Void) {
        let cpu = configuration.cpus.element(at: stage) ?? nil
        let idle = configuration.threading == .dedicated
            ? (configuration.idleStrategies.element(at: stage) ?? nil) ?? configuration.idleStrategy
            : configuration.idleStrategy
        let runner = AgentRunner(agent: agent, idleStrategy: ConfiguredIdleStrategy(idle),
                                 options: AgentRunnerOptions(cpu: cpu, numaNode: configuration.numaNode), errorHandler: onError)
        pendingStart.append { try runner.start() }
        stopRunners.append { runner.stop() }
    }

    /// The node's agents as one composite, for an owner that runs them on a
    /// thread of its own (`runsOwnThreads == false`); nil afterwards or otherwise.
    /// Call once, before the owner's runner starts; the node must outlive the runner.
    public func takeAgent() -> sending (any Agent)? {
        defer {
            externalAgent = nil
            externalAgents = []
        }
        return externalAgent
    }

    /// The node's agents one by one, in pipeline order (client I/O, order,
    /// log writer, commit, delivery, then the replicator), for an owner that
    /// schedules each itself — the simulator, which interleaves them by seed;
    /// empty afterwards, after `takeAgent()`, or when the node runs its own threads.
    /// The owner calls `onStart` on each before its first `doWork` and `onClose` after its last.
    public func takeAgents() -> sending [any Agent] {
        defer {
            externalAgent = nil
            externalAgents = []
        }
        return externalAgents
    }

    /// Starts every agent's thread.
    public func start() throws {
        precondition(!started, "a node starts once")
        started = true
        for start in pendingStart { try start() }
        pendingStart.removeAll()
    }

    /// Stops every agent (in pipeline order: no new input first) and joins their threads.
    public func stop() {
        for stop in stopRunners { stop() }
        stopRunners.removeAll()
        closeTransport?()
        closeTransport = nil
    }

    deinit { stop() }

    /// A Raft member's durable term, vote and term index; nil for a new
    /// member. A log with frames but no state file was not written by a Raft
    /// member (which terms wrote it is unknown): refused, naming the file.
    static func raftState(log: DurableLog, fileSystem: some LogFileSystem) throws -> RaftPersistentState? {
        let directory = log.configuration.directory
        let state = try RaftStateFile.read(directory: directory, fileSystem: fileSystem)
        if state == nil && log.appendedPosition > log.startPosition {
            throw NodeError.startup("data directory '\(directory)' holds a log (up to position \(log.appendedPosition)) but no '\(RaftStateFile.fileName)': it was not written by a Raft member; start Raft members on empty directories")
        }
        return state
    }

    /// A chain member's configuration-log state (`chain-config`: term, vote,
    /// last and committed membership) when it runs with failover; nil for a
    /// member that has none yet (it starts from the cluster file's chain; a
    /// log without the file is fine: the member ran without failover until
    /// now). A damaged file is a start-up error naming it: its term, vote
    /// and committed chain are never guessed.
    static func chainConfigurationState(log: DurableLog, fileSystem: some LogFileSystem) throws -> ConfigurationPersistentState? {
        let directory = log.configuration.directory
        do {
            return try ConfigurationStateFile.read(directory: directory, fileSystem: fileSystem)
        } catch {
            throw NodeError.startup("\(error). It holds this chain member's configuration-log term, vote and committed chain, which are never guessed (a member that forgot its vote could vote twice); restore '\(ConfigurationStateFile.path(in: directory))' or keep the member stopped")
        }
    }

    /// Rebuilds the order stage's producer table from the whole log, so a
    /// publisher that resends after the node restarted is still recognised.
    static func rebuildProducers(from log: DurableLog, maximumProducers: Int, logger: Logger) throws -> ProducerTable {
        let table = ProducerTable(maximumProducers: maximumProducers)
        let frames = try table.record(framesOf: log, from: log.startPosition, upTo: log.appendedPosition)
        if frames > 0 { logger.info("rebuilt de-duplication state of \(table.count) producers from \(frames) frames") }
        return table
    }
}

extension Array {
    func element(at index: Int) -> Element? { index < count ? self[index] : nil }
}

/// The rings between a node's stages, made once at set-up. Threading: each
/// ring has the producers and consumer its doc names; this holder is set-up only.
public struct PipelineRings {
    /// Client I/O → order: `IngressPublishRecord`s.
    public let ingress: ManyToOneRingBuffer
    /// Order → commit: `AckRecord` requests.
    public let ackRequests: OneToOneRingBuffer
    /// Order and commit → client I/O: acks (`AckRecord`) and refusals (`RefusalRecord`).
    public let egress: ManyToOneRingBuffer
    /// Client I/O → delivery: `HandoffRecord`s (subscriber sessions).
    public let handoff: OneToOneRingBuffer
}

/// The production node: the machine's clock, io_uring storage and UDP.
public typealias Node = GenericNode<SystemEnvironment>

extension GenericNode where Environment == SystemEnvironment {
    /// Opens (recovers) the log and builds the pipeline on this machine; nothing runs until `start()`.
    public convenience init(configuration: NodeConfiguration, logger: Logger = Logger(label: "baton.node")) throws {
        try self.init(configuration: configuration, environment: SystemEnvironment(), logger: logger)
    }
}

/// Closes a replication endpoint from `stop()`, which runs only after the
/// replicator's runner has stopped, so the transport is never used by two
/// threads at once (hence unchecked).
private final class EndpointCloser<Transport: ReplicationTransport>: @unchecked Sendable {
    private let transport: Transport
    init(_ transport: Transport) { self.transport = transport }
    func close() { transport.close() }
}
