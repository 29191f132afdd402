import ArgumentParser
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import Glibc
import Logging

/// `baton cluster`: a whole local cluster of N members in one process — a
/// chain (the embedded default `make run` starts) or, with `--replication
/// raft`, a Raft cluster. Member i (id i; 0 = a chain's head) serves clients
/// on `--base-port + i` and replication on `--base-port + 100 + i`, with its
/// data in `--data/node-i`. A Raft cluster's members elect their leader: the
/// command waits (bounded) for it and names it. `--failover` gives a chain
/// automatic failover with the `[failover]` defaults (every member runs in
/// this one process, so it is there to watch the machinery — `baton stat` —
/// rather than to survive a crash). Runs until SIGINT/SIGTERM, then stops
/// every member.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a local chain or Raft cluster of N nodes in one process until SIGINT/SIGTERM."
    )

    @Option(name: .long, help: "Members (chain: 1 to 16; raft: 1, 3, 5 or 7).")
    var nodes: Int = 3

    @Option(name: .long, help: "How the members replicate: chain (the first orders) or raft (an elected leader orders).")
    var replication: ReplicationMode = .chain

    @Option(name: .long, help: "Data directory; member i keeps its log in DIR/node-i (created if missing).")
    var data: String = "./data"

    @Option(name: .long, help: "Client port of member 0; member i listens on P+i for clients and P+100+i for replication.")
    var basePort: Int = 7400

    @Flag(name: .long, help: "Chain only: automatic failover with the cluster file's [failover] defaults (minimum length 2, suspect 100 ms, confirm 200 ms, configuration elections 150-300 ms).")
    var failover = false

    @Option(name: .long, help: "Cluster id carried in every replication datagram.")
    var clusterId: UInt64 = 1

    @Option(name: .long, help: "per-node: each member runs its own threads (--threading applies; the default, measured faster on 2 cores: BENCHMARKS.md); one: every member's agents on one thread.")
    var threads: ClusterThreads = .perNode

    @OptionGroup var options: NodeOptions

    func validate() throws {
        guard (1...16).contains(nodes) else { throw ValidationError("--nodes \(nodes): a chain has 1 to 16 members") }
        if replication == .raft && (nodes % 2 == 0 || nodes > ClusterConfigFile.maximumRaftMembers) {
            throw ValidationError("--nodes \(nodes) with --replication raft: a Raft cluster has an odd number of members, "
                                  + "at most \(ClusterConfigFile.maximumRaftMembers) (3 or 5 usually)")
        }
        if failover && replication == .raft {
            throw ValidationError("--failover is for a chain: a Raft cluster elects its leader itself (drop --failover or --replication raft)")
        }
        if failover && nodes < 2 {
            throw ValidationError("--failover with --nodes \(nodes): failover keeps a chain of at least 2 members (its minimum length); give --nodes 2 or more")
        }
        guard basePort >= 1, basePort + 100 + nodes - 1 <= 65_535 else {
            throw ValidationError("--base-port \(basePort): ports P...P+\(nodes - 1) and P+100...P+\(100 + nodes - 1) must be 1...65535")
        }
    }

    func run() throws {
        options.bootstrapLogging()
        let logger = Logger(label: "baton")
        let configurations = try makeConfigurations()
        StopSignals.block()
        ignoreSIGPIPE()
        var running: [Node] = []
        var stopShared: (() -> Void)?
        defer {
            stopShared?()
            for node in running { node.stop() }
        }
        for configuration in configurations {
            let node = try Node(configuration: configuration, logger: Logger(label: "baton.node-\(configuration.nodeId)"))
            try node.start()
            running.append(node)
            var layout = NodeLayout.describe(configuration)
            if threads == .one { layout.insert("baton cluster --threads one: every member's agents share one thread", at: 0) }
            writeLayout(layout, directory: configuration.log.directory)
        }
        if threads == .one { stopShared = try runOnOneThread(running, logger: logger) }
        print("baton cluster: \(nodes) nodes, \(replication == .raft ? "Raft" : "chain") replication\(failover ? " with automatic failover" : "") (cluster \(clusterId)), durability \(configurations[0].log.durability), \(threads == .one ? "one thread for every member" : "threads per member")")
        for (node, configuration) in zip(running, configurations) {
            let role = replication == .raft ? "raft member" : "\(configuration.replication!.role)"
            print("  node \(configuration.nodeId) \(role): clients \(node.clientAddress), replication \(node.replicationAddress!), data \(configuration.log.directory)")
        }
        if replication == .raft {
            fflush(nil)
            printRaftLeader(running)
        } else {
            print("publish to the head at \(running[0].clientAddress); subscribe on any node")
        }
        fflush(nil)
        let received = StopSignals.wait()
        logger.info("received signal \(received), stopping")
        stopShared?()
        stopShared = nil
        for node in running { node.stop() }
        for node in running {
            logger.info("node \(node.configuration.nodeId): log ends at \(node.log.appendedPosition), durable \(node.log.durablePosition), commit \(node.counters.commitPosition.getAcquire())")
        }
        running.removeAll()
    }

    /// Waits (bounded) for the members to elect a leader and says which
    /// one leads and where to publish; or that none did yet.
    func printRaftLeader(_ running: [Node]) {
        let every = running.map { $0.clientAddress.description }.joined(separator: ",")
        let seconds = RaftLeaderWait.defaultTimeoutNanos / 1_000_000_000
        guard let index = RaftLeaderWait.leader(of: running) else {
            print("no Raft leader elected after \(seconds) s; followers refuse publishes until one is (`baton stat --data DIR` shows each member's role and term)")
            return
        }
        let leader = running[index]
        print("node \(leader.configuration.nodeId) leads (term \(RaftLeaderWait.term(of: leader))): publish to it at \(leader.clientAddress), "
              + "or give clients every member (--broker \(every)) to follow the leader when it changes; subscribe on any node")
    }

    /// Every member's configuration: the local cluster layout, then the tuning profile, then the flags.
    func makeConfigurations() throws -> [NodeConfiguration] {
        let cluster = ClusterConfigFile.localCluster(nodes: nodes, basePort: basePort, dataDirectory: data, clusterId: clusterId,
                                                     replication: replication == .raft ? .raft : .chain,
                                                     failover: failover ? ClusterConfigFile.Failover() : nil)
        var profile: TuningProfile?
        do {
            try cluster.validate()
            if let tuning = options.tuning { profile = try TuningProfile.load(path: tuning) }
        } catch {
            throw ValidationError("\(error)")
        }
        if mkdir(data, 0o755) != 0 && errno != EEXIST {
            throw ValidationError("--data '\(data)': cannot create the directory (errno \(errno))")
        }
        return try cluster.members.map { member in
            if mkdir(member.data, 0o755) != 0 && errno != EEXIST {
                throw ValidationError("cannot create data directory '\(member.data)' (errno \(errno))")
            }
            var configuration = NodeConfiguration(listen: member.client, log: LogConfiguration(directory: member.data))
            configuration.runsOwnThreads = threads == .perNode
            do { try cluster.apply(nodeId: member.id, to: &configuration) } catch { throw ValidationError("\(error)") }
            profile?.apply(to: &configuration)
            try options.apply(to: &configuration)
            do { try configuration.validate() } catch { throw ValidationError("\(error)") }
            return configuration
        }
    }
}

/// How `baton cluster` puts its members on threads.
enum ClusterThreads: String, ExpressibleByArgument {
    /// Every member's agents on one thread (their blocking syncs then serialise on it).
    case one
    /// Each member runs its own threads (`--threading` applies).
    case perNode = "per-node"
}
