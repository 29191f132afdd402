import BatonCodec
import BatonNet
import BatonProtocol
#if canImport(Glibc)
import BatonTime
import Glibc
#endif

extension BatonConnection {
    /// Hands each whole message waiting in the receive buffer to `handler`,
    /// reads once from the socket (non-blocking) and hands over what that
    /// completed. Returns how many messages were handled.
    ///
    /// Heartbeats are consumed here. A fatal Error message fails the session
    /// and is thrown; a non-fatal one goes to `handler` (decode it with
    /// `serverError`). Bytes that break the framing fail the session with
    /// `protocolViolation`; end of stream or a socket error with
    /// `connectionLost`. A message's bytes stay valid while `handler` runs
    /// (and, with `.keepAndStop`, until the next call); `handler` must not call
    /// `receive` itself. Allocates nothing.
    public func receive(
        _ handler: (DecodedMessage) throws(BatonClientError) -> ReceiveDisposition
    ) throws(BatonClientError) -> Int {
        guard self.socket != nil else { throw failure ?? .closed }
        var handled = 0
        if try dispatch(&handled, handler) { return handled }
        // A handler may have ended the session (`close()`); read only from a live socket.
        guard let socket else { throw failure ?? .closed }
        let space = receiveBuffer.spaceForRead(needed: pendingNeeded)
        if space.count == 0 { return handled }
        switch socket.read(into: space) {
        case .transferred(let count):
            receiveBuffer.didRead(count)
            lastReceiveNanos = SystemClock().monotonicNanos()
        case .wouldBlock:
            return handled
        case .closed(let reason):
            throw fail(.connectionLost(reason: "the broker closed the connection (\(reason))"))
        case .error(let errno):
            throw fail(.connectionLost(reason: "read failed: \(errno)"))
        }
        _ = try dispatch(&handled, handler)
        return handled
    }

    /// Dispatches the whole messages in the buffer; true when `handler` asked to stop.
    @inline(__always)
    private func dispatch(
        _ handled: inout Int, _ handler: (DecodedMessage) throws(BatonClientError) -> ReceiveDisposition
    ) throws(BatonClientError) -> Bool {
        while true {
            switch ClientFrameScanner.scan(receiveBuffer.unread, maxMessageLength: scanLimit) {
            case .needMore(let needed):
                pendingNeeded = needed
                return false
            case .invalid(let code, let text):
                throw fail(.protocolViolation("unreadable message from the broker (\(code)): \(text)"))
            case .message(let message, let consumed):
                pendingNeeded = nil
                let template = message.templateId
                if template == ClientProtocol.Template.heartbeat.rawValue {
                    receiveBuffer.consume(consumed)
                    continue
                }
                if template == ClientProtocol.Template.error.rawValue {
                    let error = BatonConnection.serverError(message)
                    if case .server(let code, _, _) = error, !code.isFatal {
                        // Non-fatal: the owner decides (resend later, subscription dropped, ...).
                    } else {
                        receiveBuffer.consume(consumed)
                        throw fail(error)
                    }
                }
                switch try handler(message) {
                case .handled:
                    receiveBuffer.consume(consumed)
                    handled &+= 1
                case .handledAndStop:
                    receiveBuffer.consume(consumed)
                    handled &+= 1
                    return true
                case .keepAndStop:
                    return true
                }
            }
        }
    }

    /// Blocks until the socket is readable (or writable, with `writable`), or
    /// `timeoutMillis` pass, or a signal arrives. Returns at once without a socket.
    public func waitForIO(writable: Bool, timeoutMillis: Int32) {
        guard let socket else { return }
        var events = Int16(POLLIN)
        if writable { events |= Int16(POLLOUT) }
        var entry = pollfd(fd: socket.descriptor.rawValue, events: events, revents: 0)
        _ = poll(&entry, 1, max(0, timeoutMillis))
    }

    /// Housekeeping for an owner's poll: fails the session when the broker
    /// has been silent longer than `serverSilenceTimeout`, and sends a
    /// Heartbeat when nothing was sent for the heartbeat interval (only when
    /// `canSendHeartbeat`: the owner is between messages on the stream).
    func maintain(now: Int64, canSendHeartbeat: Bool) throws(BatonClientError) {
        guard socket != nil else { throw failure ?? .closed }
        if silenceTimeoutNanos > 0 && now &- lastReceiveNanos > silenceTimeoutNanos {
            throw fail(.timedOut(operation: "waiting for any message from the broker (it heartbeats an idle session)",
                                 millis: silenceTimeoutNanos / 1_000_000))
        }
        if canSendHeartbeat && heartbeatIntervalNanos > 0 && now &- lastSendNanos >= heartbeatIntervalNanos
            && !hasControlPending {
            let timestamp = SystemClock().wallNanos()
            _ = enqueueControl({ (writer: inout ByteWriter) throws(CodecError) in
                try ClientMessageWriter.writeHeartbeat(into: &writer, timestampNanos: timestamp)
            })
            _ = flushControl()
        }
    }
}
