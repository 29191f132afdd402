/// The socket or epoll operation a `NetError` happened in; `rawValue` is the
/// C call as it appears in the error text. A plain value.
public enum SocketOperation: String, Sendable, Equatable {
    case socket, bind, listen, accept, connect, getsockname, getpeername
    case setOption = "setsockopt", getOption = "getsockopt", fcntl, shutdown, poll
    case epollCreate = "epoll_create1", epollAdd = "epoll_ctl(ADD)"
    case epollModify = "epoll_ctl(MOD)", epollRemove = "epoll_ctl(DEL)", epollWait = "epoll_wait"
}

/// Why a set-up or control operation on a socket failed. Data-path calls
/// (read, write, send, receive) do not throw: they return `IOResult`,
/// `UDPSendResult` or `UDPReceiveResult`.
///
/// Invariant: every case names the operation, and the address when one was
/// involved, so that its `description` is a complete log line. Threading: a
/// plain value, `Sendable`.
public enum NetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed with `errno`; `address` is the local or remote address involved, if any.
    case system(SocketOperation, Errno, address: IPv4SocketAddress?)
    /// A blocking operation did not complete within its timeout.
    case timedOut(SocketOperation, address: IPv4SocketAddress?, timeoutMillis: Int32)

    /// The errno, when the error came from a system call.
    public var errno: Errno? {
        if case .system(_, let errno, _) = self { return errno }
        return nil
    }

    public var description: String {
        switch self {
        case .system(let operation, let errno, let address):
            let target = address.map { " \($0)" } ?? ""
            return "\(operation.rawValue)\(target) failed: \(errno)"
        case .timedOut(let operation, let address, let timeoutMillis):
            let target = address.map { " \($0)" } ?? ""
            return "\(operation.rawValue)\(target) timed out after \(timeoutMillis) ms"
        }
    }
}
