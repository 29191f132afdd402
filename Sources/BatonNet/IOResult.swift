import Glibc

/// The outcome of one stream read or write (`TCPConnection.read`, `write`,
/// `readv`, `writev`). The data path returns codes, never throws: every case
/// is an ordinary event for a broker with thousands of sessions.
///
/// Invariant: `.transferred(n)` has `n >= 0`, and `n == 0` only for a write
/// of nothing (a read of 0 bytes is `.closed(.endOfStream)`). Threading: a
/// plain value.
@frozen
public enum IOResult: Equatable, Sendable {
    /// `n` bytes were read or written; for a write, fewer than offered is a
    /// partial write: offer the rest when the socket is writable again.
    case transferred(Int)
    /// Nothing moved: the socket is non-blocking and not ready (EAGAIN), or a
    /// blocking socket's `SO_RCVTIMEO`/`SO_SNDTIMEO` expired. Wait for
    /// readiness (`EPoll`) and try again.
    case wouldBlock
    /// The connection is over in this direction; close the socket.
    case closed(ClosedReason)
    /// Any other failure (`ETIMEDOUT`, `EHOSTUNREACH`, ...); close the socket
    /// and log the errno.
    case error(Errno)

    /// Bytes moved, or 0 for every other case.
    @inlinable
    public var bytes: Int {
        if case .transferred(let count) = self { return count }
        return 0
    }

    /// Maps a `read`/`readv` return value (and `errno` when it is negative).
    @inlinable @inline(__always)
    static func ofRead(_ result: Int) -> IOResult {
        if result > 0 { return .transferred(result) }
        if result == 0 { return .closed(.endOfStream) }
        return ofFailure(errno)
    }

    /// Maps a `send`/`sendmsg` return value (and `errno` when it is negative).
    @inlinable @inline(__always)
    static func ofWrite(_ result: Int) -> IOResult {
        if result >= 0 { return .transferred(result) }
        return ofFailure(errno)
    }

    @inlinable
    static func ofFailure(_ code: CInt) -> IOResult {
        switch code {
        case EAGAIN: return .wouldBlock
        case ECONNRESET: return .closed(.connectionReset)
        case EPIPE: return .closed(.brokenPipe)
        default: return .error(Errno(rawValue: code))
        }
    }
}

/// Why a stream is closed, for the log line. A plain value.
@frozen
public enum ClosedReason: Equatable, Sendable {
    /// The peer closed or shut down its write side: a read returned 0 (EOF).
    case endOfStream
    /// The peer reset the connection (ECONNRESET), e.g. it closed with unread data or with `SO_LINGER` 0.
    case connectionReset
    /// Writing after the connection's write side was closed (EPIPE); no
    /// SIGPIPE is raised: BatonNet sends with `MSG_NOSIGNAL`.
    case brokenPipe
}
