import CBatonSys
import Glibc

/// An open socket descriptor: the typed form of the `CInt` the kernel hands
/// out (after swift-system's `FileDescriptor`). `TCPListener`,
/// `TCPConnection` and `UDPSocket` wrap one each and add the operations that
/// make sense for that kind of socket.
///
/// Invariant: `rawValue >= 0`. It is a copyable handle, not an owner: exactly
/// one copy's owner calls `close()`, exactly once, and no copy is used after
/// (a double close is caught by an assertion in debug builds). Threading: a
/// socket is used by one thread at a time; the value is `Sendable` so that it
/// can be handed to the thread that will own it.
@frozen
public struct SocketDescriptor: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt

    @inlinable
    public init(rawValue: CInt) {
        precondition(rawValue >= 0, "a socket descriptor is never negative")
        self.rawValue = rawValue
    }

    /// Closes the descriptor. Errors are not reported: on Linux the
    /// descriptor is released whatever `close` returns, and retrying is wrong.
    public func close() {
        let result = Glibc.close(rawValue)
        assert(result == 0 || errno != EBADF, "close of a descriptor that is not open (double close?)")
    }

    /// The address the socket is bound to (`getsockname`): after binding to
    /// port 0 this is where the ephemeral port the kernel chose is read back.
    public func localAddress() throws(NetError) -> IPv4SocketAddress {
        guard let address = Syscall.name(rawValue, local: true) else {
            throw .system(.getsockname, .current, address: nil)
        }
        return address
    }

    /// The connected peer's address (`getpeername`).
    public func peerAddress() throws(NetError) -> IPv4SocketAddress {
        guard let address = Syscall.name(rawValue, local: false) else {
            throw .system(.getpeername, .current, address: nil)
        }
        return address
    }

    /// Requests a receive buffer of `bytes` (`SO_RCVBUF`; with `force`,
    /// `SO_RCVBUFFORCE` first, which ignores `net.core.rmem_max` but needs
    /// `CAP_NET_ADMIN`, falling back to `SO_RCVBUF` on EPERM) and reads back
    /// what the kernel granted. Check `isCapped` and warn: a capped UDP
    /// receive buffer drops datagrams under bursts.
    public func setReceiveBufferSize(_ bytes: Int, force: Bool = false) throws(NetError) -> SocketBufferSize {
        try setBufferSize(bytes, option: SO_RCVBUF, forceOption: SO_RCVBUFFORCE, force: force)
    }

    /// Requests a send buffer of `bytes` (`SO_SNDBUF`, or `SO_SNDBUFFORCE`
    /// with `force`; capped by `net.core.wmem_max` otherwise) and reads back
    /// what the kernel granted.
    public func setSendBufferSize(_ bytes: Int, force: Bool = false) throws(NetError) -> SocketBufferSize {
        try setBufferSize(bytes, option: SO_SNDBUF, forceOption: SO_SNDBUFFORCE, force: force)
    }

    /// The receive buffer as the kernel accounts it (`getsockopt(SO_RCVBUF)`;
    /// Linux reports twice the payload figure asked for, the other half being
    /// its bookkeeping allowance).
    public func receiveBufferKernelBytes() throws(NetError) -> Int {
        try intOption(SOL_SOCKET, SO_RCVBUF)
    }

    /// The send buffer as the kernel accounts it (`getsockopt(SO_SNDBUF)`).
    public func sendBufferKernelBytes() throws(NetError) -> Int {
        try intOption(SOL_SOCKET, SO_SNDBUF)
    }

    public var description: String { "socket \(rawValue)" }

    func setBufferSize(_ bytes: Int, option: CInt, forceOption: CInt, force: Bool) throws(NetError) -> SocketBufferSize {
        precondition(bytes > 0 && bytes <= Int(CInt.max) / 2, "buffer size out of range: \(bytes)")
        var done = false
        if force {
            if Syscall.setOption(rawValue, SOL_SOCKET, forceOption, CInt(bytes)) == 0 {
                done = true
            } else if errno != EPERM {
                throw .system(.setOption, .current, address: nil)
            }
        }
        if !done, Syscall.setOption(rawValue, SOL_SOCKET, option, CInt(bytes)) != 0 {
            throw .system(.setOption, .current, address: nil)
        }
        let kernelBytes = try intOption(SOL_SOCKET, option)
        assert(kernelBytes > 0)
        return SocketBufferSize(requestedBytes: bytes, kernelBytes: kernelBytes)
    }

    func setIntOption(_ level: CInt, _ name: CInt, _ value: CInt) throws(NetError) {
        if Syscall.setOption(rawValue, level, name, value) != 0 {
            throw .system(.setOption, .current, address: nil)
        }
    }

    func intOption(_ level: CInt, _ name: CInt) throws(NetError) -> Int {
        guard let value = Syscall.getOption(rawValue, level, name) else {
            throw .system(.getOption, .current, address: nil)
        }
        return Int(value)
    }

    /// Sets `SO_RCVTIMEO` and `SO_SNDTIMEO`: a blocking read or write that
    /// waits longer returns EAGAIN (`.wouldBlock`).
    func setBlockingTimeouts(millis: Int32) throws(NetError) {
        precondition(millis > 0, "a blocking socket needs a positive timeout")
        let time = timeval(tv_sec: Int(millis / 1_000), tv_usec: Int(millis % 1_000) * 1_000)
        if Syscall.setOption(rawValue, SOL_SOCKET, SO_RCVTIMEO, value: time) != 0
            || Syscall.setOption(rawValue, SOL_SOCKET, SO_SNDTIMEO, value: time) != 0 {
            throw .system(.setOption, .current, address: nil)
        }
    }

    /// Switches O_NONBLOCK on or off.
    func setNonBlocking(_ nonBlocking: Bool) throws(NetError) {
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0 else { throw .system(.fcntl, .current, address: nil) }
        let wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags, fcntl(rawValue, F_SETFL, wanted) != 0 {
            throw .system(.fcntl, .current, address: nil)
        }
    }
}

/// What the kernel granted for a socket buffer size request.
///
/// Invariant: `kernelBytes` is the value read back after the set, never a
/// guess. Linux doubles the requested figure to allow for its bookkeeping,
/// so `grantedBytes` (= `kernelBytes / 2`) is the figure to compare with
/// the request. Threading: a plain value.
@frozen
public struct SocketBufferSize: Equatable, Sendable, CustomStringConvertible {
    /// The size asked for.
    public let requestedBytes: Int
    /// `getsockopt` after the set (Linux: twice the granted payload size).
    public let kernelBytes: Int

    public init(requestedBytes: Int, kernelBytes: Int) {
        self.requestedBytes = requestedBytes
        self.kernelBytes = kernelBytes
    }

    /// The payload-comparable size the kernel granted.
    public var grantedBytes: Int { kernelBytes / 2 }

    /// True when the kernel gave less than asked (`net.core.rmem_max` /
    /// `wmem_max` without `force`): the caller should log a warning naming the sysctl.
    public var isCapped: Bool { grantedBytes < requestedBytes }

    public var description: String {
        isCapped
            ? "requested \(requestedBytes) bytes, kernel capped it at \(grantedBytes) (raise net.core.rmem_max/wmem_max)"
            : "\(grantedBytes) bytes"
    }
}
