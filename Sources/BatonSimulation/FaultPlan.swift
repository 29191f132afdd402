/// The faults of one run, drawn from its seed (swarm testing: each seed draws
/// which kinds of fault are on and how hard, so some runs are calm and some
/// are storms). Faults happen during the first `faultNanos` of the run; then
/// everything heals and the cluster must finish (liveness).
///
/// A value; the simulation's thread.
public struct FaultPlan: Sendable, Equatable {
    /// The kinds of fault a run may draw.
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case network, partition, crash, pause, disk, clock, corruption
        /// A leadership transfer asked of the leader (`baton admin transfer-leadership`; Raft only).
        case transfer
        /// An operator removes a member from the chain or adds a held-out one
        /// back (`baton admin remove-member` / `add-member`; chain with failover only).
        case membership
        public var description: String { rawValue }
    }

    public var kinds: Set<Kind>
    public var network = NetworkFaults.calm
    public var disk = DiskFaults.none
    /// How long faults go on (simulated nanoseconds).
    public var faultNanos: Int64
    /// The mean time between two fault events (crash, pause, partition, clock jump, disk burst).
    public var meanEventGapNanos: Int64
    /// Per member: clock drift (ppm) and offset (ns).
    public var clockDriftPPM: [Int64]
    public var clockOffsetNanos: [Int64]

    /// Every kind. (Corruption strikes any member of a chain of two or more: its
    /// recovery cuts a corrupt durable frame and fetches the rest again — a
    /// follower from its predecessor, the head from its successor. Corruption
    /// is a chain fault, transfer a Raft one, membership one of a chain with
    /// failover: the simulation drops what does not apply.)
    public static let defaultKinds: Set<Kind> = Set(Kind.allCases)

    /// A plan with nothing going wrong.
    public static func calm(members: Int) -> FaultPlan {
        FaultPlan(kinds: [], faultNanos: 0, meanEventGapNanos: .max,
                  clockDriftPPM: Array(repeating: 0, count: members), clockOffsetNanos: Array(repeating: 0, count: members))
    }

    /// Draws a plan: each allowed kind is on with probability 1/2 (at least one
    /// on), and each on kind draws its own intensity.
    public static func draw(members: Int, allowed: Set<Kind>, random: inout SimulationRandom) -> FaultPlan {
        var kinds: Set<Kind> = []
        let ordered = Kind.allCases.filter { allowed.contains($0) }
        for kind in ordered where random.chance(0.5) { kinds.insert(kind) }
        if kinds.isEmpty && !ordered.isEmpty { kinds.insert(ordered[Int(random.next() % UInt64(ordered.count))]) }
        var plan = FaultPlan(kinds: kinds, faultNanos: random.int(in: 100_000_000...600_000_000),
                             meanEventGapNanos: random.int(in: 5_000_000...60_000_000),
                             clockDriftPPM: [], clockOffsetNanos: [])
        if kinds.contains(.network) {
            let storm = random.unit()
            plan.network.dropProbability = storm * 0.2
            plan.network.duplicateProbability = random.unit() * 0.05
            plan.network.corruptProbability = random.chance(0.5) ? random.unit() * 0.02 : 0
            plan.network.maximumJitterNanos = random.int(in: 0...200_000)
            plan.network.delayProbability = random.unit() * 0.05
            plan.network.maximumDelayNanos = random.int(in: 100_000...20_000_000)
        }
        if kinds.contains(.disk) {
            // Per operation during a burst (bursts last 2-50 ms).
            plan.disk.writeErrorProbability = random.unit() * 0.2
            plan.disk.syncErrorProbability = random.unit() * 0.2
            plan.disk.noSpaceProbability = random.unit() * 0.1
            plan.disk.slowSyncProbability = random.unit() * 0.5
        }
        for _ in 0..<members {
            if kinds.contains(.clock) {
                plan.clockDriftPPM.append(random.int(in: -500...500))
                plan.clockOffsetNanos.append(random.int(in: 0...10_000_000_000))
            } else {
                plan.clockDriftPPM.append(0)
                plan.clockOffsetNanos.append(0)
            }
        }
        return plan
    }

    /// The kinds on, in a stable order, for the summary.
    public var kindsText: String {
        kinds.isEmpty ? "none" : Kind.allCases.filter { kinds.contains($0) }.map(\.rawValue).joined(separator: ",")
    }
}
