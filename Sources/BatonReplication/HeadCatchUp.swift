/// Where a chain head stands in catching up with its successor after a
/// restart (it may have died having sent frames it had not written).
public enum HeadCatchUpState: Equatable, Sendable {
    /// No Status from the successor yet: the head does not know whether it is behind.
    case awaitingSuccessor
    /// The successor reported holding the log up to `target`: the head pulls
    /// what it lacks of it, and orders once it holds it all and the
    /// successor's reports have had the settling time to arrive.
    case pulling(target: Int64)
    /// The head's log holds everything its successor's does: it orders.
    case caughtUp
}

/// What the head's catch-up asks the replicator to do next.
public enum HeadCatchUpAction: Equatable, Sendable {
    /// Nothing now.
    case wait
    /// Send a Pull for the log from `position`, `length` bytes known to exist.
    case pull(position: Int64, length: Int64)
    /// Caught up just now: open the order stage.
    case finished
}

/// The head's catch-up after a restart, as an explicit state machine (the
/// shape of Aeron's `Election`: a state enum, events and time passed in,
/// tested without sockets). A head with a successor starts in
/// `awaitingSuccessor` and orders nothing; the successor's reports set the
/// target (`pulling`, a Pull every heartbeat interval while the head's log
/// is short of it). A head without a successor, and every other member,
/// starts `caughtUp`.
///
/// A Status can arrive late, after newer ones, and say less than the
/// successor holds (the simulator found it: seed 2472, a head taking its
/// log back finished on a stale report and ordered over bytes its
/// successor held). So one report below the target never finishes the
/// catch-up: the head orders once it holds the target *and* reports have
/// come in for the settling time (two heartbeat intervals, longer than a
/// datagram is assumed to linger); the target only falls when every report
/// for `lowerTargetAfterNanos` says less (the successor really lost bytes:
/// it restarted too).
///
/// Invariant: the state only moves forward (awaiting → pulling → caughtUp);
/// the target falls only after reports below it for `lowerTargetAfterNanos`.
/// Threading: owned by one replicator; its thread only.
public struct HeadCatchUp: Sendable {
    public let heartbeatIntervalNanos: Int64
    public private(set) var state: HeadCatchUpState
    private var lastPullNanos: Int64 = 0
    /// When the first report arrived (the settling time counts from it).
    private var firstReportNanos: Int64 = 0
    /// Since when every report has been below the target (nil: the last one was not).
    private var belowTargetSinceNanos: Int64?
    private var highestBelowTarget: Int64 = 0

    public init(headWithSuccessor: Bool, heartbeatIntervalNanos: Int64) {
        state = headWithSuccessor ? .awaitingSuccessor : .caughtUp
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
    }

    /// How long after the successor's first report the head may finish.
    public var settlingNanos: Int64 { 2 * heartbeatIntervalNanos }
    /// How long reports must all say less than the target before it falls.
    public var lowerTargetAfterNanos: Int64 { 4 * heartbeatIntervalNanos }

    /// Whether the head still takes nothing to order.
    public var isCatchingUp: Bool { state != .caughtUp }

    /// The successor reported holding the log up to `successorReceived` at
    /// `now`; the head's own published end is `position`. Returns
    /// `.finished` when the head holds the target and has settled.
    public mutating func onSuccessorStatus(successorReceived: Int64, position: Int64, now: Int64) -> HeadCatchUpAction {
        switch state {
        case .caughtUp:
            return .wait
        case .awaitingSuccessor:
            firstReportNanos = now
            state = .pulling(target: successorReceived)
        case let .pulling(target):
            if successorReceived >= target {
                state = .pulling(target: successorReceived)
                belowTargetSinceNanos = nil
            } else if let since = belowTargetSinceNanos {
                highestBelowTarget = max(highestBelowTarget, successorReceived)
                if now &- since >= lowerTargetAfterNanos {
                    state = .pulling(target: highestBelowTarget)
                    belowTargetSinceNanos = nil
                }
            } else {
                belowTargetSinceNanos = now
                highestBelowTarget = successorReceived
            }
        }
        return finishIfDone(position: position, now: now)
    }

    /// While pulling: `.finished` once the head's log holds the target and
    /// it has settled, a Pull every heartbeat interval while it is short.
    public mutating func poll(position: Int64, now: Int64) -> HeadCatchUpAction {
        guard case let .pulling(target) = state else { return .wait }
        let done = finishIfDone(position: position, now: now)
        guard done == .wait, position < target else { return done }
        guard now &- lastPullNanos >= heartbeatIntervalNanos else { return .wait }
        return .pull(position: position, length: target &- position)
    }

    /// The Pull `poll` asked for went out at `now`.
    public mutating func pullSent(now: Int64) { lastPullNanos = now }

    private mutating func finishIfDone(position: Int64, now: Int64) -> HeadCatchUpAction {
        guard case let .pulling(target) = state, position >= target,
              now &- firstReportNanos >= settlingNanos else { return .wait }
        state = .caughtUp
        return .finished
    }
}
