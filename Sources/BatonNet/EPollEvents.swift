import CBatonSys

/// Readiness flags for `EPoll`: what to wait for (interest) and what
/// happened (in `EPollEvent.events`). Each constant names the C flag.
///
/// `error` and `hangUp` are always reported whether asked for or not;
/// `edgeTriggered` and `oneShot` are interest-only modifiers. Invariant:
/// `rawValue` uses only the EPOLL* bits named here. Threading: a plain value.
@frozen
public struct EPollEvents: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    @inlinable
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `EPOLLIN`: data to read, a connection to accept, or end of stream.
    @inlinable public static var readable: EPollEvents { EPollEvents(rawValue: BATON_EPOLLIN) }
    /// `EPOLLOUT`: room in the send buffer.
    @inlinable public static var writable: EPollEvents { EPollEvents(rawValue: BATON_EPOLLOUT) }
    /// `EPOLLRDHUP`: the peer shut down its write side (end of stream after the data queued).
    @inlinable public static var readHangUp: EPollEvents { EPollEvents(rawValue: BATON_EPOLLRDHUP) }
    /// `EPOLLHUP`: both directions are closed (always reported).
    @inlinable public static var hangUp: EPollEvents { EPollEvents(rawValue: BATON_EPOLLHUP) }
    /// `EPOLLERR`: an error is pending on the socket (always reported).
    @inlinable public static var error: EPollEvents { EPollEvents(rawValue: BATON_EPOLLERR) }
    /// `EPOLLPRI`: urgent data.
    @inlinable public static var priority: EPollEvents { EPollEvents(rawValue: BATON_EPOLLPRI) }
    /// `EPOLLET` (interest only): report a change of readiness once instead of
    /// while the condition holds; the owner must then read/write until `.wouldBlock`.
    @inlinable public static var edgeTriggered: EPollEvents { EPollEvents(rawValue: BATON_EPOLLET) }
    /// `EPOLLONESHOT` (interest only): disarm after one report; re-arm with `modify`.
    @inlinable public static var oneShot: EPollEvents { EPollEvents(rawValue: BATON_EPOLLONESHOT) }

    public var description: String {
        let names: [(EPollEvents, String)] = [
            (.readable, "readable"), (.writable, "writable"), (.readHangUp, "readHangUp"),
            (.hangUp, "hangUp"), (.error, "error"), (.priority, "priority"),
            (.edgeTriggered, "edgeTriggered"), (.oneShot, "oneShot"),
        ]
        return "[" + names.filter { contains($0.0) }.map(\.1).joined(separator: ", ") + "]"
    }
}

/// One ready descriptor from `EPoll.wait`: the token given at `add` and what
/// it is ready for. Invariant: `events` is what the kernel reported (it may
/// include `error`/`hangUp` unasked). Threading: a plain value.
@frozen
public struct EPollEvent: Equatable, Sendable {
    /// The caller's token for the descriptor (a session index, a generation + slot, ...).
    public let token: UInt64
    public let events: EPollEvents

    @inlinable
    public init(token: UInt64, events: EPollEvents) {
        self.token = token
        self.events = events
    }
}
