import BatonRing

/// What the order stage reads at the start of every duty cycle: whether this
/// member leads (`Leadership`, one acquire load) and, when it does not, which
/// member does and the text a refused publisher reads. The replicator is the
/// single writer and may change it at run time (a chain head that has caught
/// up; a Raft election), so the order stage keeps nothing of it across cycles
/// except what it re-derives on a change.
///
/// Every change bumps `generation` (stored last, with release ordering). The
/// order stage stores the generation it obeys in `observed` at the start of
/// each duty cycle, so a replicator that stops leading knows when the order
/// stage has stopped appending (`orderStageObserved`) and the appender is its
/// own again; the order stage stamps each ack request with the generation it
/// ordered under, and the commit stage refuses (never acks) a request ordered
/// under a generation below `ackableFrom`: a Raft leader that stepped down
/// may see those positions filled by another leader's frames. A change that
/// keeps this member's positions its own (a leader pausing its order stage
/// for a leadership transfer, and resuming) keeps `ackableFrom`, so what it
/// ordered before is still acked once committed.
///
/// Invariant: `state` holds a `Leadership` raw value; `leaderId` is a member
/// id or -1 (unknown); `generation` never decreases, `observed <= generation`
/// and `ackableFrom <= generation`;
/// `refusalTexts` names a text for every member that can lead.
/// Threading: `state`, `leaderId`, `generation` written by the replicator's
/// thread (release), `observed` by the order stage's; read anywhere (acquire);
/// the texts are immutable.
public struct LeadershipGate: @unchecked Sendable {
    public let state: PositionCounter
    public let leaderId: PositionCounter
    /// Changes published so far (0: none).
    public let generation: PositionCounter
    /// The generation the order stage last obeyed (its single writer).
    public let observed: PositionCounter
    /// The oldest generation whose ack requests may still be acked (the replicator).
    public let ackableFrom: PositionCounter
    /// The refusal text by leader id, made once at set-up (so a refusal formats nothing new).
    public let refusalTexts: [UInt32: String]
    /// The same texts as UTF-8, made once (a refusal copies them; it allocates nothing).
    let refusalTextBytes: [UInt32: [UInt8]]
    let unknownLeaderTextBytes: [UInt8]
    /// Used when the leader is unknown (or has no text).
    public let unknownLeaderText: String
    /// What a publisher is told while the state is `tooFewReplicas`.
    public let tooFewReplicasText: String
    let tooFewReplicasTextBytes: [UInt8]

    public init(state: PositionCounter, leaderId: PositionCounter, generation: PositionCounter, observed: PositionCounter,
                ackableFrom: PositionCounter, refusalTexts: [UInt32: String] = [:],
                unknownLeaderText: String = "this node does not order publishes now and knows no leader; try another member",
                tooFewReplicasText: String = "too few replicas: writes are refused until a member rejoins") {
        self.state = state
        self.leaderId = leaderId
        self.generation = generation
        self.observed = observed
        self.ackableFrom = ackableFrom
        self.refusalTexts = refusalTexts
        refusalTextBytes = refusalTexts.mapValues { Array($0.utf8) }
        unknownLeaderTextBytes = Array(unknownLeaderText.utf8)
        self.unknownLeaderText = unknownLeaderText
        self.tooFewReplicasText = tooFewReplicasText
        tooFewReplicasTextBytes = Array(tooFewReplicasText.utf8)
    }

    /// Leadership now (acquire).
    @inlinable public var current: Leadership { Leadership(rawValue: state.getAcquire()) ?? .waiting }

    /// The generation now (acquire): read it before `current`, so a new
    /// generation is never seen with an older state.
    @inlinable public var currentGeneration: Int64 { generation.getAcquire() }

    /// Publishes a change (the replicator's thread); returns its generation.
    /// `keepsAcks`: this member's positions stay its own across the change
    /// (a leader pausing and resuming), so earlier requests stay ackable.
    @discardableResult
    public func publish(_ leadership: Leadership, leader: UInt32?, keepsAcks: Bool = false) -> Int64 {
        leaderId.setReleaseAllowingDecrease(leader.map(Int64.init) ?? -1)
        state.setReleaseAllowingDecrease(leadership.rawValue)
        let next = generation.getPlain() &+ 1
        if !keepsAcks { ackableFrom.setReleaseAllowingDecrease(next) }
        generation.setRelease(next)
        return next
    }

    /// The oldest generation whose requests may be acked (acquire; read after `currentGeneration`).
    @inlinable public var currentAckableFrom: Int64 { ackableFrom.getAcquire() }

    /// The order stage obeys `generation` from now on (its thread, at the start of a duty cycle).
    @inlinable public func orderStageObeys(_ generation: Int64) {
        if observed.getPlain() != generation { observed.setReleaseAllowingDecrease(generation) }
    }

    /// Whether the order stage has started a duty cycle under `generation`
    /// or later: it appends nothing more under an earlier one (acquire).
    @inlinable public func orderStageObserved(_ generation: Int64) -> Bool { observed.getAcquire() >= generation }

    /// What a publisher refused now is told, as UTF-8 made at set-up (no allocation).
    public func refusalTextBytes(upTo limit: Int) -> [UInt8] {
        let leader = leaderId.getAcquire()
        let bytes = leader >= 0 ? refusalTextBytes[UInt32(truncatingIfNeeded: leader)] ?? unknownLeaderTextBytes : unknownLeaderTextBytes
        return bytes.count <= limit ? bytes : Array(bytes.prefix(limit))
    }

    /// What a publisher refused for too few replicas is told, as UTF-8 made at set-up.
    public func tooFewReplicasTextBytes(upTo limit: Int) -> [UInt8] {
        tooFewReplicasTextBytes.count <= limit ? tooFewReplicasTextBytes : Array(tooFewReplicasTextBytes.prefix(limit))
    }

    /// What a publisher refused now is told.
    public func refusalText() -> String {
        let leader = leaderId.getAcquire()
        guard leader >= 0, let text = refusalTexts[UInt32(truncatingIfNeeded: leader)] else { return unknownLeaderText }
        return text
    }
}
