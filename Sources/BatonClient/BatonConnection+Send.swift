import BatonCodec
import BatonNet
import BatonProtocol
#if canImport(Glibc)
import BatonTime
import Glibc
#endif

extension BatonConnection {
    /// Appends one control message, written by `write` into the free part of
    /// the control buffer. Returns false (appending nothing) when it does not
    /// fit; the caller retries after `flushControl` made room. Control
    /// messages go out whole and in order; an owner that also writes data
    /// (the publisher) flushes them only between its own messages.
    func enqueueControl(_ write: (inout ByteWriter) throws(CodecError) -> Void) -> Bool {
        let base = control.baseAddress.unsafelyUnwrapped
        if controlStart > 0 {
            let pending = controlEnd &- controlStart
            memmove(base, base + controlStart, pending)
            controlStart = 0
            controlEnd = pending
        }
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(start: base + controlEnd, count: control.count &- controlEnd))
        do {
            try write(&writer)
        } catch {
            return false
        }
        controlEnd &+= writer.offset
        return true
    }

    /// Writes as much of the pending control messages as the socket takes.
    /// True when none remain; false when some wait (or the session failed).
    @discardableResult
    func flushControl() -> Bool {
        while controlEnd > controlStart {
            let pending = UnsafeRawBufferPointer(start: control.baseAddress.unsafelyUnwrapped + controlStart,
                                                 count: controlEnd &- controlStart)
            guard let written = writeData(pending) else { return false }
            if written == 0 { return false }
            controlStart &+= written
        }
        controlStart = 0
        controlEnd = 0
        return true
    }

    /// One non-blocking write of `bytes`: the count written (0 when the
    /// socket's send buffer is full), or nil when the session failed.
    @inline(__always)
    func writeData(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let socket else { return nil }
        if bytes.count == 0 { return 0 }
        switch socket.write(bytes) {
        case .transferred(let count):
            lastSendNanos = SystemClock().monotonicNanos()
            return count
        case .wouldBlock:
            return 0
        case .closed(let reason):
            fail(.connectionLost(reason: "the broker closed the connection (\(reason))"))
            return nil
        case .error(let errno):
            fail(.connectionLost(reason: "write failed: \(errno)"))
            return nil
        }
    }

    /// Sends the pending control messages, waiting for the socket at most
    /// `timeout`. For the rare blocking step
    /// (Unsubscribe); throws on failure or timeout.
    func flushControl(within timeout: Duration, operation: String) throws(BatonClientError) {
        let deadline = SystemClock().monotonicNanos() &+ timeout.clampedNanos
        while !flushControl() {
            if let failure { throw failure }
            let now = SystemClock().monotonicNanos()
            if now >= deadline { throw BatonClientError.timedOut(operation: operation, millis: timeout.clampedNanos / 1_000_000) }
            waitForIO(writable: true, timeoutMillis: millisUntil(deadline, from: now, cap: 50))
        }
    }
}
