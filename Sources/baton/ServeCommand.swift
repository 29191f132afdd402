import ArgumentParser
import BatonAgent
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import Glibc
import Logging

/// `baton serve`: runs one node until SIGINT or SIGTERM, then stops cleanly
/// (agents finish their duty cycle, the log writer flushes, sessions close).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run one Baton node until SIGINT/SIGTERM."
    )

    @Option(name: .long, help: "Node configuration file (TOML: node_id, listen, data, limits), or with --node a cluster file (cluster_id, replication, [[member]], [udp], [raft], [failover], [log]); flags given explicitly override it.")
    var config: String?

    @Option(name: .long, help: "Run member ID of the cluster file given with --config (a chain or Raft member, as the file says).")
    var node: UInt32?

    @Option(name: .long, help: "Data directory (created if missing); required unless --config sets 'data'.")
    var data: String?

    @Option(name: .long, help: "Client address HOST:PORT (port 0 picks a free one). Default 127.0.0.1:7400.")
    var listen: String?

    @OptionGroup var options: NodeOptions

    func run() throws {
        options.bootstrapLogging()
        let logger = Logger(label: "baton")
        let configuration = try makeConfiguration()
        // Block the stop signals before any thread starts, so every agent
        // thread inherits the mask and only `sigwait` below receives them.
        StopSignals.block()
        ignoreSIGPIPE()

        // A fresh data directory is created (its parent must exist); anything
        // else wrong with it is the log's clear error.
        if mkdir(configuration.log.directory, 0o755) == 0 {
            logger.info("created data directory \(configuration.log.directory)")
        }
        let layout = NodeLayout.describe(configuration)
        for line in layout { logger.info("layout: \(line)") }
        let node = try Node(configuration: configuration, logger: logger)
        writeLayout(layout, directory: configuration.log.directory)
        try node.start()
        var role = ""
        if let replication = configuration.replication, let address = node.replicationAddress {
            if replication.mode == .raft {
                role = ", a Raft member (of \(replication.members.count)), replication on \(address)"
            } else if replication.failover != nil, let counters = node.replicationCounters {
                // With failover the chain in force may be a committed one the member's chain-config holds, not the file's.
                let place = ChainRole(code: counters.role.getAcquire()) ?? replication.role
                let position = place == .outside ? "outside the chain (removed by a configuration change)" : "\(place) of the chain"
                role = ", \(position), epoch \(counters.epoch.getAcquire()), automatic failover, replication on \(address)"
            } else {
                role = ", \(replication.role) of the chain, replication on \(address)"
            }
        }
        print("baton node \(configuration.nodeId) listening on \(node.clientAddress) (data \(configuration.log.directory)\(role))")
        fflush(nil)
        let received = StopSignals.wait()
        logger.info("received signal \(received), stopping")
        node.stop()
        logger.info("stopped: log ends at \(node.log.appendedPosition), durable \(node.log.durablePosition)")
    }

    /// Defaults, then `--config`, then `--tuning`, then the flags given explicitly.
    func makeConfiguration() throws -> NodeConfiguration {
        var file: NodeConfigFile?
        var cluster: ClusterConfigFile?
        var profile: TuningProfile?
        do {
            if let config, node != nil {
                cluster = try ClusterConfigFile.load(path: config)
            } else if let config {
                file = try NodeConfigFile.load(path: config)
            }
            if let tuning = options.tuning { profile = try TuningProfile.load(path: tuning) }
        } catch {
            throw ValidationError("\(error)")
        }
        if node != nil && config == nil { throw ValidationError("--node needs --config naming the cluster file") }
        var clusterData: String?
        if let cluster, let node {
            do { clusterData = try cluster.member(id: node).member.data } catch { throw ValidationError("\(error)") }
        }
        guard let directory = data ?? file?.data ?? clusterData else {
            throw ValidationError("--data is required unless the --config file sets 'data'")
        }
        var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 7400),
                                              log: LogConfiguration(directory: directory))
        file?.apply(to: &configuration)
        if let cluster, let node {
            do { try cluster.apply(nodeId: node, to: &configuration) } catch { throw ValidationError("\(error)") }
        }
        profile?.apply(to: &configuration)
        configuration.log.directory = directory
        if let listen {
            do { configuration.listen = try HostAndPort(parsing: listen) } catch { throw ValidationError("--listen: \(error)") }
        }
        try options.apply(to: &configuration)
        do { try configuration.validate() } catch { throw ValidationError("\(error)") }
        return configuration
    }
}
