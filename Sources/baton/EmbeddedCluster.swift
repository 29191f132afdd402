import ArgumentParser
import BatonBench
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import Glibc
import Logging

/// Nodes started inside this process for `baton bench --embedded`, each
/// with a fresh temporary data directory and a client port on 127.0.0.1.
///
/// Invariant: `clientAddresses` lists the running nodes' client addresses,
/// the one that orders first (a chain's head; the Raft leader elected at
/// start) — benchmarks publish to the first; after `stop()` every node is
/// stopped and every data directory removed (`stop()` is idempotent;
/// `deinit` calls it).
/// Threading: made and stopped on one thread; the nodes run their own.
final class EmbeddedCluster {
    let clientAddresses: [IPv4SocketAddress]
    /// The data directories to remove at `stop()` (the members' common parent for a cluster).
    let dataDirectories: [String]
    /// The settings in words, for reports: "1 node, durability batch, threading shared, idle backoff(...)".
    let summary: String
    private var nodes: [Node]
    /// Stops the one thread a cluster's members share (nil for a single node).
    private var stopSharedRunner: (() -> Void)?

    /// `leader`: the index in `nodes` of the member that orders (listed first).
    init(nodes: [Node], dataDirectories: [String], stopSharedRunner: (() -> Void)? = nil, leader: Int = 0) {
        let onOneThread = stopSharedRunner != nil
        self.nodes = nodes
        self.dataDirectories = dataDirectories
        self.stopSharedRunner = stopSharedRunner
        clientAddresses = [nodes[leader].clientAddress] + nodes.indices.filter { $0 != leader }.map { nodes[$0].clientAddress }
        let first = nodes[0].configuration
        var threads = "threading \(first.threading)"
        if let replication = first.replication {
            let placement = onOneThread ? "every member on one thread" : "each member on its own threads (threading \(first.threading))"
            threads = replication.mode == .raft
                ? "Raft replication (node \(nodes[leader].configuration.nodeId) leads), \(placement)"
                : "chain replication, \(placement)"
        }
        summary = "\(nodes.count) node\(nodes.count == 1 ? "" : "s"), durability \(first.log.durability), "
            + "\(threads), idle \(first.idleStrategy)"
    }

    /// Stops every node (last first) and removes its data directory.
    func stop() {
        stopSharedRunner?()
        stopSharedRunner = nil
        while let node = nodes.popLast() { node.stop() }
        for directory in dataDirectories { SystemFileSystem().removeTree(directory) }
    }

    deinit { stop() }
}

/// Starts the embedded cluster of `baton bench --embedded`: `nodes` nodes
/// replicating by `replication` (`chain` or `raft`), with `durability`
/// (nil: the profile's, else the default) and the tuning profile at
/// `tuning` (nil: defaults), each on 127.0.0.1 with a kernel-picked port
/// and a temporary data directory under `$TMPDIR` (or /tmp). The caller
/// must `stop()` it.
///
/// `nodes > 1` (or Raft): a cluster on free UDP ports of 127.0.0.1, each
/// member on its own threads (`threads` `.perNode`, as `baton cluster` runs
/// it by default) or every member's agents on one thread (`.one`). A
/// chain lists its head first in `clientAddresses`; a Raft cluster waits
/// (at most `RaftLeaderWait.defaultTimeoutNanos`) until a member leads,
/// lists that one first and says on stderr which it is.
func startEmbeddedCluster(nodes: Int, replication: ReplicationMode, durability: DurabilityPolicy?, tuning: String?,
                          threads: ClusterThreads = .perNode) throws -> EmbeddedCluster {
    guard nodes >= 1 else { throw ValidationError("--nodes \(nodes): at least one node") }
    guard nodes <= 16 else { throw ValidationError("--nodes \(nodes): a chain has 1 to 16 members") }
    if replication == .raft && (nodes % 2 == 0 || nodes > ClusterConfigFile.maximumRaftMembers) {
        throw ValidationError("--nodes \(nodes) with --replication raft: a Raft cluster has an odd number of members, "
                              + "at most \(ClusterConfigFile.maximumRaftMembers) (3 or 5 usually)")
    }
    var profile: TuningProfile?
    if let tuning {
        do { profile = try TuningProfile.load(path: tuning) } catch { throw ValidationError("--tuning: \(error)") }
    }
    var logger = Logger(label: "baton.embedded") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = .warning
    StopSignals.block()  // before any node thread starts: only the watcher below receives them
    let directory: String
    do {
        directory = try SystemFileSystem().makeTemporaryDirectory(prefix: "baton-bench")
    } catch {
        throw ValidationError("cannot make a temporary data directory: \(error)")
    }
    do {
        if nodes == 1 && replication == .chain {
            var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0),
                                                  log: LogConfiguration(directory: directory))
            profile?.apply(to: &configuration)
            configuration.log.directory = directory
            if let durability { configuration.log.durability = durability }
            do { try configuration.validate() } catch { throw ValidationError("embedded node: \(error)") }
            let node = try Node(configuration: configuration, logger: logger)
            try node.start()
            try removeOnStopSignal([directory])
            return EmbeddedCluster(nodes: [node], dataDirectories: [directory])
        }
        return try startEmbeddedReplicated(nodes: nodes, replication: replication, directory: directory, durability: durability,
                                           profile: profile, threads: threads, logger: logger)
    } catch {
        SystemFileSystem().removeTree(directory)
        throw error
    }
}

/// A chain or Raft cluster of `nodes` members under `directory` (member i in
/// `node-i`), on UDP ports free at start, on `threads`. A chain's
/// client ports are picked by the kernel; a Raft cluster's are probed too,
/// because a follower's refusal names the leader's client address.
private func startEmbeddedReplicated(nodes: Int, replication: ReplicationMode, directory: String, durability: DurabilityPolicy?,
                                     profile: TuningProfile?, threads: ClusterThreads, logger: Logger) throws -> EmbeddedCluster {
    // The ports are probed: if another process takes one first, start again with fresh ones.
    try FreePorts.retryingAddressInUse(count: nodes) { ports in
        let clientPorts = replication == .raft ? try FreePorts.loopbackTCP(nodes) : nil
        let members = ClusterMember.loopbackChain(replicationPorts: ports, clientPorts: clientPorts)
        var started: [Node] = []
        var directories: [String] = []
        var stopRunner: (() -> Void)?
        do {
            for index in 0..<nodes {
                let memberDirectory = directory + "/node-\(index)"
                guard mkdir(memberDirectory, 0o755) == 0 else {
                    throw ValidationError("cannot create \(memberDirectory): \(String(cString: strerror(errno)))")
                }
                directories.append(memberDirectory)
                var configuration = NodeConfiguration(listen: members[index].clientAddress,
                                                      log: LogConfiguration(directory: memberDirectory))
                configuration.nodeId = UInt32(index)
                configuration.replication = ReplicationConfiguration(clusterId: 1, mode: replication, members: members,
                                                                     nodeId: UInt32(index))
                configuration.runsOwnThreads = threads == .perNode
                profile?.apply(to: &configuration)
                configuration.log.directory = memberDirectory
                if let durability { configuration.log.durability = durability }
                do { try configuration.validate() } catch { throw ValidationError("embedded member \(index): \(error)") }
                let node = try Node(configuration: configuration, logger: logger)
                try node.start()
                started.append(node)
            }
            if threads == .one { stopRunner = try runOnOneThread(started, logger: logger) }
            var leader = 0
            if replication == .raft {
                let begun = RaftLeaderWait.monotonicNanos()
                guard let elected = RaftLeaderWait.leader(of: started) else {
                    throw ValidationError("the embedded Raft cluster of \(nodes) elected no leader within "
                                          + "\(RaftLeaderWait.defaultTimeoutNanos / 1_000_000_000) s")
                }
                leader = elected
                let millis = (RaftLeaderWait.monotonicNanos() - begun) / 1_000_000
                BenchOutput.progress("embedded Raft cluster of \(nodes): node \(started[elected].configuration.nodeId) leads "
                                     + "(term \(RaftLeaderWait.term(of: started[elected])), elected in \(millis) ms); "
                                     + "publishing to it at \(started[elected].clientAddress)")
            }
            try removeOnStopSignal([directory])
            return EmbeddedCluster(nodes: started, dataDirectories: [directory], stopSharedRunner: stopRunner, leader: leader)
        } catch {
            stopRunner?()
            for node in started.reversed() { node.stop() }
            for memberDirectory in directories { SystemFileSystem().removeTree(memberDirectory) }
            throw error
        }
    }
}

/// A detached thread that waits for SIGINT or SIGTERM and then removes
/// `directories` and exits (status 128 + the signal), so an interrupted
/// bench leaves no temporary data behind.
private func removeOnStopSignal(_ directories: [String]) throws {
    let watcher = try BenchThread {
        let received = StopSignals.wait()
        for directory in directories { SystemFileSystem().removeTree(directory) }
        _exit(128 + received)
    }
    watcher.detach()
}
