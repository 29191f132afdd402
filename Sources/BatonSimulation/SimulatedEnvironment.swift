import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import Logging

/// One simulated machine, as a `NodeEnvironment`: its drifting clock, its
/// in-memory disk (file system and write path), its end of the simulated
/// network, its counters in plain memory, and in-memory client agents on the
/// pipeline's rings. A member's node is rebuilt over the same environment
/// after a crash (same disk, same clock, a fresh endpoint).
///
/// Threading: the simulation's thread (nodes over it are built with
/// `runsOwnThreads == false` and their agents driven by the simulation).
public final class SimulatedEnvironment: NodeEnvironment, @unchecked Sendable {
    public let member: Int
    public let clock: SimulatedClock
    public let disk: SimulatedDisk
    let network: SimulatedNetwork
    let clients: SimulatedClients
    let time: SimulationTime
    /// The write path of the node built last (its completions have ready times the simulation waits for).
    public private(set) var storage: SimulatedStorage?

    init(member: Int, clock: SimulatedClock, disk: SimulatedDisk, network: SimulatedNetwork, clients: SimulatedClients,
         time: SimulationTime) {
        self.member = member
        self.clock = clock
        self.disk = disk
        self.network = network
        self.clients = clients
        self.time = time
    }

    public var fileSystem: SimulatedDisk { disk }

    public func makeCountersFile(directory: String, capacity: Int) throws -> CountersFile {
        try CountersFile(inMemoryCapacity: capacity, name: "member \(member)")
    }

    public func makeLogStorage(for log: DurableLog, logger: Logger) -> sending SimulatedStorage {
        let time = time
        // The simulation keeps a reference only to ask when its next completion is ready (same thread).
        nonisolated(unsafe) let made = SimulatedStorage(disk: disk, queueDepth: log.configuration.queueDepth, now: { time.now })
        storage = made
        return made
    }

    public func bindReplicationTransport(_ member: ClusterMember, configuration: ReplicationConfiguration,
                                         logger: Logger) throws -> sending InMemoryReplicationTransport {
        network.memory.bind(member.replicationAddress)
    }

    public func makeClientAgents(_ context: ClientAgentContext<SimulatedClock>) throws
        -> sending ClientAgents<SimulatedClientPort, SimulatedDelivery> {
        // Both agents share the simulation's client objects: every one of them lives on the simulation's thread.
        let port = SimulatedClientPort(member: member, clients: clients, rings: context.rings, counters: context.counters)
        let delivery = SimulatedDelivery(member: member, clients: clients, log: context.log, counters: context.counters)
        nonisolated(unsafe) let agents = ClientAgents(clientIO: port, delivery: delivery,
                                                      address: IPv4SocketAddress(10, 0, 1, UInt8(member + 1), port: 7400))
        return agents
    }
}
