import BatonCodec
import BatonNet
import BatonProtocol
import BatonRing

/// What one socket read or write means for a session.
enum SessionIO {
    /// Bytes moved (a read of 0 bytes cannot happen: that is `close`).
    case moved(Int)
    /// The socket is not ready; wait for epoll.
    case idle
    /// The session is over: the peer went away, or an error (counted) occurred.
    case close(reason: String?)

    /// Classifies an `IOResult`, counting socket errors in `ioErrors`.
    static func of(_ result: IOResult, _ operation: StaticString, ioErrors: PositionCounter) -> SessionIO {
        switch result {
        case .transferred(let count): return .moved(count)
        case .wouldBlock: return .idle
        case .closed: return .close(reason: nil)
        case .error(let code):
            ioErrors.getAndAddAtomic(1)
            return .close(reason: "\(operation) failed: \(code)")
        }
    }
}

/// The socket and byte buffers of one client session, shared by the client
/// I/O agent (publisher sessions) and the execute stage (subscriber sessions).
///
/// Both buffers are allocated once, when the session is set up: the receive
/// buffer at the largest message the node accepts (plus its length prefix),
/// the send buffer at a fixed size. So a session's memory is bounded by
/// `maximumMessageLength + sendCapacity` whatever the client does, and the
/// duty cycles that read and write it never allocate — not even when a
/// client's batches grow past a few KiB only once the machine is slow (a
/// receive buffer that grew on demand allocated in the middle of a measured
/// run: issue 10). The kernel writes only the bytes that arrived, so the
/// pages of a freshly mapped buffer become resident as a client fills them
/// (an idle session is timed out).
///
/// Threading: owned by exactly one agent's thread at a time (ownership moves
/// from client I/O to execute through the hand-off ring, never back).
final class SessionBuffers {
    var connection: TCPConnection
    let receive: UnsafeMutableRawBufferPointer
    var receiveStart = 0
    var receiveEnd = 0
    let send: UnsafeMutableRawBufferPointer
    var sendStart = 0
    var sendEnd = 0
    /// The receive buffer's size: the largest message (length prefix included) the session accepts.
    var maximumReceiveCapacity: Int { receive.count }

    init(connection: TCPConnection, sendCapacity: Int, maximumReceiveCapacity: Int) {
        self.connection = connection
        receive = .allocate(byteCount: maximumReceiveCapacity, alignment: 8)
        send = .allocate(byteCount: sendCapacity, alignment: 8)
    }

    deinit {
        receive.deallocate()
        send.deallocate()
    }

    /// Bytes received and not yet handled.
    var received: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(receive)[receiveStart..<receiveEnd])
    }

    /// Reads what the socket has, as much as fits. Returns the I/O result.
    func readAvailable() -> IOResult {
        if receiveEnd == receive.count { compact() }
        if receiveEnd == receive.count { return .transferred(0) }
        let result = connection.read(into: UnsafeMutableRawBufferPointer(rebasing: receive[receiveEnd...]))
        if case .transferred(let count) = result { receiveEnd &+= count }
        return result
    }

    /// Makes room for a message of `needed` bytes (prefix included) by moving
    /// unhandled bytes to the front. Never allocates: the scanner refuses a
    /// message longer than the buffer before this is asked.
    func ensureRoom(for needed: Int) {
        precondition(needed <= receive.count, "message of \(needed) bytes passed the scanner's limit")
        if receiveStart &+ needed > receive.count { compact() }
    }

    /// Appends bytes received elsewhere (a hand-off) after those not yet handled.
    func appendReceived(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        ensureRoom(for: receiveEnd &- receiveStart &+ bytes.count)
        if receiveEnd &+ bytes.count > receive.count { compact() }
        (receive.baseAddress! + receiveEnd).copyMemory(from: source, byteCount: bytes.count)
        receiveEnd &+= bytes.count
    }

    func compact() {
        let count = receiveEnd &- receiveStart
        if receiveStart > 0 && count > 0 {
            receive.baseAddress!.copyMemory(from: receive.baseAddress! + receiveStart, byteCount: count)
        }
        receiveStart = 0
        receiveEnd = count
    }

    /// Space left at the end of the send buffer (compacting first if that helps).
    func sendSpace(atLeast bytes: Int) -> Bool {
        if send.count &- sendEnd >= bytes { return true }
        if sendStart > 0 {
            let count = sendEnd &- sendStart
            if count > 0 { send.baseAddress!.copyMemory(from: send.baseAddress! + sendStart, byteCount: count) }
            sendStart = 0
            sendEnd = count
        }
        return send.count &- sendEnd >= bytes
    }

    /// A writer over the free end of the send buffer; call `commitSend(_:)` with what it wrote.
    func sendWriter() -> ByteWriter {
        ByteWriter(UnsafeMutableRawBufferPointer(rebasing: send[sendEnd...]))
    }

    func commitSend(_ writer: ByteWriter) { sendEnd &+= writer.offset }

    var hasPendingSend: Bool { sendEnd > sendStart }

    /// Writes queued bytes. Returns `.transferred` (possibly partial), `.wouldBlock`, or a closing result.
    func flushSend() -> IOResult {
        guard sendEnd > sendStart else { return .transferred(0) }
        let result = connection.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(send)[sendStart..<sendEnd]))
        if case .transferred(let count) = result {
            sendStart &+= count
            if sendStart == sendEnd {
                sendStart = 0
                sendEnd = 0
            }
        }
        return result
    }

    /// The epoll interest of a session socket: always readable (and hang-ups), writable while bytes wait.
    static func interest(wantsWrite: Bool) -> EPollEvents {
        wantsWrite ? [.readable, .readHangUp, .writable] : [.readable, .readHangUp]
    }

    /// Queues a Heartbeat; false when the send buffer has no room for it.
    func queueHeartbeat(timestampNanos: Int64) -> Bool {
        guard sendSpace(atLeast: 32) else { return false }
        var writer = sendWriter()
        do {
            try ClientMessageWriter.writeHeartbeat(into: &writer, timestampNanos: timestampNanos)
        } catch {
            preconditionFailure("a Heartbeat (\(HeartbeatBlock.encodedLength) bytes of block) fits the 32 bytes checked: \(error)")
        }
        commitSend(writer)
        return true
    }

    /// Queues an Error message; false when it does not fit (the caller then closes at once).
    func queueError(_ code: ClientErrorCode, relatedId: UInt64 = 0, text: String) -> Bool {
        guard sendSpace(atLeast: 64 + text.utf8.count) else { return false }
        var writer = sendWriter()
        do {
            try ClientMessageWriter.writeError(into: &writer, code: code, relatedId: relatedId, text: text)
        } catch {
            return false
        }
        commitSend(writer)
        return true
    }
}
