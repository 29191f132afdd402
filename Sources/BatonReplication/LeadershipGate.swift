import BatonRing

/// What the order stage reads at the start of every duty cycle: whether this
/// member leads (`Leadership`, one acquire load) and, when it does not, which
/// member does and the text a refused publisher reads. The replicator is the
/// single writer and may change it at run time (a chain head that has caught
/// up; a Raft election), so the order stage keeps nothing of it across cycles
/// except what it re-derives on a change.
///
/// Invariant: `state` holds a `Leadership` raw value; `leaderId` is a member
/// id or -1 (unknown); `refusalTexts` names a text for every member that can lead.
/// Threading: written by the replicator's thread (release), read by the order
/// stage's (acquire); the texts are immutable.
public struct LeadershipGate: @unchecked Sendable {
    public let state: PositionCounter
    public let leaderId: PositionCounter
    /// The refusal text by leader id, made once at set-up (so a refusal formats nothing new).
    public let refusalTexts: [UInt32: String]
    /// Used when the leader is unknown (or has no text).
    public let unknownLeaderText: String

    public init(state: PositionCounter, leaderId: PositionCounter, refusalTexts: [UInt32: String] = [:],
                unknownLeaderText: String = "this node does not order publishes now and knows no leader; try another member") {
        self.state = state
        self.leaderId = leaderId
        self.refusalTexts = refusalTexts
        self.unknownLeaderText = unknownLeaderText
    }

    /// Leadership now (acquire).
    @inlinable public var current: Leadership { Leadership(rawValue: state.getAcquire()) ?? .waiting }

    /// Publishes a change (the replicator's thread).
    public func publish(_ leadership: Leadership, leader: UInt32?) {
        leaderId.setReleaseAllowingDecrease(leader.map(Int64.init) ?? -1)
        state.setReleaseAllowingDecrease(leadership.rawValue)
    }

    /// What a publisher refused now is told.
    public func refusalText() -> String {
        let leader = leaderId.getAcquire()
        guard leader >= 0, let text = refusalTexts[UInt32(truncatingIfNeeded: leader)] else { return unknownLeaderText }
        return text
    }
}
