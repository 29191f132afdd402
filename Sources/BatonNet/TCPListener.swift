import CBatonSys
import Glibc

/// A non-blocking TCP listening socket (`SO_REUSEADDR`, `O_NONBLOCK`,
/// `O_CLOEXEC`).
///
/// Invariant: listening from `listen(on:backlog:)` until `close()`; `accept`
/// never blocks. Threading: used by one thread at a time (the client I/O
/// agent); copyable handle, closed once by its owner.
@frozen
public struct TCPListener: Hashable, Sendable {
    public let descriptor: SocketDescriptor

    @inlinable
    public init(descriptor: SocketDescriptor) { self.descriptor = descriptor }

    /// Binds `address` (port 0: an ephemeral port, read it back with
    /// `localAddress()`) and listens with a queue of `backlog` pending
    /// connections (the kernel caps it at `net.core.somaxconn`).
    public static func listen(on address: IPv4SocketAddress, backlog: Int32 = 128) throws(NetError) -> TCPListener {
        precondition(backlog >= 0, "backlog must not be negative")
        let fd = Syscall.socket(type: SOCK_STREAM)
        guard fd >= 0 else { throw .system(.socket, .current, address: address) }
        let socket = SocketDescriptor(rawValue: fd)
        do throws(NetError) {
            try socket.setIntOption(SOL_SOCKET, SO_REUSEADDR, 1)
            guard Syscall.bind(fd, address) == 0 else { throw NetError.system(.bind, .current, address: address) }
            guard Glibc.listen(fd, backlog) == 0 else { throw NetError.system(.listen, .current, address: address) }
        } catch {
            socket.close()
            throw error
        }
        return TCPListener(descriptor: socket)
    }

    /// The bound address (with the ephemeral port when bound to port 0).
    public func localAddress() throws(NetError) -> IPv4SocketAddress { try descriptor.localAddress() }

    /// Takes one pending connection: non-blocking, close-on-exec, with
    /// `TCP_NODELAY`. Returns nil when none is pending (EAGAIN); retries
    /// EINTR and ECONNABORTED (a connection reset while queued) itself. Throws
    /// for the rest (EMFILE, ENFILE, ENOBUFS, ENOMEM): the caller should log
    /// and back off, since the connection stays queued.
    public func accept() throws(NetError) -> (connection: TCPConnection, peer: IPv4SocketAddress)? {
        var peer = IPv4SocketAddress.any()
        while true {
            let fd = Syscall.accept(descriptor.rawValue, peer: &peer)
            if fd >= 0 {
                let connection = TCPConnection(descriptor: SocketDescriptor(rawValue: fd))
                do throws(NetError) {
                    try connection.setNoDelay(true)
                } catch {
                    connection.close()
                    throw error
                }
                return (connection, peer)
            }
            let code = Errno.current
            switch code.rawValue {
            case EAGAIN: return nil
            case EINTR, ECONNABORTED: continue
            default: throw .system(.accept, code, address: try? localAddress())
            }
        }
    }

    /// Closes the listening socket; pending connections are reset.
    public func close() { descriptor.close() }
}
