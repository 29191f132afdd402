import BatonLog
import BatonMutation
import BatonNet
import BatonNode
import BatonReplication

/// A whole cluster in one thread: N production nodes (order, log writer,
/// commit, replicator; in-memory client I/O and delivery on the same rings)
/// over simulated machines (`SimulatedEnvironment`: clock, disk, network
/// endpoint), simulated publishers and subscribers, a fault schedule drawn
/// from the seed (`FaultPlan`), and a `HistoryChecker` judging everything
/// clients were told. No sockets, no files, no threads, no wall clock: the
/// same seed gives the same run, event for event (the trace hash).
///
/// A run: faults for `plan.faultNanos`, then everything heals (links,
/// disks, crashed and paused members come back) and the cluster has
/// `settleLimitNanos` to commit and deliver every offered message.
///
/// Threading: one thread runs a simulation from `init` to the end of `run()`.
/// `Mutation.active` is process-wide: run mutated simulations one at a time.
public final class Simulation {
    public let options: SimulationOptions
    public let plan: FaultPlan
    let time = SimulationTime()
    let network: SimulatedNetwork
    let members: [SimulatedMember]
    let clients: SimulatedClients
    let checker: HistoryChecker
    let trace: SimulationTrace
    private var schedule: SimulationRandom
    private var faultRandom: SimulationRandom
    private var actions: [ScheduledAction] = []
    private var actionOrder = 0
    private var nextFaultAt: Int64 = 0
    private var reconnectAt: [Int64]
    /// A crash drawn but waiting (up to the deadline) for its member to have unsynced writes in
    /// flight — the moment a crash can lose or tear something (buggify-style bias).
    private var pendingCrash: (member: Int, deadline: Int64)?
    /// Members whose synced bytes were corrupted since they last started (their recovery may rightly cut durable frames).
    private var corruptedSinceStart: [Bool] = []
    private var tally = FaultTally()
    /// Scripted steps not yet run, in order.
    private var scriptSteps: [ScriptStep] = []
    private var lastScriptedLeader: Int?
    /// Members bound to names by `remember` steps.
    private var scriptNames: [String: Int] = [:]
    /// The first step's wait: leaderships taken when it began waiting, when its condition first held.
    private var scriptWait: (leaderships: Int, heldAt: Int64?)?
    private var scriptStepsRun = 0
    /// When the script ran its last step (or gave up waiting): the run heals `settleAfterNanos` later.
    private var scriptEndedAt: Int64?
    private var steps = 0
    /// The member publishers try when none leads: the chain's head (the first configured member).
    private let headIndex = 0

    enum Action {
        case restart(Int)
        case resume(Int)
        case unblock(from: Int, to: Int)
        case diskFaultsOff(Int)
        /// After healing: ask the configuration leader to add back every held-out member (again until none is).
        case addBackHeldOut
    }

    struct ScheduledAction {
        var at: Int64
        var order: Int
        var action: Action
    }

    public init(_ options: SimulationOptions) throws(SimulationError) {
        guard (1...7).contains(options.nodes) else { throw .unsupported("--nodes \(options.nodes): 1 to 7 members") }
        if options.replication == .raft && options.nodes % 2 == 0 {
            throw .unsupported("--nodes \(options.nodes): a Raft cluster has an odd number of members")
        }
        self.options = options
        var random = SimulationRandom(seed: options.seed)
        var planRandom = random.fork(1)
        schedule = random.fork(2)
        let networkRandom = random.fork(3)
        faultRandom = random.fork(4)
        var clientRandom = random.fork(5)
        // Raft members do not repair bit rot (see FaultPlan.defaultKinds): corruption is a chain fault.
        var allowed = options.replication == .raft ? options.allowedFaults.subtracting([.corruption])
                                                   : options.allowedFaults.subtracting([.transfer])
        if options.replication == .raft || !options.failover { allowed.remove(.membership) }
        if let script = options.script {
            var scripted = FaultPlan.calm(members: options.nodes)
            scripted.faultNanos = script.faultNanos
            plan = scripted
        } else {
            plan = allowed.isEmpty
                ? FaultPlan.calm(members: options.nodes)
                : FaultPlan.draw(members: options.nodes, allowed: allowed, random: &planRandom)
        }
        scriptSteps = options.script?.steps ?? []

        let addresses = (0..<options.nodes).map { IPv4SocketAddress(10, 0, 0, UInt8($0 + 1), port: 7500) }
        network = SimulatedNetwork(addresses: addresses, time: time, random: networkRandom, datagramBytesMax: 1_472, batchDatagrams: 16)
        network.faults = plan.network
        network.faultsEnabled = plan.kinds.contains(.network)

        let publisherCount = Int(clientRandom.int(in: 1...3))
        var publishers: [SimulatedPublisher] = []
        // Publishing spans about the fault phase (half to one and a half of it), so faults meet traffic.
        let span = max(plan.faultNanos, 50_000_000)
        for index in 0..<publisherCount {
            let total = clientRandom.int(in: 100...1_500)
            let maximumBatch = clientRandom.int(in: 1...16)
            let batches = max(1, total * 2 / (maximumBatch + 1))
            let pacing = Int64(Double(span) * (0.5 + clientRandom.unit())) / batches
            publishers.append(SimulatedPublisher(index: index, producerId: 1_000 + UInt64(index), streamId: UInt32(1 + index % 2),
                                                 total: UInt64(total), window: UInt64(clientRandom.int(in: 4...64)),
                                                 maximumBatch: UInt64(maximumBatch), pacingNanos: max(1_000, pacing)))
        }
        reconnectAt = Array(repeating: 0, count: publisherCount)
        corruptedSinceStart = Array(repeating: false, count: options.nodes)
        trace = SimulationTrace(time: time, members: options.nodes, keepsAll: options.keepsTrace)
        checker = HistoryChecker(members: options.nodes, producerIds: publishers.map(\.producerId), time: time)
        clients = SimulatedClients(publishers: publishers, checker: checker, time: time, trace: trace)

        let chain = addresses.enumerated().map { index, address in
            ClusterMember(nodeId: UInt32(index + 1), replicationAddress: address,
                          clientAddress: HostAndPort(host: "10.0.1.\(index + 1)", port: 7400))
        }
        var members: [SimulatedMember] = []
        for index in 0..<options.nodes {
            let disk = SimulatedDisk(random: random.fork(UInt64(10 + index)), faults: plan.disk)
            disk.faultsEnabled = false
            disk.createDirectory("/data")
            disk.createDirectory("/data/node-\(index + 1)")
            let clock = SimulatedClock(time: time, driftPPM: plan.clockDriftPPM[index], offsetNanos: plan.clockOffsetNanos[index])
            let environment = SimulatedEnvironment(member: index, clock: clock, disk: disk, network: network, clients: clients, time: time)
            members.append(SimulatedMember(index: index, environment: environment,
                                           configuration: Simulation.nodeConfiguration(index: index, chain: chain,
                                                                                       mode: options.replication,
                                                                                       failover: options.failover),
                                           trace: trace))
        }
        self.members = members
    }

    /// The node configuration of member `index`: small buffers and segments
    /// (so runs roll segments and fill buffers), the chain's default timers.
    static func nodeConfiguration(index: Int, chain: [ClusterMember], mode: ReplicationMode, failover: Bool = false) -> NodeConfiguration {
        var log = LogConfiguration(directory: "/data/node-\(index + 1)")
        log.segmentBytes = 128 << 10
        log.bufferBytes = 64 << 10
        log.maximumFrameLength = 1024
        log.maximumBatchBytes = 8 << 10
        log.maximumWriteBytes = 4 << 10
        log.queueDepth = 32
        log.checkpointIntervalNanos = 20_000_000
        log.retryDelayNanos = 10_000_000
        var configuration = NodeConfiguration(listen: HostAndPort(host: "10.0.1.\(index + 1)", port: 7400), log: log)
        configuration.nodeId = UInt32(index + 1)
        configuration.runsOwnThreads = false
        configuration.ingressRingBytes = 64 << 10
        configuration.ackRingBytes = 64 << 10
        configuration.maximumProducers = 64
        configuration.maximumPayloadLength = 512
        configuration.maximumMessageLength = 4096
        configuration.deliverBatchBytes = 2048
        var replication = ReplicationConfiguration(clusterId: 42, mode: mode, members: chain, nodeId: UInt32(index + 1))
        replication.udpBatch = 16
        replication.mtu = 1_472
        replication.receiverWindowBytes = 64 << 10
        if failover && mode == .chain {
            replication.failover = failoverSettings(members: chain.count)
            replication.electionTimeoutMinimumNanos = 40_000_000
            replication.electionTimeoutMaximumNanos = 80_000_000
        }
        configuration.replication = replication
        return configuration
    }

    /// Failover in the simulator: timings short enough that its faults
    /// (crashes of 5–50 ms, partitions up to 100 ms, pauses up to 60 ms)
    /// trigger it — suspected after 20 ms, confirmed 20 ms later, probes every
    /// 5 ms, configuration elections 40–80 ms — and a minimum length of 2.
    static func failoverSettings(members: Int) -> ChainFailoverConfiguration {
        ChainFailoverConfiguration(minimumLength: min(2, members),
                                   detector: FailureDetectorConfiguration(probeIntervalNanos: 5_000_000, suspectAfterNanos: 20_000_000,
                                                                          indirectProbeCount: 2, confirmAfterNanos: 20_000_000))
    }

    // MARK: - Running

    /// Runs the seed to its end (or its first violation) and says what happened.
    public func run() -> SimulationResult {
        let previousMutation = Mutation.active
        Mutation.active = options.mutation
        defer { Mutation.active = previousMutation }
        for member in members {
            if let failure = member.start() {
                checker.fail(.liveness, "member \(member.index) did not start on a fresh disk: \(failure)")
            }
        }
        nextFaultAt = plan.kinds.isEmpty ? .max : nextGap()
        var healedAt: Int64?
        while !checker.failed {
            steps += 1
            network.deliverDue()
            runDueActions()
            if healedAt == nil {
                runScriptSteps()
                if time.now >= plan.faultNanos && scriptAllowsHealing {
                    heal()
                    healedAt = time.now
                    nextFaultAt = .max
                } else if time.now >= nextFaultAt {
                    injectFault()
                    nextFaultAt = time.now + nextGap()
                }
            }
            connectPublishers()
            var work = 0
            for member in memberOrder() {
                work += member.step(random: &schedule, now: time.now)
                if healedAt == nil { crashWhenUnsynced() }
            }
            checker.checkCommits(members.map(\.commit), durableFloors: members.map(\.durableFloor), quorum: commitQuorum)
            checkLeaders()
            if checker.failed { break }
            if let healedAt {
                if isFinished { break }
                if time.now - healedAt > options.settleLimitNanos {
                    finalCheck(settle: time.now - healedAt)
                    break
                }
            }
            advanceTime(busy: work > 0)
        }
        if !checker.failed { finalCheck(settle: time.now - (healedAt ?? time.now)) }
        return finish()
    }

    private func checkLeaders() {
        var became: (member: Int, end: Int64)?
        for member in members {
            if let end = member.becameLeaderAt {
                member.becameLeaderAt = nil
                became = (member.index, end)
            }
        }
        let leaders = members.compactMap { member in member.leadingTerm.map { (member: member.index, term: $0) } }
        // With failover, a head of an older epoch (one that has not heard it was
        // replaced) may still lead: it commits nothing (the members of later
        // epochs drop its data). The head of the newest epoch must hold every committed byte.
        if options.failover, let new = became, let epoch = members[new.member].epoch,
           members.contains(where: { ($0.epoch ?? 0) > epoch }) {
            became = nil
        }
        checker.checkLeaders(leaders: leaders, becameLeader: became)
    }

    private var offered: [UInt64] { clients.publishers.map(\.total) }

    /// How many members must hold a committed byte durably: Raft a
    /// majority; a static chain every member; a chain with failover at least
    /// its minimum length (members removed by failover hold what they hold).
    private var commitQuorum: Int {
        if options.replication == .raft { return members.count / 2 + 1 }
        return options.failover ? Simulation.failoverSettings(members: members.count).minimumLength : members.count
    }

    /// The members that must deliver everything: every member up (with
    /// failover a removed member rejoins, so it too must have everything by the end).
    private var membersServing: [Bool] { members.map(\.isUp) }

    private var isFinished: Bool {
        members.allSatisfy(\.isUp) && clients.publishers.allSatisfy(\.isDone)
            && checker.allDelivered(offered: offered, membersUp: membersServing)
    }

    private func finalCheck(settle: Int64) {
        for member in members where !member.isUp {
            checker.fail(.liveness, "member \(member.index) is still down \(settle / 1_000_000) ms after the faults stopped")
            return
        }
        checker.checkFinal(offered: offered, membersUp: membersServing, settleNanos: settle)
    }

    private func finish() -> SimulationResult {
        var result = SimulationResult(options: options, plan: plan)
        result.violation = checker.violation
        result.offered = offered.reduce(0, +)
        result.acked = checker.ackedCount.reduce(0, +)
        result.delivered = members.indices.map { checker.deliveredCount(member: $0) }
        tally.network = network.counts
        tally.disk = members.reduce(into: DiskFaultCounts()) { total, member in
            let counts = member.environment.disk.faultCounts
            total.writeErrors += counts.writeErrors
            total.syncErrors += counts.syncErrors
            total.noSpaceErrors += counts.noSpaceErrors
            total.slowSyncs += counts.slowSyncs
        }
        tally.tornWrites = members.reduce(0) { $0 + $1.environment.disk.tornWrites }
        tally.lostWrites = members.reduce(0) { $0 + $1.environment.disk.lostWrites }
        result.faults = tally
        result.leadershipsTaken = members.reduce(0) { $0 + $1.leadershipsTaken }
        result.truncations = members.reduce(0) { $0 + $1.truncations }
        result.highestEpoch = members.reduce(1) { max($0, $1.highestEpoch) }
        result.membersOutside = members.filter(\.isOutsideChain).count
        result.scriptStepsRun = scriptStepsRun
        result.checks = checker.checks
        for member in members { trace.mix(UInt64(bitPattern: member.commit ?? -1)) }
        result.traceHash = trace.hash
        result.events = trace.count
        result.simulatedNanos = time.now
        result.steps = steps
        if checker.failed {
            for member in members.indices {
                result.lastEvents.append("last events of member \(member):")
                for (at, event) in trace.lastEvents(member: member) {
                    result.lastEvents.append("  \(Simulation.format(at)) \(event.text)")
                }
            }
            result.lastEvents.append("last cluster events:")
            for (at, event) in trace.lastEvents(member: nil) {
                result.lastEvents.append("  \(Simulation.format(at)) \(event.text)")
            }
        }
        for member in members { member.shutDown() }
        return result
    }

    /// Every recorded event, one per line (only with `keepsTrace`).
    public var traceLines: [String] { trace.all.map { "\(Simulation.format($0.0)) \($0.1.text)" } }

    static func format(_ nanos: Int64) -> String {
        let micros = nanos / 1_000
        return "\(micros / 1_000_000).\(String(micros % 1_000_000).leftPadded(to: 6))s"
    }

    // MARK: - Scheduling

    /// The members in this step's order (a rotation and direction from the seed).
    private func memberOrder() -> [SimulatedMember] {
        let count = members.count
        let start = Int(schedule.next() % UInt64(count))
        let reversed = schedule.next() & 1 == 1
        return (0..<count).map { offset in members[(start + (reversed ? count - offset : offset)) % count] }
    }

    private func advanceTime(busy: Bool) {
        let now = time.now
        if busy {
            time.advance(to: now + schedule.int(in: 1_000...10_000))
            return
        }
        var next = now + schedule.int(in: 20_000...300_000)
        if let due = network.nextDeliveryNanos { next = min(next, due) }
        for member in members {
            // A completion already due waits for its writer's next cycle (a paused writer's, until it resumes).
            if member.pausedUntil > now {
                next = min(next, member.pausedUntil)
            } else if let ready = member.nextStorageReadyNanos, ready > now {
                next = min(next, ready)
            }
        }
        if let first = actions.first { next = min(next, first.at) }
        next = min(next, nextFaultAt)
        for publisher in clients.publishers where publisher.connection != nil && !publisher.isDone && publisher.nextSendNanos > now {
            next = min(next, publisher.nextSendNanos)
        }
        time.advance(to: max(next, now + 1_000))
    }

    private func connectPublishers() {
        for (index, publisher) in clients.publishers.enumerated() {
            if let connection = publisher.connection {
                // The connection broke with the member's process.
                if !members[connection.member].isUp {
                    publisher.disconnect()
                    reconnectAt[index] = time.now + schedule.int(in: 1_000_000...20_000_000)
                }
                continue
            }
            guard !publisher.isDone, time.now >= reconnectAt[index] else { continue }
            // Like a client told `notLeader`: the member that leads now, else the configured head
            // (Raft: any member; it names the leader or says an election is on).
            let target = members.firstIndex(where: \.isLeading)
                ?? (options.replication == .raft || options.failover ? Int(schedule.next() % UInt64(members.count)) : headIndex)
            if members[target].isUp {
                publisher.connect(to: target)
                trace.record(.connected(producerId: publisher.producerId, member: target))
            } else {
                reconnectAt[index] = time.now + schedule.int(in: 1_000_000...20_000_000)
            }
        }
    }

    // MARK: - Faults

    private func nextGap() -> Int64 {
        // Exponential gaps around the plan's mean (at least 100 µs).
        let u = max(faultRandom.unit(), 1e-9)
        return max(100_000, Int64(-Double(plan.meanEventGapNanos) * _log(u)))
    }

    private func schedule(_ action: Action, after nanos: Int64) {
        let entry = ScheduledAction(at: time.now + nanos, order: actionOrder, action: action)
        actionOrder += 1
        let index = actions.firstIndex { ($0.at, $0.order) > (entry.at, entry.order) } ?? actions.count
        actions.insert(entry, at: index)
    }

    private func runDueActions() {
        while let first = actions.first, first.at <= time.now {
            actions.removeFirst()
            switch first.action {
            case let .restart(member):
                guard !members[member].isUp else { continue }
                let durableBefore = members[member].durable
                if members[member].start() != nil {
                    schedule(.restart(member), after: faultRandom.int(in: 5_000_000...50_000_000))
                } else {
                    checker.memberStarted(member)
                    let corrupted = corruptedSinceStart[member]
                    corruptedSinceStart[member] = false
                    if corrupted { members[member].repairingFrom = max(members[member].repairingFrom ?? 0, durableBefore) }
                    if let repaired = members[member].repairedPosition {
                        trace.record(.repaired(member: member, from: repaired))
                    } else if !corrupted {
                        checker.checkRecovered(member: member, durableBefore: durableBefore, recovered: members[member].durable)
                    }
                }
            case let .resume(member):
                if members[member].pausedUntil <= time.now { trace.record(.resumed(member: member)) }
            case let .unblock(from, to):
                network.setBlocked(false, from: from, to: to)
            case let .diskFaultsOff(member):
                members[member].environment.disk.faultsEnabled = false
                trace.record(.diskFaults(member: member, enabled: false))
            case .addBackHeldOut:
                addBackHeldOutMembers()
            }
        }
    }

    /// One fault event of a kind the plan has on (network faults are continuous, not events).
    private func injectFault() {
        let kinds = FaultPlan.Kind.allCases.filter { plan.kinds.contains($0) && $0 != .network }
        guard !kinds.isEmpty else { return }
        let kind = kinds[Int(faultRandom.next() % UInt64(kinds.count))]
        let member = Int(faultRandom.next() % UInt64(members.count))
        switch kind {
        case .crash:
            guard members[member].isUp, pendingCrash == nil else { return }
            if faultRandom.chance(0.7) {
                pendingCrash = (member, time.now + faultRandom.int(in: 1_000_000...30_000_000))
            } else {
                crash(member)
            }
        case .pause:
            guard members[member].isUp, members[member].pausedUntil <= time.now else { return }
            let nanos = faultRandom.int(in: 1_000_000...60_000_000)
            members[member].pausedUntil = time.now + nanos
            tally.pauses += 1
            trace.record(.paused(member: member, forNanos: nanos))
            schedule(.resume(member), after: nanos)
        case .partition:
            guard members.count > 1 else { return }
            let heal = faultRandom.int(in: 1_000_000...100_000_000)
            if faultRandom.chance(0.2) {
                for other in members.indices where other != member {
                    network.setBlocked(true, from: member, to: other)
                    network.setBlocked(true, from: other, to: member)
                    schedule(.unblock(from: member, to: other), after: heal)
                    schedule(.unblock(from: other, to: member), after: heal)
                }
                tally.isolations += 1
                trace.record(.isolated(member: member))
            } else {
                var other = Int(faultRandom.next() % UInt64(members.count - 1))
                if other >= member { other += 1 }
                network.setBlocked(true, from: member, to: other)
                trace.record(.partitioned(from: member, to: other))
                schedule(.unblock(from: member, to: other), after: heal)
                if faultRandom.chance(0.5) {
                    network.setBlocked(true, from: other, to: member)
                    trace.record(.partitioned(from: other, to: member))
                    schedule(.unblock(from: other, to: member), after: heal)
                }
                tally.partitions += 1
            }
        case .clock:
            let clock = members[member].environment.clock
            let wall = faultRandom.int(in: -5_000_000_000...5_000_000_000)
            let monotonic = faultRandom.chance(0.3) ? faultRandom.int(in: 0...50_000_000) : 0
            clock.jumpWall(by: wall)
            clock.jumpMonotonic(forwardBy: monotonic)
            tally.clockJumps += 1
            trace.record(.clockJump(member: member, wallNanos: wall, monotonicNanos: monotonic))
        case .disk:
            let disk = members[member].environment.disk
            guard !disk.faultsEnabled else { return }
            disk.faultsEnabled = true
            tally.diskBursts += 1
            trace.record(.diskFaults(member: member, enabled: true))
            schedule(.diskFaultsOff(member), after: faultRandom.int(in: 2_000_000...50_000_000))
        case .corruption:
            // A bit rots in a synced segment; the member finds it when it next reads the file — here, at
            // its next start (it is crashed now): recovery must detect it and the chain repair it (a
            // follower from its predecessor, the head from its successor). A chain of one has no copy.
            // One member at a time (the fault model: bit rot on one member): not while another still
            // repairs — a head and its successor both cut below the commit would leave the only copy
            // of those bytes on the tail, which neither takes back from.
            // With failover, only while the chain in force is longer than its minimum: bit rot takes one
            // copy of the commit, and failover may then remove another member (it failed, or an
            // operator asked) — a chain at its minimum length tolerates one of the two, not both (seed
            // 2179: the tail of a two-member chain rotted and the head, the only other copy, was removed).
            guard members.count > 1, !anyMemberRepairing, members[member].isUp, pendingCrash == nil,
                  !options.failover || chainInForceCount > Simulation.failoverSettings(members: members.count).minimumLength,
                  let corrupted = members[member].environment.disk.corruptSyncedByte(random: &faultRandom) else { return }
            tally.corruptions += 1
            corruptedSinceStart[member] = true
            trace.record(.corruptedByte(member: member, offset: corrupted.offset))
            crash(member)
        case .transfer:
            guard let leader = members.first(where: \.isLeading) else { return }
            let target = faultRandom.chance(0.5) ? nil : member
            leader.requestLeadershipTransfer(to: target)
            tally.transfers += 1
            trace.record(.transferAsked(member: leader.index, target: target))
        case .membership:
            guard let leader = configurationLeader() else { return }
            let add = leader.heldOutMembers.contains(member)
            // An operator does not take a member out while another re-fetches what bit rot cost it
            // (the fault model: one lost copy at a time, as for corruption above).
            guard add || !anyMemberRepairing else { return }
            leader.requestMembershipChange(add ? .add : .remove, of: member)
            tally.membershipChanges += 1
            trace.record(.membershipChangeAsked(member: leader.index, subject: member, add: add))
        case .network:
            return
        }
    }

    /// Whether a member lost bytes to bit rot and has not taken them back yet.
    private var anyMemberRepairing: Bool {
        members.indices.contains { corruptedSinceStart[$0] || members[$0].repairingFrom != nil }
    }

    /// The members of the chain in force that run (those up in the newest
    /// epoch and in its chain): a lower bound of the chain's length.
    private var chainInForceCount: Int {
        let newest = members.compactMap(\.epoch).max() ?? 0
        return members.filter { $0.isUp && $0.epoch == newest && !$0.isOutsideChain }.count
    }

    /// The running member that leads the chain's configuration log (of the newest term), if one does.
    private func configurationLeader() -> SimulatedMember? {
        members.filter { $0.isUp && $0.leadsConfigurationLog }.max { ($0.configurationTerm ?? 0) < ($1.configurationTerm ?? 0) }
    }

    /// Healing: an operator adds back every member held out, looking every
    /// 20 ms until the run ends (a leader may be busy or change, and a removal
    /// asked before healing may commit after it), so that every member must
    /// deliver everything at the end.
    private func addBackHeldOutMembers() {
        schedule(.addBackHeldOut, after: 20_000_000)
        let newest = members.filter(\.isUp).max { ($0.epoch ?? 0) < ($1.epoch ?? 0) }
        guard let heldOut = newest?.heldOutMembers.first, let leader = configurationLeader() else { return }
        leader.requestMembershipChange(.add, of: heldOut)
        tally.membershipChanges += 1
        trace.record(.membershipChangeAsked(member: leader.index, subject: heldOut, add: true))
    }

    private func crash(_ member: Int) {
        members[member].crash(random: &faultRandom)
        tally.crashes += 1
        schedule(.restart(member), after: faultRandom.int(in: 1_000_000...100_000_000))
    }

    /// Crashes the member a pending crash waits for, once it has unsynced writes (or at the deadline).
    private func crashWhenUnsynced() {
        guard let pending = pendingCrash else { return }
        let member = members[pending.member]
        guard member.isUp else {
            pendingCrash = nil
            return
        }
        // At a random step of the unsynced window (not always its first): before or after the write completes.
        if (member.environment.disk.unsyncedWrites > 0 && faultRandom.chance(0.25)) || time.now >= pending.deadline {
            pendingCrash = nil
            crash(pending.member)
        }
    }

    // MARK: - Scripts

    private func runScriptSteps() {
        while let step = scriptSteps.first, step.at <= time.now {
            guard scriptConditionHolds(step) else {
                if time.now > step.at + step.within {
                    trace.record(.scriptGaveUp(step: scriptStepsRun))
                    scriptSteps.removeAll()
                    scriptEndedAt = time.now
                }
                return
            }
            scriptSteps.removeFirst()
            scriptWait = nil
            scriptStepsRun += 1
            run(step.action)
            if scriptSteps.isEmpty { scriptEndedAt = time.now }
        }
    }

    /// Whether the first step may run now: its condition held `afterNanos` ago (or it has none).
    private func scriptConditionHolds(_ step: ScriptStep) -> Bool {
        guard let condition = step.condition else { return true }
        var wait = scriptWait ?? (leaderships: members.reduce(0) { $0 + $1.leadershipsTaken }, heldAt: nil)
        defer { scriptWait = wait }
        if wait.heldAt == nil {
            switch condition {
            case .newLeader:
                if members.reduce(0, { $0 + $1.leadershipsTaken }) > wait.leaderships { wait.heldAt = time.now }
            case .majorityHoldsEarlierTermsBeyondCommit:
                if members.contains(where: { $0.knowsMajorityHoldsEarlierTermsBeyondCommit(majority: members.count / 2 + 1) }) {
                    wait.heldAt = time.now
                }
            }
        }
        guard let heldAt = wait.heldAt else { return false }
        return time.now >= heldAt + step.afterNanos
    }

    /// Faults may stop: no script, or its last step ran `settleAfterNanos` ago.
    private var scriptAllowsHealing: Bool {
        guard options.script != nil else { return true }
        guard let ended = scriptEndedAt else { return false }
        return time.now >= ended + SimulationScript.settleAfterNanos
    }

    /// The member a script names, now (nil: a leader was named and none leads, or a name is unbound).
    private func resolve(_ member: ScriptedMember) -> Int? {
        switch member {
        case let .member(index): return index
        case .lastLeader: return lastScriptedLeader
        case .leader:
            let leaders = members.compactMap { member in member.leadingTerm.map { (member.index, $0) } }
            guard let leader = leaders.max(by: { $0.1 < $1.1 }) else { return nil }
            lastScriptedLeader = leader.0
            return leader.0
        case let .named(name): return scriptNames[name]
        case let .otherThan(names, k):
            let taken = Set(names.compactMap { scriptNames[$0] })
            let others = members.indices.filter { !taken.contains($0) }
            return k < others.count ? others[k] : nil
        }
    }

    private func cutBothWays(_ a: Int, _ b: Int) {
        network.setBlocked(true, from: a, to: b)
        network.setBlocked(true, from: b, to: a)
        trace.record(.partitioned(from: a, to: b))
        trace.record(.partitioned(from: b, to: a))
    }

    private func run(_ action: ScriptedAction) {
        switch action {
        case let .remember(ref, name):
            guard let member = resolve(ref) else { return }
            scriptNames[name] = member
            trace.record(.named(member: member, name: name))
        case let .isolate(ref):
            guard let member = resolve(ref) else { return }
            for other in members.indices where other != member {
                network.setBlocked(true, from: member, to: other)
                network.setBlocked(true, from: other, to: member)
            }
            tally.isolations += 1
            trace.record(.isolated(member: member))
        case let .cut(first, second):
            guard let a = resolve(first), let b = resolve(second), a != b else { return }
            cutBothWays(a, b)
            tally.partitions += 1
        case let .separate(refs):
            let side = Set(refs.compactMap(resolve))
            for a in side {
                for b in members.indices where !side.contains(b) { cutBothWays(a, b) }
            }
            tally.partitions += 1
        case .healNetwork:
            network.healPartitions()
            trace.record(.healed)
        case let .networkFaults(faults):
            network.faults = faults
            network.faultsEnabled = faults != .calm
            trace.record(.networkFaults(enabled: network.faultsEnabled))
        case let .crash(ref):
            guard let member = resolve(ref), members[member].isUp else { return }
            members[member].crash(random: &faultRandom)
            tally.crashes += 1
        case let .restart(ref):
            guard let member = resolve(ref) else { return }
            restart(member)
        case .crashAll:
            for member in members where member.isUp {
                member.crash(random: &faultRandom)
                tally.crashes += 1
            }
        case .restartAll:
            for member in members.indices { restart(member) }
        case let .transferLeadership(from, to):
            guard let member = resolve(from), members[member].isUp else { return }
            let target = to.flatMap(resolve)
            members[member].requestLeadershipTransfer(to: target)
            tally.transfers += 1
            trace.record(.transferAsked(member: member, target: target))
        }
    }

    /// Starts a crashed member now (as a scheduled restart would).
    private func restart(_ member: Int) {
        guard !members[member].isUp else { return }
        actions.removeAll { if case .restart(member) = $0.action { return true } else { return false } }
        schedule(.restart(member), after: 0)
        runDueActions()
    }

    /// The faults stop: links, disks and clocks behave, every member comes back.
    private func heal() {
        pendingCrash = nil
        network.faultsEnabled = false
        network.healPartitions()
        actions.removeAll { if case .unblock = $0.action { return true } else { return false } }
        for member in members {
            member.environment.disk.faultsEnabled = false
            if member.pausedUntil > time.now { member.pausedUntil = time.now }
            if !member.isUp {
                actions.removeAll { if case .restart(member.index) = $0.action { return true } else { return false } }
                schedule(.restart(member.index), after: 0)
            }
        }
        if options.failover { schedule(.addBackHeldOut, after: 0) }
        trace.record(.faultsStopped)
    }
}

/// Why a simulation cannot run as asked.
public enum SimulationError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case let .unsupported(text): return text
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ value: Double) -> Double { Glibc.log(value) }
#endif
