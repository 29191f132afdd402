import BatonAgent
import BatonLog
import BatonReplication
import BatonTime
import Logging

/// Everything outside a node that it reaches through a seam: time, the log's
/// file system (recovery, segments, checkpoints, reads) and storage (the
/// write path), and the replication endpoint. `GenericNode` is
/// generic over it, so production (`SystemEnvironment`) specialises and the
/// seam costs no dynamic dispatch; tests and the simulator substitute a
/// manual clock, pwrite storage and an in-memory network.
///
/// The client side is behind it too: `makeClientAgents` builds the client
/// I/O and delivery agents over the pipeline's rings (by default the TCP
/// ones; the simulator's clients live in memory).
///
/// Threading: the node calls the factories on its set-up thread; `clock`
/// is then read from every stage's thread (hence `Sendable`).
public protocol NodeEnvironment {
    associatedtype Clock: NanoClock & Sendable
    associatedtype Files: LogFileSystem
    associatedtype Storage: LogStorage
    associatedtype Transport: ReplicationTransport
    associatedtype ClientIO: Agent = ClientSessionsAgent<Clock>
    associatedtype Delivery: Agent = DeliveryStage<Clock>
    /// The clock every stage reads.
    var clock: Clock { get }
    /// Where the log's files live (the storage made below must write to its descriptors).
    var fileSystem: Files { get }
    /// The memory of the node's counters: the file `baton stat` maps
    /// (`<directory>/counters.dat`) on a machine, plain memory in a simulation.
    func makeCountersFile(directory: String, capacity: Int) throws -> CountersFile
    /// The log writer's storage for `log` (made once, on set-up).
    func makeLogStorage(for log: DurableLog, logger: Logger) -> sending Storage
    /// The replication endpoint of `member`, bound and ready (made once, on set-up).
    func bindReplicationTransport(_ member: ClusterMember, configuration: ReplicationConfiguration,
                                  logger: Logger) throws -> sending Transport
    /// The client I/O and delivery agents over `context.rings` (made once, on set-up).
    func makeClientAgents(_ context: ClientAgentContext<Clock>) throws -> sending ClientAgents<ClientIO, Delivery>
}

/// The machine: `CLOCK_MONOTONIC`/`CLOCK_REALTIME`, POSIX files, io_uring
/// (or the pwrite fallback) and a UDP socket with sendmmsg/recvmmsg. Stateless; any thread.
public struct SystemEnvironment: NodeEnvironment, Sendable {
    public init() {}
    public var clock: SystemClock { SystemClock() }
    public var fileSystem: SystemFileSystem { SystemFileSystem() }

    public func makeCountersFile(directory: String, capacity: Int) throws -> CountersFile {
        try CountersFile(creatingAt: directory + "/counters.dat", capacity: capacity)
    }

    public func makeLogStorage(for log: DurableLog, logger: Logger) -> sending SystemStorage {
        SystemStorage(configuration: log.configuration, buffer: log.buffer, logger: logger)
    }

    public func bindReplicationTransport(_ member: ClusterMember, configuration: ReplicationConfiguration,
                                         logger: Logger) throws -> sending UDPReplicationTransport {
        try UDPReplicationTransport(bindingTo: member.replicationAddress, batch: configuration.udpBatch,
                                    mtu: configuration.mtu, socketBufferBytes: configuration.socketBufferBytes, logger: logger)
    }
}
