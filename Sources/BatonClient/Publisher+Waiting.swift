import BatonTime
extension Publisher {
    /// Waits until the socket is readable (or writable while batches wait
    /// to be written), at most `timeout`, and no longer than until the open
    /// batch's linger or a due resend ends (returning at once when that is
    /// less than a millisecond away: `poll` has work then).
    public func waitForIO(timeout: Duration) {
        var millis = Int32(clamping: timeout.clampedNanos / 1_000_000)
        if buffer.isOpen || resendPending {
            let now = SystemClock().monotonicNanos()
            var due = Int64.max
            if buffer.isOpen { due = buffer.openedNanos &+ lingerNanos }
            if resendPending { due = min(due, resendAtNanos) }
            if due &- now < 1_000_000 { return }
            millis = min(millis, millisUntil(due, from: now, cap: Int32.max))
        }
        connection.waitForIO(writable: buffer.hasUnsent, timeoutMillis: millis)
    }

    /// Offers `payload`, polling and waiting while back-pressured, at most
    /// `timeout`; returns its sequence. The blocking convenience over `offer`.
    @discardableResult
    public func publish(_ payload: UnsafeRawBufferPointer, timeout: Duration) throws(BatonClientError) -> UInt64 {
        let deadline = SystemClock().monotonicNanos() &+ timeout.clampedNanos
        while true {
            switch offer(payload) {
            case .accepted(let sequence):
                return sequence
            case .tooLarge(let limit):
                throw .invalidArgument("payload of \(payload.count) bytes is above the limit of \(limit)")
            case .closed(let error):
                throw error
            case .backPressured(let inFlight):
                if try poll() == 0 {
                    let now = SystemClock().monotonicNanos()
                    if now >= deadline {
                        throw .timedOut(operation: "back-pressured with \(inFlight) messages in flight",
                                        millis: timeout.clampedNanos / 1_000_000)
                    }
                    waitForIO(timeout: .milliseconds(Int64(millisUntil(deadline, from: now, cap: 10))))
                }
            }
        }
    }

    /// Flushes and waits until every accepted message is acknowledged, at
    /// most `timeout`. Throws the session's failure or `timedOut`.
    public func awaitAcks(timeout: Duration) throws(BatonClientError) {
        flush()
        let deadline = SystemClock().monotonicNanos() &+ timeout.clampedNanos
        while inFlight > 0 {
            let work = try poll()
            if inFlight == 0 { return }
            let now = SystemClock().monotonicNanos()
            if now >= deadline {
                throw .timedOut(operation: "waiting for \(inFlight) acknowledgements (last acked sequence "
                                    + "\(lastAckedSequence.map(String.init) ?? "none"))",
                                millis: timeout.clampedNanos / 1_000_000)
            }
            if work == 0 {
                waitForIO(timeout: .milliseconds(Int64(millisUntil(deadline, from: now, cap: 10))))
            }
        }
    }
}
