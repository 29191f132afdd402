import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Glibc
import XCTest

/// An in-process cluster of `count` nodes on 127.0.0.1 — a chain, or with
/// `mode: .raft` a Raft cluster — on free UDP ports, each node in its own
/// temporary directory and running its own (shared-mode) thread; `shutdown()`
/// stops every node and removes the directories. A chain's client ports are
/// ephemeral; a Raft cluster's are probed before start, so a follower's
/// refusal names the leader's real address.
final class ClusterHarness {
    let directories: [String]
    var configurations: [NodeConfiguration]
    var nodes: [Node?]

    init(count: Int, mode: ReplicationMode = .chain, durability: DurabilityPolicy = .batch, bufferBytes: Int = 8 << 20,
         tweak: (Int, inout NodeConfiguration) -> Void = { _, _ in }) throws {
        // The ports are probed; if another process takes one first, start again with fresh ones.
        (directories, configurations, nodes) = try FreePorts.retryingAddressInUse(count: count) { ports in
            let clientPorts = mode == .raft ? try FreePorts.loopbackTCP(count) : nil
            let members = ClusterMember.loopbackChain(replicationPorts: ports, clientPorts: clientPorts)
            var directories: [String] = []
            var configurations: [NodeConfiguration] = []
            for index in 0..<count {
                let directory = makeTemporaryDirectory("\(mode.rawValue)-\(index)")
                directories.append(directory)
                var log = LogConfiguration(directory: directory)
                log.segmentBytes = 16 << 20
                log.bufferBytes = bufferBytes
                log.durability = durability
                var configuration = NodeConfiguration(listen: members[index].clientAddress, log: log)
                configuration.nodeId = UInt32(index)
                configuration.threading = .shared
                configuration.idleStrategy = .defaultBackoff
                var replication = ReplicationConfiguration(clusterId: 42, mode: mode, members: members, nodeId: UInt32(index))
                replication.heartbeatIntervalNanos = 5_000_000
                configuration.replication = replication
                tweak(index, &configuration)
                configurations.append(configuration)
            }
            var started: [Node?] = []
            do {
                for configuration in configurations {
                    let node = try Node(configuration: configuration)
                    try node.start()
                    started.append(node)
                }
            } catch {
                for node in started.reversed() { node?.stop() }
                for directory in directories { removeTree(directory) }
                throw error
            }
            return (directories, configurations, started)
        }
    }

    func start(_ index: Int) throws {
        let node = try Node(configuration: configurations[index])
        try node.start()
        nodes[index] = node
    }

    func stop(_ index: Int) {
        nodes[index]?.stop()
        nodes[index] = nil
    }

    func node(_ index: Int) -> Node { nodes[index]! }
    func port(_ index: Int) -> UInt16 { nodes[index]!.clientAddress.port }

    func shutdown() {
        for index in nodes.indices { stop(index) }
        for directory in directories { removeTree(directory) }
    }
}
