/// Where a chain head stands in catching up with its successor after a
/// restart (it may have died having sent frames it had not written).
public enum HeadCatchUpState: Equatable, Sendable {
    /// No Status from the successor yet: the head does not know whether it is behind.
    case awaitingSuccessor
    /// The successor holds the log up to `target`, beyond the head's end:
    /// the head pulls it back before ordering.
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
/// `awaitingSuccessor` and orders nothing; the successor's first Status says
/// whether it holds more (`pulling`, a Pull every heartbeat interval until the
/// head's log reaches the target) or not (`caughtUp`). A head without a
/// successor, and every other member, starts `caughtUp`.
///
/// Invariant: the state only moves forward (awaiting → pulling → caughtUp,
/// or awaiting → caughtUp); `pulling`'s target never decreases.
/// Threading: owned by one replicator; its thread only.
public struct HeadCatchUp: Sendable {
    public let heartbeatIntervalNanos: Int64
    public private(set) var state: HeadCatchUpState
    private var lastPullNanos: Int64 = 0

    public init(headWithSuccessor: Bool, heartbeatIntervalNanos: Int64) {
        state = headWithSuccessor ? .awaitingSuccessor : .caughtUp
        self.heartbeatIntervalNanos = heartbeatIntervalNanos
    }

    /// Whether the head still takes nothing to order.
    public var isCatchingUp: Bool { state != .caughtUp }

    /// The successor reported holding the log up to `successorReceived`; the
    /// head's own published end is `position`. Returns `.finished` when this
    /// report shows the head holds it all (and it was catching up).
    public mutating func onSuccessorStatus(successorReceived: Int64, position: Int64) -> HeadCatchUpAction {
        switch state {
        case .caughtUp:
            return .wait
        case .awaitingSuccessor:
            if successorReceived > position {
                state = .pulling(target: successorReceived)
                return .wait
            }
            state = .caughtUp
            return .finished
        case let .pulling(target):
            if successorReceived > position {
                state = .pulling(target: max(target, successorReceived))
                return .wait
            }
            state = .caughtUp
            return .finished
        }
    }

    /// While pulling: `.finished` once the head's log reaches the target, a
    /// Pull every heartbeat interval until then.
    public mutating func poll(position: Int64, now: Int64) -> HeadCatchUpAction {
        guard case let .pulling(target) = state else { return .wait }
        if position >= target {
            state = .caughtUp
            return .finished
        }
        guard now &- lastPullNanos >= heartbeatIntervalNanos else { return .wait }
        return .pull(position: position, length: target &- position)
    }

    /// The Pull `poll` asked for went out at `now`.
    public mutating func pullSent(now: Int64) { lastPullNanos = now }
}
