import CBatonSys
import Glibc

/// A non-blocking UDP socket bound to a local address (`O_NONBLOCK`,
/// `O_CLOEXEC`). Datagrams go out and come in through `UDPBatchSender` and
/// `UDPBatchReceiver`.
///
/// Invariant: bound from `bind(to:)` until `close()`; never blocks. Threading:
/// a socket is used by one thread at a time (one sending and one receiving
/// thread is also safe: the kernel serialises them, and the batch objects are
/// separate); a copyable handle, closed once by its owner.
@frozen
public struct UDPSocket: Hashable, Sendable {
    public let descriptor: SocketDescriptor

    @inlinable
    public init(descriptor: SocketDescriptor) { self.descriptor = descriptor }

    /// Creates the socket and binds it to `address` (port 0: ephemeral; read
    /// it back with `localAddress()`).
    public static func bind(to address: IPv4SocketAddress) throws(NetError) -> UDPSocket {
        let fd = Syscall.socket(type: SOCK_DGRAM)
        guard fd >= 0 else { throw .system(.socket, .current, address: address) }
        let socket = SocketDescriptor(rawValue: fd)
        guard Syscall.bind(fd, address) == 0 else {
            let code = Errno.current
            socket.close()
            throw .system(.bind, code, address: address)
        }
        return UDPSocket(descriptor: socket)
    }

    /// Fixes the peer: datagrams staged without a destination go there, and
    /// only datagrams from it are received. An ICMP port unreachable from the
    /// peer then shows up as ECONNREFUSED on a later send or receive.
    public func connect(to peer: IPv4SocketAddress) throws(NetError) {
        guard Syscall.connect(descriptor.rawValue, peer) == 0 else {
            throw .system(.connect, .current, address: peer)
        }
    }

    /// The bound address (with the ephemeral port when bound to port 0).
    public func localAddress() throws(NetError) -> IPv4SocketAddress { try descriptor.localAddress() }

    /// See `SocketDescriptor.setReceiveBufferSize`; warn when the result `isCapped`.
    public func setReceiveBufferSize(_ bytes: Int, force: Bool = false) throws(NetError) -> SocketBufferSize {
        try descriptor.setReceiveBufferSize(bytes, force: force)
    }

    /// See `SocketDescriptor.setSendBufferSize`; warn when the result `isCapped`.
    public func setSendBufferSize(_ bytes: Int, force: Bool = false) throws(NetError) -> SocketBufferSize {
        try descriptor.setSendBufferSize(bytes, force: force)
    }

    public func close() { descriptor.close() }
}
