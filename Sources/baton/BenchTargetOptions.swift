import ArgumentParser
import BatonReplication
import BatonBench
import BatonLog
import BatonNet

/// Where a bench run sends its load: running brokers (`--broker`, several
/// allowed: publish to the first, subscribe on each) or an embedded
/// cluster this process starts and stops (`--embedded`).
struct BenchTargetOptions: ParsableArguments {
    @Option(name: .long, help: "A broker's client address HOST:PORT (repeat for several: publish to the first, subscribe on each).")
    var broker: [String] = []

    @Flag(name: .long, help: "Start the broker(s) in this process (temporary data directories, removed at the end).")
    var embedded = false

    @Option(name: .long, help: "Embedded: number of nodes (1 to 16; raft: 1, 3, 5 or 7).")
    var nodes: Int = 1

    @Option(name: .long, help: "Embedded: replication between nodes, chain (the first orders) or raft (the bench waits for a leader and publishes to it).")
    var replication: ReplicationMode = .chain

    @Option(name: .long, help: "Embedded: durability policy, batch, none or interval:MS (default: the profile's, else batch).")
    var durability: String?

    @Option(name: .long, help: "Embedded: tuning profile (TOML, see tuning/).")
    var tuning: String?

    @Option(name: .long, help: "Embedded, several members: per-node (each member runs its own threads, as baton cluster does by default; the default) or one (every member's agents on one thread).")
    var threads: ClusterThreads?

    /// What the options name: the addresses (head first) and the embedded cluster, if one was started.
    func resolve() throws -> (addresses: [IPv4SocketAddress], cluster: EmbeddedCluster?) {
        if embedded {
            guard broker.isEmpty else { throw ValidationError("give --broker or --embedded, not both") }
            var policy: DurabilityPolicy?
            if let durability {
                guard let parsed = DurabilityPolicy(parsing: durability) else {
                    throw ValidationError("--durability '\(durability)': expected batch, none or interval:MS")
                }
                policy = parsed
            }
            let cluster = try startEmbeddedCluster(nodes: nodes, replication: replication, durability: policy, tuning: tuning,
                                                   threads: threads ?? .perNode)
            return (cluster.clientAddresses, cluster)
        }
        guard !broker.isEmpty else { throw ValidationError("give --broker HOST:PORT (one or more) or --embedded") }
        if durability != nil || tuning != nil || nodes != 1 || threads != nil {
            throw ValidationError("--nodes, --durability, --tuning and --threads apply to --embedded only")
        }
        let addresses = try broker.map { text -> IPv4SocketAddress in
            do { return try IPv4SocketAddress(parsing: text) } catch { throw ValidationError("--broker '\(text)': \(error)") }
        }
        return (addresses, nil)
    }

    /// The target in words, for reports ("embedded: 1 node, durability batch, ..." or "brokers 10.0.0.1:7400, ...").
    func describe(_ addresses: [IPv4SocketAddress], _ cluster: EmbeddedCluster?) -> String {
        if let cluster { return "embedded: " + cluster.summary }
        return "brokers " + addresses.map(\.description).joined(separator: ", ")
    }

    /// The target as JSON members, for `--json`.
    func json(_ addresses: [IPv4SocketAddress], _ cluster: EmbeddedCluster?) -> [(String, JSONValue)] {
        [
            ("target", .string(cluster == nil ? "brokers" : "embedded")),
            ("brokers", .array(addresses.map { .string($0.description) })),
            ("nodes", .integer(Int64(addresses.count))),
            ("replication", cluster == nil ? .null : .string(replication.rawValue)),
            ("embedded_node", cluster.map { .string($0.summary) } ?? .null),
            ("tuning", tuning.map(JSONValue.string) ?? .null),
        ]
    }
}

extension ReplicationMode: ExpressibleByArgument {}
