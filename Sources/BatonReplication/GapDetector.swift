/// Loss detection on a follower's receive path, in the manner of Aeron's
/// `LossDetector`: it learns how far the predecessor has sent (Data past the
/// received position, a Heartbeat's sent position, a corrupt frame) and says
/// when to Nak the gap. A new gap waits `nakDelayNanos` first (reordering
/// usually fills it); further Naks for the same gap back off, doubling up to
/// `maximumBackoffNanos`; progress (the received position moved) resets the
/// back-off. Time is passed in; nothing here does I/O.
///
/// Invariant: `backoffNanos == 0` or `nakDelayNanos <= backoffNanos <= maximumBackoffNanos`;
/// `gapEnd` never decreases.
/// Threading: owned by one replicator; its thread only.
public struct GapDetector: Sendable {
    public let nakDelayNanos: Int64
    public let maximumBackoffNanos: Int64
    /// The furthest position the predecessor has shown it has sent (-1: none);
    /// a gap exists while it is past the received position.
    public private(set) var gapEnd: Int64 = -1
    /// When the next Nak is due (meaningful while `backoffNanos > 0`).
    public private(set) var nakDeadline: Int64 = 0
    /// 0 while no gap is being timed; else the current wait between Naks.
    public private(set) var backoffNanos: Int64 = 0

    public init(nakDelayNanos: Int64, maximumBackoffNanos: Int64) {
        precondition(nakDelayNanos > 0 && maximumBackoffNanos >= nakDelayNanos,
                     "nak delay \(nakDelayNanos) ns must be positive and at most the back-off cap \(maximumBackoffNanos) ns")
        self.nakDelayNanos = nakDelayNanos
        self.maximumBackoffNanos = maximumBackoffNanos
    }

    /// Whether bytes the predecessor sent are missing below `gapEnd`.
    public func hasGap(received: Int64) -> Bool { gapEnd > received }

    /// Something at `position` arrived (or was shown sent) past the received position.
    public mutating func noteSent(upTo position: Int64) {
        if position > gapEnd { gapEnd = position }
    }

    /// The frames from `position` failed their check: everything up to
    /// `receivedEnd` is missing again, and is asked for at once.
    public mutating func noteCorrupt(receivedEnd: Int64, now: Int64) {
        noteSent(upTo: receivedEnd)
        nakDeadline = now
    }

    /// The received position moved while a gap is open: the sender is
    /// delivering, so the next Nak waits a fresh `nakDelayNanos`.
    public mutating func noteProgress(received: Int64) {
        if hasGap(received: received) { backoffNanos = 0 }
    }

    /// Whether a Nak for the gap above `received` is due at `now`. Starts the
    /// timer of a new gap (and closes it once nothing is missing).
    public mutating func nakDue(received: Int64, now: Int64) -> Bool {
        defer { assertInvariants() }
        guard hasGap(received: received) else {
            backoffNanos = 0
            return false
        }
        if backoffNanos == 0 {
            backoffNanos = nakDelayNanos
            nakDeadline = max(nakDeadline, now &+ backoffNanos)
        }
        return now >= nakDeadline
    }

    /// A Nak went out at `now`: the next one waits twice as long (capped).
    public mutating func nakSent(now: Int64) {
        precondition(backoffNanos > 0, "a Nak was sent with no gap being timed")
        backoffNanos = min(backoffNanos &* 2, maximumBackoffNanos)
        nakDeadline = now &+ backoffNanos
        assertInvariants()
    }

    func assertInvariants() {
        assert(backoffNanos == 0 || (backoffNanos >= nakDelayNanos && backoffNanos <= maximumBackoffNanos),
               "nak back-off \(backoffNanos) outside [\(nakDelayNanos), \(maximumBackoffNanos)]")
    }
}
