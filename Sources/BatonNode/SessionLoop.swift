import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// The socket side of one agent's client sessions: the epoll set, the
/// `SessionTable`, and what the shared lifecycle (`SessionHandler`'s
/// extension) needs — counters, clock, logger and the timeouts. It registers,
/// re-arms and unregisters session sockets; it never reads a message.
///
/// Invariant: an active session's socket is in the epoll set under the
/// session's token from `watch` until `unwatch` (or until the socket is
/// closed); `openSessions` counts the sessions between `attach` and release.
/// Threading: the owning agent's thread only.
final class SessionLoop<Session: ClientSession, Clock: NanoClock> {
    let table: SessionTable<Session>
    var epoll: EPoll
    let counters: NodeCounters
    /// The gauge of this agent's sessions (`sessions.publishers` or `sessions.subscribers`).
    let openSessions: PositionCounter
    let clock: Clock
    let logger: Logger
    /// How log lines name one of these sessions ("session", "subscriber session").
    let logLabel: String
    let sessionTimeoutNanos: Int64
    let heartbeatIntervalNanos: Int64

    init(table: SessionTable<Session>, configuration: NodeConfiguration, counters: NodeCounters,
         openSessions: PositionCounter, clock: Clock, logger: Logger, logLabel: String) throws {
        self.table = table
        epoll = try EPoll(eventCapacity: 256)
        self.counters = counters
        self.openSessions = openSessions
        self.clock = clock
        self.logger = logger
        self.logLabel = logLabel
        sessionTimeoutNanos = configuration.sessionTimeoutNanos
        heartbeatIntervalNanos = configuration.heartbeatIntervalNanos
    }

    /// Gives a just-acquired session its socket buffers and clocks, and counts it open.
    func attach(_ session: Session, _ buffers: SessionBuffers, lastReceiveNanos: Int64) {
        precondition(session.lifecycle.isActive && session.buffers == nil, "attach to session \(session.slot) in \(session.lifecycle)")
        session.buffers = buffers
        session.lastReceiveNanos = lastReceiveNanos
        session.lastSendNanos = clock.monotonicNanos()
        session.writeInterest = false
        openSessions.getAndAddAtomic(1)
    }

    /// Registers the session's socket (readable and hang-ups) under its token.
    func watch(_ session: Session) throws(NetError) {
        guard let buffers = session.buffers else { return }
        try epoll.add(buffers.connection.descriptor, interest: SessionBuffers.interest(wantsWrite: false), token: session.token.rawValue)
    }

    /// Unregisters the session's socket (before it is closed or handed off).
    func unwatch(_ session: Session) {
        guard let buffers = session.buffers else { return }
        // Fails only for a socket never registered (its `watch` failed); closing it unregisters it anyway.
        try? epoll.remove(buffers.connection.descriptor)
    }

    /// Asks epoll for writability or stops asking. False when epoll refused
    /// (the session then cannot be served: the caller closes it).
    func setWriteInterest(_ session: Session, _ wanted: Bool) -> Bool {
        guard session.writeInterest != wanted, let buffers = session.buffers else { return true }
        session.writeInterest = wanted
        do {
            try epoll.modify(buffers.connection.descriptor, interest: SessionBuffers.interest(wantsWrite: wanted),
                             token: session.token.rawValue)
            return true
        } catch {
            counters.ioErrors.getAndAddAtomic(1)
            return false
        }
    }

    /// Frees the session's slot; its socket is closed or handed off.
    func release(_ session: Session) {
        table.release(session)
        openSessions.getAndAddAtomic(-1)
    }
}
