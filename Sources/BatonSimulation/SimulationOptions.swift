import BatonMutation
import BatonReplication

/// What one simulated run is: the seed and the cluster's shape; everything
/// else (faults, clients, schedule) is drawn from the seed.
///
/// A value; any thread.
public struct SimulationOptions: Sendable, Equatable {
    public var seed: UInt64
    /// 3 or 5 members (any count from 1 to 7 runs).
    public var nodes: Int
    public var replication: ReplicationMode
    /// The fault kinds a seed may draw from (`FaultPlan.defaultKinds` unless asked).
    public var allowedFaults: Set<FaultPlan.Kind>
    /// Keep every event (for `--trace`), not only the hash and the last few.
    public var keepsTrace: Bool
    /// How long after the faults stop the cluster has to commit and deliver everything.
    public var settleLimitNanos: Int64
    /// A deliberate bug switched on in the production code for this run (to prove the checker catches it).
    public var mutation: Mutation?
    /// Scripted faults instead of random ones (`allowedFaults` is then ignored).
    public var script: SimulationScript?
    /// Chain mode: automatic failover (configuration log, failure detector)
    /// with the simulator's short timings (`Simulation.failoverSettings`).
    public var failover: Bool = false

    public init(seed: UInt64, nodes: Int = 3, replication: ReplicationMode = .chain,
                allowedFaults: Set<FaultPlan.Kind> = FaultPlan.defaultKinds, keepsTrace: Bool = false,
                settleLimitNanos: Int64 = 5_000_000_000, mutation: Mutation? = nil, script: SimulationScript? = nil) {
        self.script = script
        self.seed = seed
        self.nodes = nodes
        self.replication = replication
        self.allowedFaults = allowedFaults
        self.keepsTrace = keepsTrace
        self.settleLimitNanos = settleLimitNanos
        self.mutation = mutation
    }

    /// The command line that reruns this run.
    public var command: String {
        var text = "baton sim --seed \(seed) --nodes \(nodes) --replication \(replication.rawValue)"
        if allowedFaults != FaultPlan.defaultKinds {
            let kinds = FaultPlan.Kind.allCases.filter { allowedFaults.contains($0) }.map(\.rawValue)
            text += " --faults \(kinds.isEmpty ? "none" : kinds.joined(separator: ","))"
        }
        if failover { text += " --failover" }
        if let mutation { text += " --mutation \(mutation.rawValue)" }
        if script != nil { text += "  (with the test's script)" }
        return text
    }
}
