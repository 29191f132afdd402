import BatonAgent
import BatonNode
import BatonReplication
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One member of a simulated cluster: its machine (`SimulatedEnvironment`),
/// and while it runs, the production node built over it and that node's
/// agents, which the simulation steps one duty cycle at a time in an order
/// drawn from the seed. A crash drops the node without any `onClose` (no
/// flush, no sync) and crashes the disk (unsynced bytes lost or torn); a
/// restart recovers the log from what the disk kept.
///
/// Invariant: `agents` is non-empty exactly while `node` is non-nil.
/// Threading: the simulation's thread.
public final class SimulatedMember {
    public let index: Int
    public let environment: SimulatedEnvironment
    public let configuration: NodeConfiguration
    public private(set) var node: GenericNode<SimulatedEnvironment>?
    private var agents: [any Agent] = []
    /// No duty cycles before this simulated time (a paused process).
    public var pausedUntil: Int64 = 0
    /// Not before this time may a crashed member restart (the operator's or supervisor's delay).
    public var restartAt: Int64?
    /// The durable position last seen (kept while the member is down: synced bytes survive a crash).
    public private(set) var durableFloor: Int64 = 0
    /// The member's own durable position last seen (kept while it is down).
    public private(set) var durable: Int64 = 0
    /// After bit rot cut durable frames: what was durable before, which the commit rule keeps
    /// counting (the rot destroyed a replica; it was not a commit made too early) until the member has it again.
    var repairingFrom: Int64? {
        didSet { durableFloor = max(durable, repairingFrom ?? 0) }
    }
    public private(set) var starts = 0
    private var lastCommit: Int64 = .min
    private var lastLeadership: Int64 = -1
    private var lastEpochAndRole: (Int64, Int64) = (-1, -1)
    /// The newest chain epoch this member applied (failover).
    private(set) var highestEpoch: Int64 = 1
    /// Times this member started leading, over all its incarnations.
    public private(set) var leadershipsTaken = 0
    /// Running-log truncations this member completed, over all its incarnations.
    public private(set) var truncations = 0
    private var truncationsSeen: Int64 = 0
    /// The log's end when this member last started leading (consumed by the simulation's check).
    var becameLeaderAt: Int64?
    /// While it leads: its replicator's commit position when the leadership was first seen.
    private var commitWhenLeadingBegan: Int64?
    private let logger: Logger
    private let trace: SimulationTrace

    init(index: Int, environment: SimulatedEnvironment, configuration: NodeConfiguration, trace: SimulationTrace) {
        self.index = index
        self.environment = environment
        self.configuration = configuration
        self.trace = trace
        var logger = Logger(label: "sim.member\(index)")
        // BATON_SIM_LOG=1 shows the nodes' own log lines (elections, truncations, recoveries) while a seed runs.
        logger.logLevel = getenv("BATON_SIM_LOG") != nil ? .info : .critical
        self.logger = logger
    }

    public var isUp: Bool { node != nil }

    /// Builds (recovers) the node and starts its agents. Returns the error
    /// text when the node refused to start (the simulation tries again later).
    @discardableResult
    func start() -> String? {
        precondition(node == nil, "member \(index) is already running")
        do {
            let built = try GenericNode(configuration: configuration, environment: environment, logger: logger)
            let taken = built.takeAgents()
            for agent in taken { try agent.onStart() }
            node = built
            agents = taken
            starts += 1
            lastCommit = .min
            lastLeadership = -1
            lastEpochAndRole = (-1, -1)
            commitWhenLeadingBegan = nil
            truncationsSeen = built.log.counters.truncationCompleted.getAcquire()
            durable = built.log.durablePosition
            durableFloor = max(durable, repairingFrom ?? 0)
            trace.record(.started(member: index, durable: durable))
            return nil
        } catch {
            let text = "\(error)"
            trace.record(.restartFailed(member: index, text: text))
            environment.disk.crash(random: &crashRandom)
            return text
        }
    }

    private var crashRandom = SimulationRandom(seed: 0)

    /// Kills the process: no agent is closed, the disk keeps only what it must.
    func crash(random: inout SimulationRandom) {
        guard let node else { return }
        node.stop()
        self.node = nil
        agents = []
        crashRandom = random.fork(UInt64(index))
        let disk = environment.disk
        let torn = disk.tornWrites, lost = disk.lostWrites
        disk.crash(random: &random)
        trace.record(.crashed(member: index, durable: durable, tornWrites: disk.tornWrites - torn, lostWrites: disk.lostWrites - lost))
    }

    /// Ends the member with the run. No agent is closed: the log writer's
    /// `onClose` waits for completions that only simulated time delivers,
    /// and nothing after the run's last step is judged.
    func shutDown() {
        agents = []
        node?.stop()
        node = nil
    }

    /// One step: each agent's duty cycle once, in an order drawn from
    /// `random` (some skipped: threads do not all run each instant).
    /// Returns the work done.
    func step(random: inout SimulationRandom, now: Int64) -> Int {
        guard node != nil, now >= pausedUntil else { return 0 }
        environment.disk.nowNanos = environment.clock.wallNanos()
        var work = 0
        let count = agents.count
        let start = Int(random.next() % UInt64(count))
        let stride = count == 6 ? [1, 5][Int(random.next() & 1)] : 1
        for offset in 0..<count {
            if random.next() % 8 == 0 { continue }
            let agent = agents[(start + offset * stride) % count]
            do {
                work += try agent.doWork()
            } catch {
                trace.record(.agentError(member: index, text: "\(agent.roleName): \(error)"))
                work += 1
            }
        }
        observe()
        return work
    }

    /// Records changes of commit and leadership, and the durable floor.
    private func observe() {
        guard let node else { return }
        durable = node.log.durablePosition
        durableFloor = max(durable, repairingFrom ?? 0)
        if let floor = repairingFrom, node.log.durablePosition >= floor { repairingFrom = nil }
        let commit = node.counters.commitPosition.getPlain()
        if commit != lastCommit {
            lastCommit = commit
            trace.record(.committed(member: index, position: commit))
        }
        if node.configuration.replication?.failover != nil, let replication = node.replicationCounters {
            let epochAndRole = (replication.epoch.getPlain(), replication.role.getPlain())
            if epochAndRole != lastEpochAndRole {
                lastEpochAndRole = epochAndRole
                highestEpoch = max(highestEpoch, epochAndRole.0)
                trace.record(.reconfigured(member: index, epoch: epochAndRole.0, role: epochAndRole.1))
            }
        }
        let leadership = node.counters.leadership.getPlain()
        if leadership != lastLeadership {
            lastLeadership = leadership
            trace.record(.leadership(member: index, state: leadership))
            if Leadership(rawValue: leadership) == .leading {
                becameLeaderAt = node.log.appendedPosition
                commitWhenLeadingBegan = node.replicationCounters?.chainCommit.getAcquire() ?? commit
                leadershipsTaken += 1
            } else {
                commitWhenLeadingBegan = nil
            }
        }
        let completed = node.log.counters.truncationCompleted.getPlain()
        if completed != truncationsSeen {
            truncations += Int(completed - truncationsSeen)
            truncationsSeen = completed
        }
    }

    /// Where recovery cut a corrupted durable frame at the last start, to fetch the rest again from the chain.
    var repairedPosition: Int64? { node?.log.recovery.repairedPosition }

    /// The commit position now, or nil while down.
    var commit: Int64? { node?.counters.commitPosition.getAcquire() }

    /// Whether this member leads (its order stage takes publishes).
    var isLeading: Bool { node.map { Leadership(rawValue: $0.counters.leadership.getAcquire()) == .leading } ?? false }

    /// The term this member leads, if it leads (Raft: its term; a chain with
    /// failover: its epoch — at most one head per epoch; a static chain: 0).
    var leadingTerm: Int64? {
        guard let node, isLeading else { return nil }
        let replication = node.configuration.replication
        return replication?.mode == .raft || replication?.failover != nil ? node.replicationCounters?.epoch.getAcquire() ?? 0 : 0
    }

    /// The chain epoch this member is in (nil while down).
    var epoch: Int64? { node?.replicationCounters?.epoch.getAcquire() }

    /// Removed from the chain by failover (it replicates and serves nothing new).
    var isOutsideChain: Bool {
        guard let counters = node?.replicationCounters else { return false }
        return ChainRole(code: counters.role.getAcquire()) == .outside
    }

    /// Raft's figure-8 moment, as this member leads: it knows that `majority`
    /// members (itself included) durably hold bytes past the commit it had
    /// when its leadership began, all of earlier terms (below its marker) —
    /// what counting replicas of earlier terms would commit. See
    /// `ScriptCondition.majorityHoldsEarlierTermsBeyondCommit`.
    func knowsMajorityHoldsEarlierTermsBeyondCommit(majority: Int) -> Bool {
        guard let node, isLeading, let raft = node.raftCounters, let began = commitWhenLeadingBegan else { return false }
        let termStart = raft.termStart.getAcquire()
        guard termStart >= 0 else { return false }
        var durables = raft.followerDurable.map { $0.getAcquire() }
        durables.append(node.log.durablePosition)
        durables.sort(by: >)
        let held = durables[majority - 1]
        return held > began && held <= termStart
    }

    /// Writes a leadership-transfer request into the node's counters, as
    /// `baton admin transfer-leadership` writes another process's (to member
    /// index `target`, or the most up-to-date follower for nil).
    func requestLeadershipTransfer(to target: Int?) {
        guard let raft = node?.raftCounters else { return }
        raft.transferTarget.setReleaseAllowingDecrease(target.map { Int64($0 + 1) } ?? -1)
        raft.transferRequests.setRelease(raft.transferRequests.getPlain() + 1)
    }

    /// Writes a membership change into the node's counters, as `baton admin
    /// add-member` / `remove-member` writes another process's (member index `subject`).
    func requestMembershipChange(_ kind: MembershipChangeKind, of subject: Int) {
        guard let counters = node?.replicationCounters else { return }
        counters.membershipRequestNode.setReleaseAllowingDecrease(Int64(subject + 1))
        counters.membershipRequestKind.setReleaseAllowingDecrease(kind.rawValue)
        counters.membershipRequests.setRelease(counters.membershipRequests.getPlain() + 1)
    }

    /// Whether this member says it leads the configuration log (failover).
    var leadsConfigurationLog: Bool {
        guard let counters = node?.replicationCounters, node?.configuration.replication?.failover != nil else { return false }
        return counters.configurationLeader.getAcquire() == Int64(index + 1)
    }

    /// The configuration log's term as this member knows it (failover).
    var configurationTerm: Int64? { node?.replicationCounters?.configurationTerm.getAcquire() }

    /// The member indexes the chain in force holds out, as this member applied it.
    var heldOutMembers: [Int] {
        guard let bits = node?.replicationCounters?.membersHeldOut.getAcquire(), bits != 0 else { return [] }
        return (0..<16).filter { (bits >> Int64($0)) & 1 == 1 }
    }

    /// When the member's next storage completion is due, if any is in flight.
    var nextStorageReadyNanos: Int64? { node == nil ? nil : environment.storage?.nextReadyNanos }
}
