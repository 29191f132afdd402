import BatonAgent
import BatonProtocol
import BatonReplication
import BatonRing

/// The commit stage: advances `commitPosition` from its source and turns ack
/// requests whose frames are now committed into PublishAcks for the client
/// I/O agent, coalescing consecutive requests of one producer in one session
/// into a single cumulative ack.
///
/// Ack requests arrive in log order (the order stage appends sequentially),
/// so the stage stops at the first request that is not yet committed.
///
/// A request ordered under a leadership generation below the gate's
/// `ackableFrom` (read once per duty cycle, after the commit position) is
/// refused with `notLeader` at once, never acked: the member stopped leading
/// after ordering it, and (Raft) its positions may since hold another
/// leader's frames. (A leader that only paused its order stage — a
/// leadership transfer — keeps its earlier requests ackable.) The committed position is read before the
/// generation, so a commit published after a step-down is never paired with
/// the generation before it. The publisher resends to the new leader, whose
/// producer table (rebuilt from its log) drops what was logged already.
///
/// Threading: an `Agent` on its runner's thread; the single writer of
/// `commitPosition` and the only consumer of the ack-request ring.
public final class CommitStage<Source: CommitSource>: Agent {
    public let roleName = "commit"
    private let source: Source
    private let ackRequests: OneToOneRingBuffer
    private let egress: ManyToOneRingBuffer
    private let commitPosition: PositionCounter
    private let leadership: LeadershipGate
    private let batchLimit: Int
    private var pending = PendingAck()

    private struct PendingAck {
        var valid = false
        var sessionId: UInt64 = 0
        var producerId: UInt64 = 0
        var sequence: UInt64 = 0
        var framePosition: Int64 = 0
        var endPosition: Int64 = 0
    }

    public init(source: Source, ackRequests: OneToOneRingBuffer, egress: ManyToOneRingBuffer,
                commitPosition: PositionCounter, leadership: LeadershipGate, batchLimit: Int = 256) {
        self.leadership = leadership
        self.source = source
        self.ackRequests = ackRequests
        self.egress = egress
        self.commitPosition = commitPosition
        self.batchLimit = batchLimit
    }

    public func onStart() throws {
        commitPosition.setRelease(max(commitPosition.getPlain(), source.committedPosition()))
    }

    public func doWork() throws -> Int {
        defer { assertInvariants() }
        var work = 0
        let committed = source.committedPosition()
        let generation = leadership.currentGeneration
        let ackableFrom = leadership.currentAckableFrom
        if committed > commitPosition.getPlain() {
            commitPosition.setRelease(committed)
            work += 1
        }
        // A pending ack not yet handed on (egress full last time) goes first.
        if pending.valid && !flushPending() { return work }
        let taken = ackRequests.controlledRead(limit: batchLimit) { _, payload, _ in
            let request = AckRecord(payload)
            // Ordered after this cycle read the gate (a leadership that just began): judged next cycle.
            if request.generation > generation { return .abort }
            if request.generation < ackableFrom {
                if pending.valid && !flushPending() { return .abort }
                return refuse(request) ? .continue : .abort
            }
            if request.endPosition > committed { return .abort }
            if pending.valid && (pending.sessionId != request.sessionId || pending.producerId != request.producerId) {
                if !flushPending() { return .abort }
            }
            pending.valid = true
            pending.sessionId = request.sessionId
            pending.producerId = request.producerId
            // Same session and producer: a later request supersedes (acks are cumulative).
            pending.sequence = request.sequence
            pending.framePosition = request.framePosition
            pending.endPosition = request.endPosition
            return .continue
        }
        if pending.valid { _ = flushPending() }
        return work + taken
    }

    /// Debug builds, after every duty cycle: nothing is acked that is not
    /// committed (a pending ack's end is within the commit position).
    func assertInvariants() {
        assert(!pending.valid || pending.endPosition <= commitPosition.getPlain(),
               "ack for position \(pending.endPosition) pending past the commit \(commitPosition.getPlain())")
    }

    /// Tells the publisher of a request from an earlier leadership that it is
    /// not acked here (`notLeader`, naming the leader if known); false when
    /// the egress ring is full. Rare: a leader change.
    private func refuse(_ request: AckRecord) -> Bool {
        let bytes = leadership.refusalTextBytes(upTo: RefusalRecord.maximumTextLength)
        let length = RefusalRecord.length(textBytes: bytes.count)
        guard let index = egress.claimValid(typeId: PipelineRecordType.publishRefused, length: length) else { return false }
        RefusalRecord(egress.payloadPointer(at: index)).write(sessionId: request.sessionId, producerId: request.producerId,
                                                              code: .notLeader, text: bytes)
        egress.commit(index: index)
        return true
    }

    /// Hands the pending ack to the client I/O agent; false when the egress ring is full.
    private func flushPending() -> Bool {
        guard let index = egress.claimValid(typeId: PipelineRecordType.publishAck, length: AckRecord.length) else {
            return false
        }
        let ack = AckRecord(egress.payloadPointer(at: index))
        ack.sessionId = pending.sessionId
        ack.producerId = pending.producerId
        ack.sequence = pending.sequence
        ack.framePosition = pending.framePosition
        ack.endPosition = pending.endPosition
        egress.commit(index: index)
        pending.valid = false
        return true
    }
}
