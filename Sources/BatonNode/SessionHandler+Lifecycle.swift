import BatonNet
import BatonProtocol

/// The session lifecycle both client-session agents share: dispatch of epoll
/// events, read and scan, fail, close, the timeout and heartbeats. Each step
/// that changes a session's lifecycle goes through `SessionTable`, which
/// checks the move and (in debug builds) its invariants.
extension SessionHandler {
    /// Waits (without blocking) for socket events and serves them: writes
    /// first, then reads and handles whole messages. Returns work done.
    func pollSessions() throws -> Int {
        let loop = sessionLoop
        var work = 0
        let ready = try loop.epoll.wait(timeoutMillis: 0)
        for index in 0..<ready {
            let event = loop.epoll[ready: index]
            if event.token == SessionToken.listener.rawValue {
                work += listenerReady()
                continue
            }
            guard let session = loop.table.session(for: SessionToken(rawValue: event.token)) else { continue }
            if event.events.contains(.writable) { flush(session) }
            if session.lifecycle.isActive
                && (event.events.contains(.readable) || event.events.contains(.hangUp) || event.events.contains(.error)) {
                work += pump(session, read: true)
            }
        }
        return work
    }

    /// Reads (if asked, and unless the session is closing) and handles every
    /// whole message received, until one blocks or the session stops taking
    /// messages. Returns work done.
    func pump(_ session: Session, read: Bool) -> Int {
        guard let buffers = session.buffers else { return 0 }
        let loop = sessionLoop
        var work = 0
        if read && session.lifecycle != .closing {
            switch SessionIO.of(buffers.readAvailable(), "read", ioErrors: loop.counters.ioErrors) {
            case .moved(let count):
                if count > 0 { session.lastReceiveNanos = loop.clock.monotonicNanos(); work += 1 }
            case .idle:
                break
            case .close(let reason):
                close(session, reason: reason)
                return work
            }
        }
        let maximumMessageLength = buffers.maximumReceiveCapacity &- ClientProtocol.lengthPrefixBytes
        while session.lifecycle.takesMessages {
            switch ClientFrameScanner.scan(buffers.received, maxMessageLength: maximumMessageLength) {
            case .needMore(let needed):
                if let needed { buffers.ensureRoom(for: needed) } else if buffers.receiveStart > 0 { buffers.compact() }
                return work
            case .invalid(let code, let text):
                fail(session, code, text)
                return work
            case .message(let message, let consumed):
                switch handle(message, in: session) {
                case .handled:
                    buffers.receiveStart &+= consumed
                    work += 1
                case .blocked:
                    blocked(session)
                    return work
                case .gone:
                    return work + 1
                }
            }
        }
        return work
    }

    /// Writes the send buffer. False when that closed the session.
    func writeQueued(_ session: Session, _ buffers: SessionBuffers) -> Bool {
        let loop = sessionLoop
        switch SessionIO.of(buffers.flushSend(), "write", ioErrors: loop.counters.ioErrors) {
        case .moved:
            session.lastSendNanos = loop.clock.monotonicNanos()
        case .idle:
            break
        case .close(let reason):
            close(session, reason: reason)
            return false
        }
        return true
    }

    /// After a flush: closes a closing session once nothing waits to be
    /// written, else asks for writability exactly while something does.
    func settle(_ session: Session, needsWrite: Bool) {
        if session.lifecycle == .closing && !needsWrite {
            close(session, reason: nil)
            return
        }
        setWriteInterest(session, needsWrite)
    }

    func setWriteInterest(_ session: Session, _ wanted: Bool) {
        if !sessionLoop.setWriteInterest(session, wanted) {
            close(session, reason: "epoll refused the write interest of its socket")
        }
    }

    /// Queues a non-fatal Error (the session goes on); closes the session if it does not fit.
    func queueError(_ session: Session, _ code: ClientErrorCode, relatedId: UInt64 = 0, _ text: String) {
        guard let buffers = session.buffers, buffers.queueError(code, relatedId: relatedId, text: text) else {
            close(session, reason: "cannot queue error \(code): \(text)")
            return
        }
        sendQueued(session)
    }

    /// Sends a fatal Error and closes the session once it is written (at
    /// once if it cannot be queued).
    func fail(_ session: Session, _ code: ClientErrorCode, _ text: String, relatedId: UInt64 = 0) {
        let loop = sessionLoop
        loop.counters.countSessionFailure(code)
        loop.logger.info("\(loop.logLabel) \(session.sessionId >> 32): \(code): \(text)")
        guard canQueueControl(session), let buffers = session.buffers,
              buffers.queueError(code, relatedId: relatedId, text: text) else {
            close(session, reason: nil)
            return
        }
        if session.lifecycle != .closing { loop.table.move(session, to: .closing) }
        flush(session)
    }

    /// Closes the session's socket and frees its slot (nothing if already free).
    func close(_ session: Session, reason: String?) {
        guard session.lifecycle.isActive else { return }
        let loop = sessionLoop
        if let reason { loop.logger.info("\(loop.logLabel) \(session.sessionId >> 32) closed: \(reason)") }
        loop.unwatch(session)
        session.buffers?.connection.close()
        willRelease(session)
        loop.release(session)
    }

    /// Shutting down: tells every session (where the stream allows) and closes it.
    func closeAllSessions() {
        let table = sessionLoop.table
        for slot in 0..<table.slotCount where table[slot].lifecycle.isActive {
            let session = table[slot]
            if canQueueControl(session) {
                _ = session.buffers?.queueError(.shuttingDown, text: "the node is shutting down")
                _ = session.buffers?.flushSend()
            }
            close(session, reason: nil)
        }
    }

    /// Times out silent sessions, runs `check` (the agent's own checks) on
    /// the rest, and sends a Heartbeat on those idle for the heartbeat interval.
    func housekeepSessions(now: Int64, _ check: (Session) -> Void) {
        let loop = sessionLoop
        let table = loop.table
        for slot in 0..<table.slotCount where table[slot].lifecycle.isActive {
            let session = table[slot]
            if now &- session.lastReceiveNanos > loop.sessionTimeoutNanos {
                if session.lifecycle == .closing {
                    close(session, reason: "did not read its final Error")
                } else {
                    fail(session, .sessionTimeout, "nothing received for \(loop.sessionTimeoutNanos / 1_000_000) ms")
                }
                continue
            }
            check(session)
            if session.lifecycle == .open && canQueueControl(session)
                && now &- session.lastSendNanos > loop.heartbeatIntervalNanos,
               session.buffers?.queueHeartbeat(timestampNanos: loop.clock.wallNanos()) == true {
                session.lastSendNanos = now
                sendQueued(session)
            }
        }
    }
}
