/// Where a client session is in its life — one enum for publisher sessions
/// (client I/O) and subscriber sessions (execute stage).
///
/// ```
///   free ──accept──► awaitingHello ──Welcome──► open ──fail──► closing
///     │                    │                     ▲  │              │
///     └──hand-off──────────┼─────────────────────┘  │              │
///     ▲                    └──fail──► closing       │              │
///     └──────── close / hand-off (from any state) ◄─┴──────────────┘
/// ```
///
/// Invariant: only the moves `allows(_:)` accepts happen; `SessionTable`
/// checks each. Threading: a plain value.
package enum SessionLifecycle: Equatable {
    /// The slot is on the free list: no socket, no buffers.
    case free
    /// Accepted; the only message taken is Hello.
    case awaitingHello
    /// Serving requests.
    case open
    /// A fatal Error is queued: the session takes no more messages and is
    /// closed once the Error is written (or at the timeout if it never is).
    case closing

    /// Whether a session may move from this state to `next`.
    package func allows(_ next: SessionLifecycle) -> Bool {
        switch (self, next) {
        case (.free, .awaitingHello), (.free, .open): return true
        case (.awaitingHello, .open): return true
        case (.awaitingHello, .closing), (.open, .closing): return true
        case (.awaitingHello, .free), (.open, .free), (.closing, .free): return true
        default: return false
        }
    }

    /// The slot holds a session (with a socket), in any state but `free`.
    package var isActive: Bool { self != .free }
    /// The session's incoming messages are handled (not free, not closing).
    package var takesMessages: Bool { self == .awaitingHello || self == .open }
}
