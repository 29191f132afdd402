/// What every client session has, whichever agent serves it: its slot and
/// token in that agent's `SessionTable`, its lifecycle, its socket buffers and
/// the times of its last traffic (for the timeout and heartbeats). The
/// publisher and subscriber sessions add their protocol state as subclasses;
/// like swift-nio's `BaseSocketChannel`, this half knows nothing of what the
/// messages mean.
///
/// Invariant (checked by `SessionTable.invariantViolation()`): `lifecycle ==
/// .free` exactly when the slot is on the table's free list, and then `token
/// == .none` and `buffers == nil`; otherwise `token.slot == slot`. `token` and
/// `lifecycle` change only through the table.
/// Threading: the owning agent's thread only.
package class ClientSession {
    package final let slot: Int
    package final var token = SessionToken.none
    package final var lifecycle = SessionLifecycle.free
    /// The session id told to the client (a publisher session's is its token;
    /// a subscriber session keeps the one it had as a publisher session).
    package final var sessionId: UInt64 = 0
    final var buffers: SessionBuffers?
    final var lastReceiveNanos: Int64 = 0
    final var lastSendNanos: Int64 = 0
    /// Whether epoll is asked for writability (while bytes wait to be written).
    final var writeInterest = false

    package init(slot: Int) { self.slot = slot }
}
