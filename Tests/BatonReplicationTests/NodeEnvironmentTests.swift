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
