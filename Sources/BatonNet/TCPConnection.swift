import CBatonSys
import Glibc

/// A connected TCP stream socket with `TCP_NODELAY`, from
/// `TCPListener.accept()` (always non-blocking) or `TCPConnection.connect`.
///
/// Invariant: the data-path calls never raise SIGPIPE (`MSG_NOSIGNAL`) and
/// never throw: they return an `IOResult`; they allocate nothing. Threading:
/// used by one thread at a time (reads and writes may be split between two
/// threads only if each direction has a single owner); a copyable handle,
/// closed once by its owner.
@frozen
public struct TCPConnection: Hashable, Sendable {
    public let descriptor: SocketDescriptor

    @inlinable
    public init(descriptor: SocketDescriptor) { self.descriptor = descriptor }

    /// Connects to `address`, waiting at most `timeoutMillis` for the
    /// handshake (a non-blocking connect plus `poll`), and sets `TCP_NODELAY`.
    /// The socket is left in `mode`. Throws `.timedOut` when the handshake
    /// takes longer, `.system(.connect, ECONNREFUSED, ...)` when nothing
    /// listens; the socket is closed on every failure.
    public static func connect(
        to address: IPv4SocketAddress, timeoutMillis: Int32, mode: BlockingMode = .nonBlocking
    ) throws(NetError) -> TCPConnection {
        precondition(timeoutMillis >= 0, "connect needs an explicit timeout")
        let fd = Syscall.socket(type: SOCK_STREAM)
        guard fd >= 0 else { throw .system(.socket, .current, address: address) }
        let connection = TCPConnection(descriptor: SocketDescriptor(rawValue: fd))
        do throws(NetError) {
            try connection.completeConnect(to: address, timeoutMillis: timeoutMillis)
            try connection.setNoDelay(true)
            if case .blocking(let ioTimeoutMillis) = mode {
                try connection.descriptor.setNonBlocking(false)
                try connection.descriptor.setBlockingTimeouts(millis: ioTimeoutMillis)
            }
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func completeConnect(to address: IPv4SocketAddress, timeoutMillis: Int32) throws(NetError) {
        if Syscall.connect(descriptor.rawValue, address) == 0 { return }
        guard errno == EINPROGRESS || errno == EINTR else { throw .system(.connect, .current, address: address) }
        let ready = Syscall.poll(descriptor.rawValue, events: CInt(POLLOUT), timeoutMillis: timeoutMillis)
        guard ready >= 0 else { throw .system(.poll, .current, address: address) }
        guard ready > 0 else { throw .timedOut(.connect, address: address, timeoutMillis: timeoutMillis) }
        let pending = try descriptor.intOption(SOL_SOCKET, SO_ERROR)
        guard pending == 0 else { throw .system(.connect, Errno(rawValue: CInt(pending)), address: address) }
    }

    /// Reads up to `buffer.count` (> 0) bytes.
    @inlinable
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        precondition(buffer.count > 0, "a read needs room: 0 bytes read means end of stream")
        while true {
            let result = Glibc.read(descriptor.rawValue, buffer.baseAddress, buffer.count)
            if result < 0 && errno == EINTR { continue }
            return .ofRead(result)
        }
    }

    /// Writes up to `bytes.count` bytes (`send` with `MSG_NOSIGNAL`); fewer is a partial write.
    @inlinable
    public func write(_ bytes: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let result = send(descriptor.rawValue, bytes.baseAddress, bytes.count, CInt(MSG_NOSIGNAL))
            if result < 0 && errno == EINTR { continue }
            return .ofWrite(result)
        }
    }

    /// Scatter read into caller-owned iovecs (at most `NetLimits.iovecsPerCallMax`, total room > 0).
    @inlinable
    public func readv(_ vectors: UnsafeBufferPointer<iovec>) -> IOResult {
        precondition(vectors.count > 0 && vectors.count <= NetLimits.iovecsPerCallMax, "1...IOV_MAX iovecs")
        while true {
            let result = Glibc.readv(descriptor.rawValue, vectors.baseAddress, CInt(vectors.count))
            if result < 0 && errno == EINTR { continue }
            return .ofRead(result)
        }
    }

    /// Gather write from caller-owned iovecs (`sendmsg` with `MSG_NOSIGNAL`;
    /// at most `NetLimits.iovecsPerCallMax`). A partial write reports the
    /// bytes taken: drop them with `IOVectorBuffer.consume` and try again.
    @inlinable
    public func writev(_ vectors: UnsafeBufferPointer<iovec>) -> IOResult {
        precondition(vectors.count <= NetLimits.iovecsPerCallMax, "at most IOV_MAX iovecs")
        var message = msghdr()
        message.msg_iov = UnsafeMutablePointer(mutating: vectors.baseAddress)
        message.msg_iovlen = vectors.count
        while true {
            let result = sendmsg(descriptor.rawValue, &message, CInt(MSG_NOSIGNAL))
            if result < 0 && errno == EINTR { continue }
            return .ofWrite(result)
        }
    }

    /// `readv` over the live vectors of an `IOVectorBuffer`.
    @inlinable
    public func readv(_ vectors: borrowing IOVectorBuffer) -> IOResult { readv(vectors.vectors) }

    /// `writev` over the live vectors of an `IOVectorBuffer`.
    @inlinable
    public func writev(_ vectors: borrowing IOVectorBuffer) -> IOResult { writev(vectors.vectors) }

    /// Sets or clears `TCP_NODELAY` (set by `accept` and `connect`).
    public func setNoDelay(_ on: Bool) throws(NetError) {
        try descriptor.setIntOption(CInt(IPPROTO_TCP), TCP_NODELAY, on ? 1 : 0)
    }

    /// Whether `TCP_NODELAY` is set.
    public func noDelay() throws(NetError) -> Bool {
        try descriptor.intOption(CInt(IPPROTO_TCP), TCP_NODELAY) != 0
    }

    /// Half-close: the peer reads end of stream; this side can still read.
    public func shutdownWrite() throws(NetError) {
        guard shutdown(descriptor.rawValue, CInt(SHUT_WR)) == 0 else {
            throw .system(.shutdown, .current, address: try? descriptor.peerAddress())
        }
    }

    public func localAddress() throws(NetError) -> IPv4SocketAddress { try descriptor.localAddress() }
    public func peerAddress() throws(NetError) -> IPv4SocketAddress { try descriptor.peerAddress() }

    /// Closes normally (FIN after any unsent data).
    public func close() { descriptor.close() }

    /// Closes with a reset (`SO_LINGER` 0): unsent data is dropped and the
    /// peer sees ECONNRESET. For dropping a misbehaving client at once.
    public func resetAndClose() {
        _ = Syscall.setOption(descriptor.rawValue, SOL_SOCKET, SO_LINGER, value: linger(l_onoff: 1, l_linger: 0))
        descriptor.close()
    }
}
