import BatonAgent
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import BatonTime
import Foundation
import Logging
import XCTest

/// A node environment whose replication goes over an in-memory network, whose
/// counters live in private memory and whose log writes with pwrite
/// (complete within the call). Every node built
/// over it must run its agents on the one thread that drives the network.
final class InMemoryNetworkEnvironment: NodeEnvironment {
    let network: InMemoryReplicationNetwork
    init(network: InMemoryReplicationNetwork) { self.network = network }
    var clock: SystemClock { SystemClock() }
    var fileSystem: SystemFileSystem { SystemFileSystem() }

    func makeCountersFile(directory: String, capacity: Int) throws -> CountersFile {
        try CountersFile(inMemoryCapacity: capacity)
    }

    func makeLogStorage(for log: DurableLog, logger: Logger) -> sending PwriteStorage {
        PwriteStorage(queueDepth: log.configuration.queueDepth)
    }

    func bindReplicationTransport(_ member: ClusterMember, configuration: ReplicationConfiguration,
                                  logger: Logger) throws -> sending InMemoryReplicationTransport {
        network.bind(member.replicationAddress)
    }
}

/// Whole nodes (client I/O, order, log, commit, delivery and replication)
/// over an environment other than the machine's: a 3-member chain whose
/// replication is in memory and whose agents all run on the test's thread.
final class NodeEnvironmentTests: XCTestCase {
    func testAChainOfNodesOverAnInMemoryNetworkCommitsAndDeliversWhatIsPublished() throws {
        let network = InMemoryReplicationNetwork(datagramBytesMax: 8_192, batchDatagrams: 32)
        let environment = InMemoryNetworkEnvironment(network: network)
        var logger = Logger(label: "node-environment")
        logger.logLevel = .error
        let members = (0..<3).map { index in
            ClusterMember(nodeId: UInt32(index), replicationAddress: IPv4SocketAddress(10, 9, 0, UInt8(index + 1), port: 7500),
                          clientAddress: HostAndPort(host: "127.0.0.1", port: 0))
        }
        var directories: [String] = []
        var nodes: [GenericNode<InMemoryNetworkEnvironment>] = []
        defer {
            for node in nodes { node.stop() }
            for directory in directories { removeTree(directory) }
        }
        for index in 0..<3 {
            let directory = makeTemporaryDirectory("node-environment-\(index)")
            directories.append(directory)
            var log = LogConfiguration(directory: directory)
            log.segmentBytes = 4 << 20
            log.bufferBytes = 4 << 20
            var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: log)
            configuration.nodeId = UInt32(index)
            configuration.runsOwnThreads = false
            configuration.replication = ReplicationConfiguration(clusterId: 7, members: members, nodeId: UInt32(index))
            nodes.append(try GenericNode(configuration: configuration, environment: environment, logger: logger))
        }
        var agents = nodes.map { $0.takeAgent()! }
        for agent in agents { try agent.onStart() }
        defer { for agent in agents { agent.onClose() } }
        XCTAssertEqual(nodes.map { $0.replicationAddress }, members.map(\.replicationAddress))

        let count = 2_000
        let headPort = nodes[0].clientAddress.port
        let deadline = Date().addingTimeInterval(120)
        let outcome = PublishOutcome()
        let publisher = Thread {
            do {
                let (sequence, _) = try EndToEnd.publish(port: headPort, producerId: 11, count: count, size: 64, deadline: deadline)
                outcome.finish(acked: sequence)
            } catch {
                outcome.finish(error: "\(error)")
            }
        }
        publisher.start()
        // The test's thread is every node's runner: no sleep, just duty cycles until the publisher is done.
        while !outcome.isDone && Date() < deadline {
            for index in agents.indices { _ = try agents[index].doWork() }
        }
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.acked, UInt64(count - 1), "every message acked (durable on every member)")
        let headEnd = nodes[0].log.appendedPosition
        while nodes[2].counters.commitPosition.getAcquire() < headEnd && Date() < deadline {
            for index in agents.indices { _ = try agents[index].doWork() }
        }
        XCTAssertEqual(nodes[2].log.appendedPosition, headEnd, "the tail holds the head's log")
        XCTAssertEqual(nodes[2].counters.commitPosition.getAcquire(), headEnd)
        XCTAssertEqual(network.undeliverable, 0)
        for directory in directories {
            XCTAssertFalse(SystemFileSystem().exists(directory + "/counters.dat"), "counters in memory, not in the data directory")
        }
        agents = []
    }

    // MARK: - A chain member with failover: its chain-config at start

    private func failoverMembers() -> [ClusterMember] {
        (0..<3).map { index in
            ClusterMember(nodeId: UInt32(index), replicationAddress: IPv4SocketAddress(10, 9, 1, UInt8(index + 1), port: 7500),
                          clientAddress: HostAndPort(host: "127.0.0.1", port: 0))
        }
    }

    /// The networks of the members `makeMember` built: a transport does not keep its network alive.
    private var environments: [InMemoryNetworkEnvironment] = []

    /// Member `nodeId` of the 3-member chain (with failover unless told
    /// otherwise) on `directory`, built (not started) over an in-memory network of its own.
    private func makeMember(_ nodeId: UInt32, directory: String, failover: Bool = true) throws -> GenericNode<InMemoryNetworkEnvironment> {
        let environment = InMemoryNetworkEnvironment(network: InMemoryReplicationNetwork(datagramBytesMax: 8_192, batchDatagrams: 32))
        environments.append(environment)
        var logger = Logger(label: "node-environment")
        logger.logLevel = .critical
        var log = LogConfiguration(directory: directory)
        log.segmentBytes = 4 << 20
        log.bufferBytes = 4 << 20
        var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: log)
        configuration.nodeId = nodeId
        configuration.runsOwnThreads = false
        var replication = ReplicationConfiguration(clusterId: 7, members: failoverMembers(), nodeId: nodeId)
        if failover { replication.failover = ChainFailoverConfiguration() }
        configuration.replication = replication
        return try GenericNode(configuration: configuration, environment: environment, logger: logger)
    }

    /// A committed configuration of epoch 2 without member 2 (term 1), as its `chain-config` file holds it.
    private var removedMemberTwo: ConfigurationPersistentState {
        get throws {
            let entry = ConfigurationEntry(index: 1, term: 1, membership: try ChainMembership(epoch: 2, members: [0, 1], minimumLength: 2))
            return ConfigurationPersistentState(currentTerm: 1, votedFor: 0, committedEntry: entry, lastEntry: entry)
        }
    }

    /// The node reads its `chain-config` at start and the replicator obeys
    /// the committed chain it holds, not the cluster's list: the removed
    /// member starts outside the chain, a kept one in its new place; a member
    /// without the file starts from the configured chain.
    func testAChainMemberWithFailoverStartsFromTheChainItsChainConfigHolds() throws {
        let directory = makeTemporaryDirectory("failover-start")
        defer { removeTree(directory) }
        try ConfigurationStateFile.write(try removedMemberTwo, directory: directory, fileSystem: SystemFileSystem())

        let removed = try makeMember(2, directory: directory)
        let counters = try XCTUnwrap(removed.replicationCounters)
        XCTAssertEqual(ChainRole(code: counters.role.getAcquire()), .outside)
        XCTAssertEqual(counters.epoch.getAcquire(), 2)
        XCTAssertEqual(counters.reconfigurations.getAcquire(), 1)
        XCTAssertEqual(counters.configurationTerm.getAcquire(), 1)
        removed.stop()

        let tail = try makeMember(1, directory: directory)
        XCTAssertEqual(ChainRole(code: tail.replicationCounters!.role.getAcquire()), .tail, "the middle of 0-1-2 is the tail of 0-1")
        XCTAssertEqual(tail.replicationCounters!.epoch.getAcquire(), 2)
        tail.stop()
        XCTAssertEqual(try ConfigurationStateFile.read(directory: directory, fileSystem: SystemFileSystem()), try removedMemberTwo,
                       "log recovery kept the file")

        let fresh = makeTemporaryDirectory("failover-start-fresh")
        defer { removeTree(fresh) }
        let middle = try makeMember(1, directory: fresh)
        XCTAssertEqual(ChainRole(code: middle.replicationCounters!.role.getAcquire()), .middle)
        XCTAssertEqual(middle.replicationCounters!.epoch.getAcquire(), 1)
        XCTAssertEqual(middle.replicationCounters!.configurationLeader.getAcquire(), -1, "no configuration leader heard yet")
        middle.stop()
    }

    /// A damaged `chain-config` stops the start with an error naming the
    /// file (its term, vote and committed chain are never guessed); a
    /// member without failover does not read it.
    func testADamagedChainConfigIsAStartUpErrorNamingTheFile() throws {
        let directory = makeTemporaryDirectory("failover-damaged")
        defer { removeTree(directory) }
        let files = SystemFileSystem()
        let path = ConfigurationStateFile.path(in: directory)
        var bytes = try ConfigurationStateFile.encode(try removedMemberTwo, path: path)
        bytes[9] ^= 0x40 // inside the current term: the CRC32C no longer matches
        try files.writeFileAtomically(path, directory: directory, bytes: bytes)
        XCTAssertThrowsError(try makeMember(0, directory: directory)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(path), text)
            XCTAssertTrue(text.contains("CRC32C"), text)
            XCTAssertTrue(text.contains("never guessed"), text)
        }
        let staticMember = try makeMember(0, directory: directory, failover: false)
        XCTAssertEqual(ChainRole(code: staticMember.replicationCounters!.role.getAcquire()), .head)
        XCTAssertEqual(staticMember.replicationCounters!.epoch.getAcquire(), 1)
        staticMember.stop()
    }
}

/// What the publishing thread reports to the driving thread.
final class PublishOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    private var ackedSequence: UInt64?
    private var failure: String?
    var isDone: Bool { lock.withLock { done } }
    var acked: UInt64? { lock.withLock { ackedSequence } }
    var error: String? { lock.withLock { failure } }
    func finish(acked: UInt64) { lock.withLock { ackedSequence = acked; done = true } }
    func finish(error: String) { lock.withLock { failure = error; done = true } }
}
