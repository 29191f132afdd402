/// Judges one run's history: what clients were told (acks), what every member
/// committed, logged and delivered. Fed as things happen; the first violation
/// is kept (and stops the run).
///
/// - The canonical history is position → (producer, sequence),
///   fixed by the first delivery of each position by any member; every later
///   delivery of that position, by any member, after any restart, must match
///   it (invariant 2), and every payload must be the publisher's bytes.
/// - An ack tells a client its message is committed: its frame's end must be
///   within the acking member's commit position (3) and, at the end, delivered
///   by every member (1).
/// - Commit rule: a member's commit position is never past what a quorum
///   holds durably (chain: every member; Raft: a majority), never backwards
///   within one incarnation (3).
/// - Each member's subscriber replays the log from its start after every
///   restart; within one replay each producer's sequences go 0, 1, 2, ... (4).
///
/// Invariant: `violation` is set at most once. Threading: the simulation's thread.
public final class HistoryChecker {
    public private(set) var violation: Violation?
    private let time: SimulationTime
    /// position → (producerId, sequence) of the frame committed there (its
    /// payload is checked byte for byte against the publisher's, so these name it).
    private var canonical: [Int64: CanonicalFrame] = [:]
    /// Per producer index: one past the highest sequence acknowledged.
    public private(set) var ackedCount: [UInt64]
    /// Per member, per producer index: one past the highest sequence delivered in the current replay.
    private var deliveredCount: [[UInt64]]
    /// Per member: the highest commit seen in its current incarnation.
    private var commitSeen: [Int64]
    /// The highest commit position any member has published.
    public private(set) var highestCommit: Int64 = 0
    public private(set) var checks = CheckCounts()
    private let producerIds: [UInt64]
    private var producerIndex: [UInt64: Int] = [:]

    struct CanonicalFrame: Equatable {
        var producerId: UInt64
        var sequence: UInt64
    }

    /// What was checked over a run (for the summary: a checker that checks nothing proves nothing).
    public struct CheckCounts: Sendable, Equatable {
        public var deliveries = 0
        public var acks = 0
        public var commitChecks = 0
        public var finalChecks = 0
    }

    public init(members: Int, producerIds: [UInt64], time: SimulationTime) {
        self.time = time
        self.producerIds = producerIds
        ackedCount = Array(repeating: 0, count: producerIds.count)
        deliveredCount = Array(repeating: Array(repeating: 0, count: producerIds.count), count: members)
        commitSeen = Array(repeating: .min, count: members)
        for (index, id) in producerIds.enumerated() { producerIndex[id] = index }
    }

    public var failed: Bool { violation != nil }

    func fail(_ invariant: Invariant, _ detail: @autoclosure () -> String) {
        guard violation == nil else { return }
        violation = Violation(invariant: invariant, detail: detail(), atNanos: time.now)
    }

    // MARK: - Events

    /// Member `member` (re)started: its subscriber replays from the log's start, its commit starts afresh.
    public func memberStarted(_ member: Int) {
        for index in deliveredCount[member].indices { deliveredCount[member][index] = 0 }
        commitSeen[member] = .min
    }

    /// A client was told: messages of `producerId` up to `sequence` are committed, the last ending at `endPosition`.
    public func acknowledged(by member: Int, producerId: UInt64, sequence: UInt64, endPosition: Int64, commit: Int64) {
        checks.acks += 1
        guard let index = producerIndex[producerId] else {
            return fail(.commitRule, "member \(member) acked unknown producer \(producerId)")
        }
        if endPosition > commit {
            fail(.commitRule, "member \(member) acked producer \(producerId) through sequence \(sequence) ending at \(endPosition), past its commit position \(commit)")
        }
        if sequence + 1 > ackedCount[index] { ackedCount[index] = sequence + 1 }
    }

    /// Member `member`'s subscriber was given the data frame at `position`.
    public func delivered(by member: Int, position: Int64, producerId: UInt64, sequence: UInt64,
                          payload: UnsafeRawBufferPointer, commit: Int64, frameEnd: Int64) {
        checks.deliveries += 1
        if frameEnd > commit {
            return fail(.commitRule, "member \(member) delivered the frame at \(position) ending at \(frameEnd), past its commit \(commit)")
        }
        guard let index = producerIndex[producerId] else {
            return fail(.identicalCommittedPrefixes, "member \(member) delivered a frame at \(position) from unknown producer \(producerId)")
        }
        guard SimulatedPayload.matches(payload, producerId: producerId, sequence: sequence) else {
            return fail(.identicalCommittedPrefixes, "member \(member) delivered the frame at \(position) (producer \(producerId), sequence \(sequence)) with bytes the publisher never sent")
        }
        let frame = CanonicalFrame(producerId: producerId, sequence: sequence)
        if let known = canonical[position] {
            if known != frame {
                return fail(.identicalCommittedPrefixes, "member \(member) delivered producer \(producerId) sequence \(sequence) at \(position), where producer \(known.producerId) sequence \(known.sequence) was committed")
            }
        } else {
            canonical[position] = frame
        }
        let expected = deliveredCount[member][index]
        if sequence != expected {
            let what = sequence < expected ? "a duplicate" : "a gap (\(sequence - expected) missing)"
            return fail(.producerOrder, "member \(member) delivered producer \(producerId) sequence \(sequence) at \(position) after \(expected) messages of it: \(what)")
        }
        deliveredCount[member][index] = sequence + 1
    }

    /// A restarted member recovered its log to `recovered`; before the crash it
    /// reported `durableBefore` durable (what commits, and so acks, rest on).
    /// Synced bytes survive a crash: recovering less means it called durable what was not.
    public func checkRecovered(member: Int, durableBefore: Int64, recovered: Int64) {
        checks.commitChecks += 1
        if recovered < durableBefore {
            fail(.commitRule, "member \(member) reported its log durable to \(durableBefore) before it crashed, but recovered only to \(recovered)")
        }
    }

    /// After a scheduling step: the commit rule for every running member whose commit moved.
    /// `commits[i]` is nil for a member that is down; `durableFloors[j]` is
    /// member j's durable position (the last known while it is down: synced bytes survive a crash).
    /// `quorum`: how many members must hold a byte durably before it commits
    /// (chain: every member; Raft: a majority).
    public func checkCommits(_ commits: [Int64?], durableFloors: [Int64], quorum: Int) {
        checks.commitChecks += 1
        let floor = durableFloors.isEmpty ? .max : durableFloors.sorted(by: >)[min(quorum, durableFloors.count) - 1]
        for (member, commit) in commits.enumerated() {
            guard let commit else { continue }
            if commit < commitSeen[member] {
                return fail(.commitRule, "member \(member)'s commit went back from \(commitSeen[member]) to \(commit)")
            }
            // Judged when a commit is decided (a new highest): a member repairing a corrupted segment
            // holds less than what was committed before, for a while, and the old commit still travels.
            let decided = commit > highestCommit
            commitSeen[member] = commit
            highestCommit = max(highestCommit, commit)
            if decided && commit > floor {
                return fail(.commitRule, "member \(member) committed \(commit) but only \(durableFloors.filter { $0 >= commit }.count) of \(durableFloors.count) members are durable that far (durable positions \(durableFloors), \(quorum) needed)")
            }
        }
    }

    /// Invariant 5 after a step: at most one member leads per term (chain:
    /// term 0 — at most one at a time; Raft: a deposed leader may still think
    /// it leads an older term until it hears the newer one), and a member that
    /// has just started leading holds every committed byte (`becameLeader`:
    /// member and its log's end then). `leaders`: each leading member and its term.
    public func checkLeaders(leaders: [(member: Int, term: Int64)], becameLeader: (member: Int, end: Int64)?) {
        for (index, leader) in leaders.enumerated() {
            for other in leaders[(index + 1)...] where other.term == leader.term {
                return fail(.singleLeader, "members \(leader.member) and \(other.member) lead at once\(leader.term > 0 ? " in term \(leader.term)" : "")")
            }
        }
        if let becameLeader, becameLeader.end < highestCommit {
            fail(.singleLeader, "member \(becameLeader.member) started leading with its log ending at \(becameLeader.end), below the commit \(highestCommit)")
        }
    }

    /// At the end (faults healed, the cluster given time): every acknowledged
    /// message delivered by every member (1); every offered message acknowledged (6).
    public func checkFinal(offered: [UInt64], membersUp: [Bool], settleNanos: Int64) {
        checks.finalChecks += 1
        for (index, producerId) in producerIds.enumerated() {
            for member in deliveredCount.indices where membersUp[member] {
                if deliveredCount[member][index] < ackedCount[index] {
                    return fail(.noAcknowledgedLoss, "producer \(producerId): \(ackedCount[index]) messages acked but member \(member) delivered only \(deliveredCount[member][index])")
                }
            }
        }
        for (index, producerId) in producerIds.enumerated() where ackedCount[index] < offered[index] {
            return fail(.liveness, "producer \(producerId): \(ackedCount[index]) of \(offered[index]) messages acked \(settleNanos / 1_000_000) ms after the faults stopped")
        }
        for member in deliveredCount.indices where membersUp[member] {
            for (index, producerId) in producerIds.enumerated() where deliveredCount[member][index] < offered[index] {
                return fail(.liveness, "member \(member) delivered \(deliveredCount[member][index]) of \(offered[index]) messages of producer \(producerId) \(settleNanos / 1_000_000) ms after the faults stopped")
            }
        }
    }

    /// Per member, per producer: messages delivered in the current replay.
    public func deliveredCount(member: Int) -> UInt64 { deliveredCount[member].reduce(0, +) }

    /// Whether every member that is up has delivered all of `offered`.
    public func allDelivered(offered: [UInt64], membersUp: [Bool]) -> Bool {
        for member in deliveredCount.indices where membersUp[member] {
            for index in offered.indices where deliveredCount[member][index] < offered[index] { return false }
        }
        return true
    }

}
