/// The slots of one agent's client sessions: a session object per slot
/// (made once, reused), a free list, and generation-tagged tokens, so a token
/// names one use of one slot and a stale one finds nothing.
///
/// Slots are made up front (`preallocated`) or on first need up to
/// `capacity`, always at session set-up, never while messages flow. A freed
/// slot is reused last-in first-out.
///
/// Invariant (`invariantViolation()`, asserted after every change in debug
/// builds): `slots[i].slot == i`; the free list holds each free slot exactly
/// once and nothing else; a free session has token `none` and no buffers; an
/// active session's token names its own slot with a generation >= 1;
/// `slotCount <= capacity`. Knows nothing of sockets (tests use it bare).
/// Threading: the owning agent's thread only.
package final class SessionTable<Session: ClientSession> {
    private var slots: [Session] = []
    private var freeSlots: [Int] = []
    private var nextGeneration: UInt32 = 1
    /// The most slots the table makes.
    package let capacity: Int

    /// Makes `preallocated` sessions now (`make(slot)` for each) and allows
    /// up to `capacity` (< 2^32 - 1) in all.
    package init(capacity: Int, preallocated: Int, make: (Int) -> Session) {
        precondition(capacity >= 1 && capacity < Int(UInt32.max), "session table capacity \(capacity)")
        precondition(preallocated >= 0 && preallocated <= capacity, "\(preallocated) preallocated of \(capacity)")
        self.capacity = capacity
        slots.reserveCapacity(preallocated)
        freeSlots.reserveCapacity(preallocated)
        for slot in 0..<preallocated { slots.append(make(slot)) }
        // Reversed, so slot 0 is taken first.
        for slot in (0..<preallocated).reversed() { freeSlots.append(slot) }
        assertInvariants()
    }

    /// Slots made so far (free or not).
    package var slotCount: Int { slots.count }

    /// Slots on the free list.
    package var freeCount: Int { freeSlots.count }

    package subscript(slot: Int) -> Session { slots[slot] }

    /// Takes a free slot (or makes one, `make(slot)`, while below capacity),
    /// gives it a new token and moves it to `lifecycle` (`awaitingHello` for
    /// an accepted socket, `open` for a handed-over one). Nil when full.
    package func acquire(as lifecycle: SessionLifecycle, make: (Int) -> Session) -> Session? {
        precondition(SessionLifecycle.free.allows(lifecycle), "a session cannot start as \(lifecycle)")
        let session: Session
        if let slot = freeSlots.popLast() {
            session = slots[slot]
        } else if slots.count < capacity {
            session = make(slots.count)
            precondition(session.slot == slots.count, "a new session for slot \(slots.count) says slot \(session.slot)")
            // Room on the free list for every slot, so `release` never allocates.
            if freeSlots.capacity <= slots.count { freeSlots.reserveCapacity(max(16, 2 * (slots.count + 1))) }
            slots.append(session)
        } else {
            return nil
        }
        session.token = SessionToken(slot: session.slot, generation: nextGeneration)
        nextGeneration = nextGeneration == UInt32.max ? 1 : nextGeneration + 1
        session.lifecycle = lifecycle
        assertInvariants()
        return session
    }

    /// The active session `token` names, or nil if the slot is free or has
    /// been reused since (or the token is no session's).
    package func session(for token: SessionToken) -> Session? {
        let slot = token.slot
        guard slot < slots.count else { return nil }
        let session = slots[slot]
        return session.lifecycle.isActive && session.token == token ? session : nil
    }

    /// Moves an active session to `next` (not `free`: that is `release`).
    package func move(_ session: Session, to next: SessionLifecycle) {
        precondition(next != .free, "use release to free a session")
        precondition(session.lifecycle.allows(next), "session \(session.slot) cannot move from \(session.lifecycle) to \(next)")
        session.lifecycle = next
        assertInvariants()
    }

    /// Frees an active session's slot: its socket must already be closed or handed off.
    package func release(_ session: Session) {
        precondition(session.lifecycle.isActive, "session \(session.slot) released twice")
        precondition(slots[session.slot] === session, "session \(session.slot) is not this table's")
        session.lifecycle = .free
        session.token = .none
        session.buffers = nil
        freeSlots.append(session.slot)
        assertInvariants()
    }

    /// What is wrong with the table, or nil when every invariant holds. O(slots).
    package func invariantViolation() -> String? {
        if slots.count > capacity { return "\(slots.count) slots exceed the capacity \(capacity)" }
        var onFreeList = [Bool](repeating: false, count: slots.count)
        for slot in freeSlots {
            guard slot >= 0 && slot < slots.count else { return "free list holds slot \(slot) of \(slots.count)" }
            if onFreeList[slot] { return "free list holds slot \(slot) twice" }
            onFreeList[slot] = true
        }
        for (index, session) in slots.enumerated() {
            if session.slot != index { return "slot \(index) holds the session of slot \(session.slot)" }
            if session.lifecycle.isActive {
                if onFreeList[index] { return "slot \(index) is \(session.lifecycle) but on the free list" }
                if session.token.slot != index || session.token.generation == 0 {
                    return "slot \(index) is \(session.lifecycle) with token \(session.token.rawValue)"
                }
            } else {
                if !onFreeList[index] { return "slot \(index) is free but not on the free list" }
                if session.token != .none { return "free slot \(index) keeps token \(session.token.rawValue)" }
                if session.buffers != nil { return "free slot \(index) keeps its buffers" }
            }
        }
        return nil
    }

    /// Traps on a broken invariant in debug builds; nothing in release.
    @inline(__always)
    package func assertInvariants() {
        #if DEBUG
        if let violation = invariantViolation() { assertionFailure("session table: \(violation)") }
        #endif
    }
}
