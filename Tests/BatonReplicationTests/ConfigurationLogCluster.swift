import BatonReplication
import BatonTestSupport

/// A seeded, in-memory cluster of `ConfigurationLog` members on one thread:
/// an Int64 `now` stepped 1–3 ms at a time, messages through a queue that
/// drops, duplicates, delays and so reorders them (seeded), partitions that
/// start and heal, members that crash and restart from what they last
/// persisted (only that survives) — at random, and right after granting a
/// vote. Membership changes are proposed at random
/// from whoever leads. `ConfigurationLogChecker` checks every member after
/// every delivery and every tick; then the faults stop and the run must
/// elect a leader and commit a new proposal within a bound.
///
/// A `PlantedBug` breaks a rule in the harness' copy of the world, to show
/// the checker catches it. A value; the test's thread.
struct ConfigurationLogCluster {
    /// A rule the harness breaks on purpose.
    enum PlantedBug {
        case none
        /// A member restarts from the state it persisted before its last
        /// write (it answered before its write was durable).
        case restartsOneWriteBehind
        /// A member restarts with its term and entries but without its vote
        /// (the vote was not persisted): it may vote twice in one term.
        case restartsWithoutItsVote
        /// Candidates claim the newest possible log, so voters skip the up-to-date check.
        case candidatesClaimTheNewestLog
    }

    /// What one run saw, for the tests' coverage checks.
    struct Statistics {
        var elections = 0
        var committedChanges = 0
        var proposalsAccepted = 0
        var proposalsRefused = 0
        var crashes = 0
        var partitions = 0
        var delivered = 0
        var dropped = 0
        /// Followers whose last entry was replaced by a lower or different entry at the same index.
        var divergentEntriesReplaced = 0
        var refusedAppends = 0
        /// Nanoseconds from the end of the faults to the new proposal committed on every member.
        var healedCommitNanos: Int64 = 0
    }

    private struct InFlight {
        var deliverAt: Int64
        var sequence: Int
        var from: Int
        var to: Int
        var message: ConfigurationMessage
    }

    static let ms: Int64 = 1_000_000
    static let electionTimeoutMinimumNanos = 150 * ms
    static let electionTimeoutMaximumNanos = 300 * ms
    static let heartbeatIntervalNanos = 50 * ms

    let seed: UInt64
    let voters: [UInt32]
    let bug: PlantedBug
    private(set) var now: Int64 = 0
    private(set) var checker = ConfigurationLogChecker()
    private(set) var statistics = Statistics()
    private var random: SplitMix64
    private var members: [ConfigurationLog?]
    /// What each member persisted last, and the write before it.
    private var disk: [ConfigurationPersistentState?]
    private var diskBefore: [ConfigurationPersistentState?]
    private var restartAt: [Int64]
    private var incarnations: [UInt64]
    private var inFlight: [InFlight] = []
    private var sequence = 0
    private let initial: ChainMembership
    // This run's faults (drawn from the seed).
    private var faultsOn = true
    private let dropChance: Double
    private let duplicateChance: Double
    private let delayMaximumNanos: Int64
    private let crashChancePerStep: Double
    private let crashAfterVoteChance: Double
    private let proposalChancePerStep: Double
    /// Each member's side of the current partition (all 0: none).
    private var side: [Int]
    private var partitionHealsAt: Int64 = .max

    init(seed: UInt64, memberCount: Int, bug: PlantedBug = .none) {
        self.seed = seed
        self.bug = bug
        voters = (1...memberCount).map { UInt32($0) }
        var random = SplitMix64(seed: seed)
        dropChance = random.unit() * 0.2
        duplicateChance = random.unit() * 0.1
        delayMaximumNanos = random.int(in: 1...20) * Self.ms
        crashChancePerStep = random.unit() * 0.003
        crashAfterVoteChance = random.unit() * 0.5
        proposalChancePerStep = 0.01 + random.unit() * 0.04
        self.random = random
        do {
            initial = try ChainMembership(epoch: 1, members: voters, minimumLength: 2)
        } catch {
            preconditionFailure("\(error)")
        }
        members = Array(repeating: nil, count: memberCount)
        disk = Array(repeating: nil, count: memberCount)
        diskBefore = Array(repeating: nil, count: memberCount)
        restartAt = Array(repeating: .max, count: memberCount)
        incarnations = Array(repeating: 0, count: memberCount)
        side = Array(repeating: 0, count: memberCount)
        for node in 0..<memberCount { start(node) }
    }

    /// Faults for `faultNanos`, then none: a leader must be elected and a
    /// proposal made after the faults commit on every member within
    /// `healBoundNanos`. Stops at the first violation (`checker.violation`).
    mutating func run(faultNanos: Int64, healBoundNanos: Int64) {
        while now < faultNanos && checker.violation == nil { step() }
        guard checker.violation == nil else { return }
        heal()
        let healedAt = now
        var target: (epoch: UInt32, proposer: Int)?
        defer { statistics.committedChanges = Int(checker.highestCommittedEpoch) - 1 }
        while checker.violation == nil {
            if now - healedAt > healBoundNanos {
                return checker.fail("no proposal committed on every member within \(healBoundNanos / Self.ms) ms of the faults ending"
                                    + " (target epoch \(target.map { String($0.epoch) } ?? "none: no leader took one"))")
            }
            step()
            if let pending = target, members[pending.proposer]?.role != .leader {
                target = nil // Deposed before it committed everywhere: the new leader proposes afresh.
            }
            if target == nil { target = proposeAfterHealing() }
            if let target, members.allSatisfy({ ($0?.committedMembership.epoch ?? 0) >= target.epoch }) {
                statistics.healedCommitNanos = now - healedAt
                return
            }
        }
    }

    // MARK: - Steps

    private mutating func step() {
        now += random.int(in: 1...3) * Self.ms
        deliverDue()
        for node in members.indices where members[node] != nil {
            let action = members[node]!.tick(now: now)
            carryOut(action, from: node)
            check()
        }
        guard faultsOn else { return }
        injectFaults()
        if random.chance(proposalChancePerStep) {
            // Any member that believes it leads, a deposed one cut off from the others included.
            let leaders = members.indices.filter { members[$0]?.role == .leader }
            if let leader = leaders.randomElement(using: &random) { _ = propose(from: leader) }
        }
        check()
    }

    private mutating func deliverDue() {
        guard inFlight.contains(where: { $0.deliverAt <= now }) else { return }
        var due = inFlight.filter { $0.deliverAt <= now }
        inFlight.removeAll { $0.deliverAt <= now }
        due.sort { ($0.deliverAt, $0.sequence) < ($1.deliverAt, $1.sequence) }
        for message in due {
            guard checker.violation == nil else { return }
            guard members[message.to] != nil, side[message.from] == side[message.to] else {
                statistics.dropped += 1
                continue
            }
            statistics.delivered += 1
            let before = members[message.to]!.lastEntry
            let refusedBefore = members[message.to]!.refusedAppendCount
            let wasLeader = members[message.to]!.role == .leader
            let action = members[message.to]!.receive(message.message, now: now)
            let after = members[message.to]!.lastEntry
            if after.index < before.index || (after.index == before.index && after != before) { statistics.divergentEntriesReplaced += 1 }
            statistics.refusedAppends += members[message.to]!.refusedAppendCount - refusedBefore
            if !wasLeader && members[message.to]!.role == .leader { statistics.elections += 1 }
            carryOut(action, from: message.to)
            check()
        }
    }

    /// Persists what the member must (before anything is sent), then sends.
    private mutating func carryOut(_ action: ConfigurationLogAction, from node: Int) {
        if members[node]!.needsPersisting {
            diskBefore[node] = disk[node]
            disk[node] = members[node]!.persistentState
            members[node]!.persisted()
        }
        switch action {
        case .none:
            break
        case let .broadcast(message):
            for other in members.indices where other != node { send(message, from: node, to: other) }
        case let .send(message, to):
            guard let other = voters.firstIndex(of: to) else { return }
            send(message, from: node, to: other)
            // The most delicate moment to crash: right after a vote went out (it must survive).
            if faultsOn, case let .voteResponse(response) = message, response.granted, !response.isPreVote,
               random.chance(crashAfterVoteChance) {
                crash(node, restartAfter: random.int(in: 0...5) * Self.ms)
            }
        }
    }

    private mutating func send(_ message: ConfigurationMessage, from: Int, to: Int) {
        var message = message
        if bug == .candidatesClaimTheNewestLog, case var .voteRequest(request) = message {
            request.lastTerm = .max
            request.lastIndex = .max
            message = .voteRequest(request)
        }
        guard !faultsOn || !random.chance(dropChance) else {
            statistics.dropped += 1
            return
        }
        let copies = faultsOn && random.chance(duplicateChance) ? 2 : 1
        for _ in 0..<copies {
            sequence += 1
            let delay = random.int(in: Self.ms / 10...delayMaximumNanos)
            inFlight.append(InFlight(deliverAt: now + delay, sequence: sequence, from: from, to: to, message: message))
        }
    }

    private mutating func check() {
        for member in members {
            guard let member else { continue }
            checker.observe(member)
        }
    }

    // MARK: - Faults

    private mutating func injectFaults() {
        for node in members.indices {
            if members[node] == nil {
                if now >= restartAt[node] { start(node) }
            } else if random.chance(crashChancePerStep) {
                crash(node, restartAfter: random.int(in: 20...1_500) * Self.ms)
            }
        }
        if partitionHealsAt == .max {
            if random.chance(0.002) {
                for node in side.indices { side[node] = random.chance(0.5) ? 1 : 0 }
                partitionHealsAt = now + random.int(in: 100...2_000) * Self.ms
                statistics.partitions += 1
            }
        } else if now >= partitionHealsAt {
            for node in side.indices { side[node] = 0 }
            partitionHealsAt = .max
        }
    }

    /// The member stops; it loses everything it did not persist.
    private mutating func crash(_ node: Int, restartAfter delayNanos: Int64) {
        members[node] = nil
        restartAt[node] = now + delayNanos
        statistics.crashes += 1
        switch bug {
        case .restartsOneWriteBehind: disk[node] = diskBefore[node]
        case .restartsWithoutItsVote: disk[node]?.votedFor = nil
        case .none, .candidatesClaimTheNewestLog: break
        }
    }

    /// A member (re)starts from what it persisted (nil: new, from the cluster file).
    private mutating func start(_ node: Int) {
        incarnations[node] += 1
        members[node] = ConfigurationLog(
            nodeId: voters[node], voters: voters, state: disk[node], initialMembership: initial,
            electionTimeoutMinimumNanos: Self.electionTimeoutMinimumNanos, electionTimeoutMaximumNanos: Self.electionTimeoutMaximumNanos,
            heartbeatIntervalNanos: Self.heartbeatIntervalNanos, seed: seed &* 31 &+ incarnations[node], now: now)
        restartAt[node] = .max
    }

    /// The faults end: links heal, crashed members restart, nothing more is
    /// dropped or duplicated (delays, and so reordering, remain).
    private mutating func heal() {
        faultsOn = false
        for node in side.indices { side[node] = 0 }
        partitionHealsAt = .max
        for node in members.indices where members[node] == nil { start(node) }
        check()
    }

    // MARK: - Proposals

    /// A random change of the leader's committed membership: remove a member,
    /// add one as tail, or change the minimum length — each the next epoch.
    private mutating func propose(from leader: Int) -> ConfigurationEntry? {
        let current = members[leader]!.committedMembership
        let outside = voters.filter { !current.contains($0) }
        let change: ChainMembership
        do {
            if current.count > 1 && (outside.isEmpty || random.chance(0.5)) {
                change = try current.removing(current.members[Int(random.int(in: 0...Int64(current.count - 1)))])
            } else if let joining = outside.randomElement(using: &random) {
                change = try current.appending(joining)
            } else {
                change = try current.withMinimumLength(Int(random.int(in: 1...3)))
            }
        } catch {
            preconditionFailure("node \(voters[leader]) made an invalid change of \(current): \(error)")
        }
        switch members[leader]!.propose(change, now: now) {
        case let .accepted(entry, action):
            statistics.proposalsAccepted += 1
            carryOut(action, from: leader)
            return entry
        case .refused:
            statistics.proposalsRefused += 1
            return nil
        }
    }

    /// After the faults: the leader's accepted proposal's epoch, and the leader.
    private mutating func proposeAfterHealing() -> (epoch: UInt32, proposer: Int)? {
        guard let leader = members.indices.first(where: { members[$0]?.role == .leader }),
              let entry = propose(from: leader) else { return nil }
        return (entry.membership.epoch, leader)
    }
}
