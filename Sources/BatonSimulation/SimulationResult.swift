import BatonMutation

/// What a simulated run did and found: the summary `baton sim` prints, and
/// on a violation the line to rerun it and each member's last events.
///
/// A value; any thread.
public struct SimulationResult: Sendable {
    public var options: SimulationOptions
    public var plan: FaultPlan
    public var violation: Violation?
    public var offered: UInt64 = 0
    public var acked: UInt64 = 0
    /// Per member: messages its subscriber was given in its last replay.
    public var delivered: [UInt64] = []
    public var faults = FaultTally()
    /// Times a member started leading (elections won, a chain head catching up).
    public var leadershipsTaken = 0
    /// Times a member cut an uncommitted suffix of its running log (Raft followers).
    public var truncations = 0
    /// Failover: the newest chain epoch any member reached (1: no reconfiguration) and the members outside the chain at the end.
    public var highestEpoch: Int64 = 1
    public var membersOutside = 0
    /// Scripted steps that ran (all of them unless a condition did not hold in time).
    public var scriptStepsRun = 0
    public var checks = HistoryChecker.CheckCounts()
    public var traceHash: UInt64 = 0
    public var events = 0
    public var simulatedNanos: Int64 = 0
    public var steps = 0
    /// Each member's last events, formatted (only when the run failed).
    public var lastEvents: [String] = []

    public var passed: Bool { violation == nil }

    /// The multi-line summary.
    public var summary: String {
        var lines: [String] = []
        lines.append("seed \(options.seed): \(options.nodes) members, \(options.replication.rawValue) replication\(options.failover ? " with failover" : ""), faults \(plan.kindsText)"
                     + (options.mutation.map { ", mutation \($0)" } ?? ""))
        lines.append("  messages: offered \(offered), acked \(acked), delivered per member \(delivered.map(String.init).joined(separator: " "))")
        lines.append("  faults injected: \(faults)")
        lines.append("  leaderships taken \(leadershipsTaken), log truncations \(truncations)"
                     + (options.script.map { ", script steps run \(scriptStepsRun) of \($0.steps.count)" } ?? "")
                     + (options.failover ? ", configurations committed \(highestEpoch - 1) (epoch \(highestEpoch)), members removed \(membersOutside)" : ""))
        lines.append("  invariants checked: \(Invariant.allCases.count) (\(checks.deliveries) deliveries, \(checks.acks) acks, \(checks.commitChecks) commit checks, \(checks.finalChecks) final)")
        lines.append("  simulated \(Double(simulatedNanos) / 1e9) s in \(steps) steps, \(events) events, trace hash \(String(traceHash, radix: 16))")
        if let violation {
            lines.append("VIOLATION \(violation)")
            lines.append("rerun: \(options.command)")
            lines.append(contentsOf: lastEvents)
        } else {
            lines.append("  ok")
        }
        return lines.joined(separator: "\n")
    }
}

/// How many faults of each kind a run injected.
public struct FaultTally: Sendable, Equatable, CustomStringConvertible {
    public var crashes = 0
    public var tornWrites = 0
    public var lostWrites = 0
    public var pauses = 0
    public var partitions = 0
    public var isolations = 0
    public var clockJumps = 0
    public var diskBursts = 0
    public var disk = DiskFaultCounts()
    public var corruptions = 0
    public var transfers = 0
    /// Membership changes asked by the simulated operator (failover chains).
    public var membershipChanges = 0
    public var network = NetworkFaultCounts()

    public var description: String {
        "crashes \(crashes) (unsynced writes lost \(lostWrites), torn \(tornWrites)), pauses \(pauses), partitions \(partitions), isolations \(isolations), clock jumps \(clockJumps), disk bursts \(diskBursts) (\(disk)), corrupted bytes \(corruptions), transfers asked \(transfers), membership changes asked \(membershipChanges), datagrams \(network.sent) (dropped \(network.dropped), duplicated \(network.duplicated), corrupted \(network.corrupted), delayed \(network.delayed), partitioned \(network.partitioned))"
    }
}
