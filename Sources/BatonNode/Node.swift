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
/// Threading: build and `start()` on one thread; `stop()` from any thread but
/// the agents' own. In `shared` mode one thread runs every agent; in
/// `dedicated` mode each agent has a thread, pinned to `configuration.cpus[i]`
/// when given, with `configuration.idleStrategies[i]` when given.
public final class Node {
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
    private var closeTransport: (() -> Void)?
    /// The composite agent when `runsOwnThreads` is false, until taken.
    private nonisolated(unsafe) var externalAgent: (any Agent)?
    private let logger: Logger
    private var stopRunners: [() -> Void] = []
    private var pendingStart: [() throws -> Void] = []
    private var started = false

    /// Opens (recovers) the log and builds the pipeline; nothing runs until `start()`.
    public init(configuration: NodeConfiguration, logger: Logger = Logger(label: "baton.node")) throws {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        var info = stat()
        guard stat(configuration.log.directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw NodeError.startup("data directory '\(configuration.log.directory)' does not exist or is not a directory")
        }
        let file = try CountersFile(creatingAt: configuration.log.directory + "/counters.dat", capacity: 128)
        log = try DurableLog.open(configuration.log, logger: logger, allocateCounter: { file.allocate(label: "position.\($0)") })
        counters = NodeCounters(file: file)

        let ingress = ManyToOneRingBuffer(capacity: configuration.ingressRingBytes)
        let ackRequests = OneToOneRingBuffer(capacity: configuration.ackRingBytes)
        let egress = ManyToOneRingBuffer(capacity: configuration.ackRingBytes)
        let handoff = OneToOneRingBuffer(capacity: 1 << 20)
        let clock = SystemClock()

        let producers = try Node.rebuildProducers(from: log, maximumProducers: configuration.maximumProducers, logger: logger)
        let replication = configuration.replication
        // A chain member's commit comes from the chain: nothing is committed until the chain says so.
        let initialCommit = replication == nil ? log.durablePosition : log.startPosition
        counters.commitPosition.setRelease(initialCommit)
        counters.executePosition.setRelease(initialCommit)

        let clientIO = try ClientSessionsAgent(configuration: configuration, ingress: ingress, egress: egress, handoff: handoff,
                                               counters: counters, commitPosition: counters.commitPosition, clock: clock,
                                               logger: logger)
        clientAddress = clientIO.boundAddress
        var followerRefusal: String?
        if let replication, let predecessor = replication.predecessor, let head = replication.members.first {
            followerRefusal = "node \(replication.nodeId) follows node \(predecessor.nodeId) in the chain; publish to the head, node \(head.nodeId) at \(head.clientAddress)"
        }
        // A chain head orders only once its replication agent says its log holds all its successor's.
        let chainCounters = replication.map { _ in ReplicationCounters(allocate: { file.allocate(label: $0) }) }
        let order = OrderStage(ingress: ingress, ackRequests: ackRequests, egress: egress, appender: log.appender,
                               producers: producers, counters: counters, clock: clock,
                               maximumPayloadLength: configuration.maximumPayloadLength, followerRefusal: followerRefusal,
                               readyGate: chainCounters.map { [log] in HeadReadyGate(ready: $0.headReady, log: log) })
        let writer = try log.makeWriter()
        let execute = try DeliveryStage(configuration: configuration, handoff: handoff, log: log,
                                        commitPosition: counters.commitPosition, counters: counters, clock: clock, logger: logger)
        if let replication {
            let member = replication.members[replication.chainIndex!]
            let replicationCounters = chainCounters!
            let transport: UDPReplicationTransport
            do {
                transport = try UDPReplicationTransport(bindingTo: member.replicationAddress, batch: replication.udpBatch,
                                                        mtu: replication.mtu, socketBufferBytes: replication.socketBufferBytes,
                                                        logger: logger)
            } catch {
                throw NodeError.startup("replication address \(member.replicationAddress): \(error)")
            }
            self.replicationCounters = replicationCounters
            let socket = transport.socket
            replicationAddress = transport.localAddress
            closeTransport = { socket.close() }
            logger.info("node \(configuration.nodeId) is the \(replication.role) of chain \(replication.members.map { String($0.nodeId) }.joined(separator: " -> ")) (cluster \(replication.clusterId), epoch \(replication.epoch)); replication on \(transport.localAddress)")
            let commit = CommitStage(source: ChainCommitSource(chainCommit: replicationCounters.chainCommit),
                                     ackRequests: ackRequests, egress: egress, commitPosition: counters.commitPosition)
            if let faults = configuration.faultInjection {
                let faulty = FaultInjectingTransport(base: transport, faults: faults, clock: clock)
                injectedFaults = faulty.counters
                let replicator = ChainReplicator(configuration: replication, log: log, transport: faulty, clock: clock,
                                                 counters: replicationCounters, logger: logger)
                assemble(clientIO, order, writer, commit, execute, replicator)
            } else {
                let replicator = ChainReplicator(configuration: replication, log: log, transport: transport, clock: clock,
                                                 counters: replicationCounters, logger: logger)
                assemble(clientIO, order, writer, commit, execute, replicator)
            }
        } else {
            replicationCounters = nil
            replicationAddress = nil
            let commit = CommitStage(source: LocalDurableCommitSource(durable: log.counters.durable), ackRequests: ackRequests,
                                     egress: egress, commitPosition: counters.commitPosition)
            assemble(clientIO, order, writer, commit, execute, nil as ChainReplicator<UDPReplicationTransport, SystemClock>?)
        }
        logger.info("node \(configuration.nodeId) ready: clients at \(clientAddress), log \(configuration.log.directory) from \(log.startPosition) to \(log.appendedPosition), durability \(configuration.log.durability), threading \(configuration.threading), idle \(configuration.idleStrategy)")
    }

    /// Puts the agents on threads: one composite agent (shared) or a runner each (dedicated).
    private func assemble<W: Agent, S: CommitSource, R: Agent>(
        _ clientIO: sending ClientSessionsAgent<SystemClock>, _ order: sending OrderStage<SystemClock>, _ writer: sending W,
        _ commit: sending CommitStage<S>, _ execute: sending DeliveryStage<SystemClock>, _ replicator: sending R?
    ) {
        let agentErrors = counters.agentErrors
        let errorLogger = logger
        let onError: @Sendable (any Error) -> Void = { error in
            agentErrors.getAndAddAtomic(1)
            errorLogger.error("agent error: \(error)")
        }
        if !configuration.runsOwnThreads {
            if let replicator {
                externalAgent = CompositeAgent(clientIO, order, writer, commit, execute, replicator)
            } else {
                externalAgent = CompositeAgent(clientIO, order, writer, commit, execute)
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
        defer { externalAgent = nil }
        return externalAgent
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
