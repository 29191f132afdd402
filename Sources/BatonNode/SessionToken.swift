/// The epoll token of one use of a session slot (and, for a publisher
/// session, its session id): the slot in the low 32 bits, the table's
/// generation (a count of slot uses, from 1) above. A token kept from an
/// earlier use of a slot carries an older generation, so an epoll event or an
/// ack that arrives for a session already gone never reaches the session that
/// holds the slot now.
///
/// Invariant: a token handed out by `SessionTable` has `generation >= 1`, so
/// it is never `none` (0) nor `listener` (all ones: no slot is 2^32 - 1).
/// Threading: a plain value.
package struct SessionToken: Equatable {
    package let rawValue: UInt64

    package init(rawValue: UInt64) { self.rawValue = rawValue }

    package init(slot: Int, generation: UInt32) {
        precondition(slot >= 0 && slot < Int(UInt32.max), "session slot \(slot) does not fit a token")
        rawValue = UInt64(generation) << 32 | UInt64(slot)
    }

    /// The slot in the table (may be out of range in a token from elsewhere).
    package var slot: Int { Int(rawValue & 0xFFFF_FFFF) }
    /// Which use of the slot this token names.
    package var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    /// The token of no session (a free slot holds it).
    package static let none = SessionToken(rawValue: 0)
    /// The token of an agent's listening socket in the same epoll set.
    package static let listener = SessionToken(rawValue: UInt64.max)
}
