/// Why the sender goes back and resends to its successor.
public enum ResendReason: Sendable, Equatable, CustomStringConvertible {
    /// The successor's first Status: it may be missing anything sent before.
    case successorJoined
    /// A Status lower than the one before: the successor restarted with less.
    case successorWentBack
    /// The successor asked (a Nak).
    case nak
    /// Data outstanding and no progress for four heartbeat intervals: the tail of a burst was lost.
    case timeout

    public var description: String {
        switch self {
        case .successorJoined: return "successor joined"
        case .successorWentBack: return "successor went back"
        case .nak: return "nak"
        case .timeout: return "timeout"
        }
    }
}

/// What a member's sender knows of its successor, and the decisions it makes
/// from that (Aeron's sender flow control and `RetransmitHandler` in one
/// small object): how far it may send (the successor's received position
/// plus its window), when to go back and resend (a first or lower Status, a
/// Nak below what is staged, a stall of four heartbeat intervals), when a
/// Commit or a Heartbeat is due. Time is passed in; nothing here does I/O —
/// the replicator stages what it decides.
///
/// Invariant: `stagedPosition` never decreases; `received` only decreases on
/// a Status that says the successor went back; `chainDurable` never decreases.
/// Threading: owned by one replicator; its thread only.
public struct SuccessorSender: Sendable {
    public let heartbeatIntervalNanos: Int64
    /// Everything below has been staged for the successor at least once.
    public private(set) var stagedPosition: Int64
    /// Whether a Status has arrived since start.
    public private(set) var known = false
    /// The successor's last reported received position.
    public private(set) var received: Int64 = 0
    /// The successor's last reported window (bytes past `received`).
    public private(set) var window: Int64 = 0
    /// The successor's highest reported chain-durable position.
    public private(set) var chainDurable: Int64 = 0
    /// When the successor last showed progress (or joined, or a timeout resend began).
    public private(set) var progressNanos: Int64 = 0
    /// When anything was last sent to the successor.
    public private(set) var lastSentNanos: Int64 = 0
    /// The last commit position sent (-1: none yet).
    public private(set) var lastCommitSent: Int64 = -1
    /// The successor's receive generation (`ReplicationStatus.receiveGeneration`:
    /// its incarnation in the high 32 bits, its resets since in the low 32) in
    /// the latest Status taken (-1: none).
    public private(set) var generation: Int64 = -1
    /// When a Status was last taken (not set aside as late).
    public private(set) var lastTakenNanos: Int64 = 0

    public init(stagedPosition: Int64, heartbeatIntervalNanos: Int64) {
        precondition(heartbeatIntervalNanos > 0, "heartbeat interval must be positive")
        self.stagedPosition = stagedPosition
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
    }

    /// The highest position the successor's window lets the sender send up to.
    public var sendLimit: Int64 { received &+ window }

    /// A Status from the successor. Returns why to resend from `received`
    /// when the successor may be missing staged bytes (a first Status, or a
    /// lower one than before), nil otherwise.
    ///
    /// `generation` (a chain successor's receive generation; nil for a Raft
    /// follower, whose every lower Status counts): within one incarnation, a
    /// Status with fewer resets than the latest, or with the same and a lower
    /// received position, was overtaken by a newer one on the way
    /// (reordering) — only its chain-durable position is taken. More resets,
    /// or another incarnation (a restart), mean the successor may have gone
    /// back. Should Statuses be set aside as late for four heartbeat
    /// intervals (an incarnation that repeated an old one's number), the next
    /// is taken whatever it says: the rule can delay, never wedge, the sender.
    public mutating func onStatus(received newReceived: Int64, chainDurable newChainDurable: Int64,
                                  window newWindow: Int64, generation newGeneration: Int64? = nil,
                                  now: Int64) -> ResendReason? {
        var reason: ResendReason?
        if known, let newGeneration, now &- lastTakenNanos < 4 &* heartbeatIntervalNanos,
           newGeneration >> 32 == generation >> 32 {
            let resets = newGeneration & 0xFFFF_FFFF
            let latestResets = generation & 0xFFFF_FFFF
            if resets < latestResets || (resets == latestResets && newReceived < received) {
                if newChainDurable > chainDurable { chainDurable = newChainDurable }
                return nil
            }
        }
        if let newGeneration { generation = newGeneration }
        lastTakenNanos = now
        if !known || newReceived < received {
            if newReceived < stagedPosition { reason = known ? .successorWentBack : .successorJoined }
            known = true
            progressNanos = now
        }
        if newReceived > received { progressNanos = now }
        received = newReceived
        window = newWindow
        if newChainDurable > chainDurable { chainDurable = newChainDurable }
        return reason
    }

    /// Whether a Nak for `position` needs a resend: only below what is staged
    /// and not already covered by a resend under way at `resendPosition` (nil: none).
    public func nakNeedsResend(position: Int64, resendPosition: Int64?) -> Bool {
        if position >= stagedPosition { return false }
        if let resendPosition, position >= resendPosition { return false }
        return true
    }

    /// Whether staged data has gone unacknowledged for four heartbeat
    /// intervals with no resend under way; if so the stall clock restarts and
    /// the caller resends from `received`.
    public mutating func tailLossTimedOut(now: Int64, resending: Bool) -> Bool {
        guard known, !resending, received < stagedPosition,
              now &- progressNanos >= 4 &* heartbeatIntervalNanos else { return false }
        progressNanos = now
        return true
    }

    /// Bytes up to `position` have been staged (new data, or a resend past the old end).
    public mutating func staged(upTo position: Int64) {
        if position > stagedPosition { stagedPosition = position }
    }

    /// Whether the commit position moved since the last one sent.
    public func commitDue(_ commit: Int64) -> Bool { commit > lastCommitSent }

    public mutating func commitSent(_ commit: Int64, now: Int64) {
        assert(commit > lastCommitSent, "commit \(commit) sent again after \(lastCommitSent)")
        lastCommitSent = commit
        lastSentNanos = now
    }

    /// Whether nothing has been sent for a heartbeat interval.
    public func heartbeatDue(now: Int64) -> Bool { now &- lastSentNanos >= heartbeatIntervalNanos }

    /// Something (data, a resend, a Commit or a Heartbeat) went out at `now`.
    public mutating func sent(now: Int64) { lastSentNanos = now }
}
