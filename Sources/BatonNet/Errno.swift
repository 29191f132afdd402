import Glibc

/// A C `errno` value as a type (after swift-system's `Errno`).
///
/// Invariant: `rawValue` is the positive errno a system call reported; it is
/// never 0 in a value that BatonNet returns. Threading: a plain value,
/// `Sendable`. `errno` itself is per thread: read it with `Errno.current`
/// immediately after the call that failed.
@frozen
public struct Errno: RawRepresentable, Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt

    @inlinable @inline(__always)
    public init(rawValue: CInt) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    @inlinable @inline(__always)
    public static var current: Errno { Errno(rawValue: errno) }

    /// `EAGAIN` (= `EWOULDBLOCK` on Linux): a non-blocking call would block, or a socket timeout expired.
    @inlinable public static var wouldBlock: Errno { Errno(rawValue: EAGAIN) }
    /// `EINTR`: a signal interrupted the call.
    @inlinable public static var interrupted: Errno { Errno(rawValue: EINTR) }
    /// `EINPROGRESS`: a non-blocking connect has started.
    @inlinable public static var inProgress: Errno { Errno(rawValue: EINPROGRESS) }
    /// `ECONNRESET`: the peer reset the connection.
    @inlinable public static var connectionReset: Errno { Errno(rawValue: ECONNRESET) }
    /// `EPIPE`: writing to a connection whose write side is closed.
    @inlinable public static var brokenPipe: Errno { Errno(rawValue: EPIPE) }
    /// `ECONNREFUSED`: nothing listens at the address (TCP), or an ICMP port unreachable came back (UDP).
    @inlinable public static var connectionRefused: Errno { Errno(rawValue: ECONNREFUSED) }
    /// `ECONNABORTED`: a connection was aborted before `accept` took it.
    @inlinable public static var connectionAborted: Errno { Errno(rawValue: ECONNABORTED) }
    /// `EADDRINUSE`: the address is already bound.
    @inlinable public static var addressInUse: Errno { Errno(rawValue: EADDRINUSE) }
    /// `EINVAL`: an invalid argument (for UDP, also a destination port of 0).
    @inlinable public static var invalidArgument: Errno { Errno(rawValue: EINVAL) }
    /// `EMSGSIZE`: a datagram larger than the protocol allows.
    @inlinable public static var messageTooLarge: Errno { Errno(rawValue: EMSGSIZE) }
    /// `ETIMEDOUT`: the kernel gave up on the connection (retransmission or keep-alive timeout).
    @inlinable public static var timedOut: Errno { Errno(rawValue: ETIMEDOUT) }
    /// `EPERM`: not permitted (e.g. `SO_RCVBUFFORCE` without `CAP_NET_ADMIN`).
    @inlinable public static var notPermitted: Errno { Errno(rawValue: EPERM) }
    /// `EBADF`: not an open descriptor: a programming error (use after close).
    @inlinable public static var badDescriptor: Errno { Errno(rawValue: EBADF) }

    /// The symbolic name (`ECONNREFUSED`) for the common socket errors, else `errno N`.
    public var name: String {
        switch rawValue {
        case EPERM: return "EPERM"
        case ENOENT: return "ENOENT"
        case EINTR: return "EINTR"
        case EBADF: return "EBADF"
        case EAGAIN: return "EAGAIN"
        case ENOMEM: return "ENOMEM"
        case EACCES: return "EACCES"
        case EFAULT: return "EFAULT"
        case EINVAL: return "EINVAL"
        case ENFILE: return "ENFILE"
        case EMFILE: return "EMFILE"
        case EPIPE: return "EPIPE"
        case ENOTSOCK: return "ENOTSOCK"
        case EMSGSIZE: return "EMSGSIZE"
        case ENOPROTOOPT: return "ENOPROTOOPT"
        case EOPNOTSUPP: return "EOPNOTSUPP"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        case EADDRINUSE: return "EADDRINUSE"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case ENETDOWN: return "ENETDOWN"
        case ENETUNREACH: return "ENETUNREACH"
        case ECONNABORTED: return "ECONNABORTED"
        case ECONNRESET: return "ECONNRESET"
        case ENOBUFS: return "ENOBUFS"
        case EISCONN: return "EISCONN"
        case ENOTCONN: return "ENOTCONN"
        case ETIMEDOUT: return "ETIMEDOUT"
        case ECONNREFUSED: return "ECONNREFUSED"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case EALREADY: return "EALREADY"
        case EINPROGRESS: return "EINPROGRESS"
        default: return "errno \(rawValue)"
        }
    }

    /// The C library's text for the error (`strerror`).
    public var message: String { String(cString: strerror(rawValue)) }

    /// `ECONNREFUSED (111): Connection refused`.
    public var description: String { "\(name) (\(rawValue)): \(message)" }
}
