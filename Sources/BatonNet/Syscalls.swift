import CBatonSys
import Glibc

/// The one place where BatonNet's set-up code calls the C library with
/// socket addresses and option values (after swift-system's
/// `Internals/Syscalls.swift`): the `sockaddr` casts and `socklen_t`
/// arithmetic live here and nowhere else. Data-path calls (`read`, `send`,
/// `sendmmsg`, ...) are made directly from `@inlinable` code in the types that
/// own them, so they inline into the caller's module.
///
/// Every function returns the C result unchanged (-1 with `errno` set on failure).
enum Syscall {
    static let sockaddrInLength = socklen_t(MemoryLayout<sockaddr_in>.size)

    static func socket(type: __socket_type) -> CInt {
        Glibc.socket(AF_INET, CInt(type.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
    }

    static func bind(_ fd: CInt, _ address: IPv4SocketAddress) -> CInt {
        var raw = address.sockaddr
        return withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, sockaddrInLength) }
        }
    }

    static func connect(_ fd: CInt, _ address: IPv4SocketAddress) -> CInt {
        var raw = address.sockaddr
        return withUnsafePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, sockaddrInLength) }
        }
    }

    /// `getsockname` (local: true) or `getpeername`; nil with errno set on failure.
    static func name(_ fd: CInt, local: Bool) -> IPv4SocketAddress? {
        var raw = sockaddr_in()
        var length = sockaddrInLength
        let result = withUnsafeMutablePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                local ? getsockname(fd, $0, &length) : getpeername(fd, $0, &length)
            }
        }
        guard result == 0 else { return nil }
        return IPv4SocketAddress(raw)
    }

    /// accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; the peer's address on success.
    static func accept(_ fd: CInt, peer: inout IPv4SocketAddress) -> CInt {
        var raw = sockaddr_in()
        var length = sockaddrInLength
        let result = withUnsafeMutablePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                baton_accept4(fd, $0, &length, CInt(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            }
        }
        if result >= 0 { peer = IPv4SocketAddress(raw) }
        return result
    }

    static func setOption(_ fd: CInt, _ level: CInt, _ name: CInt, _ value: CInt) -> CInt {
        var value = value
        return setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<CInt>.size))
    }

    /// getsockopt of an `int` option; nil with errno set on failure.
    static func getOption(_ fd: CInt, _ level: CInt, _ name: CInt) -> CInt? {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        guard getsockopt(fd, level, name, &value, &length) == 0 else { return nil }
        return value
    }

    /// setsockopt of a C struct option (`timeval`, `linger`).
    static func setOption<Value: BitwiseCopyable>(_ fd: CInt, _ level: CInt, _ name: CInt, value: Value) -> CInt {
        withUnsafeBytes(of: value) { setsockopt(fd, level, name, $0.baseAddress, socklen_t($0.count)) }
    }

    /// Milliseconds on the monotonic clock, for deadlines of blocking calls.
    static func monotonicMillis() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// poll() one descriptor until `events` or the deadline; EINTR re-polls
    /// with the remaining time. Returns revents (0 when the time ran out) or
    /// -1 with errno set.
    static func poll(_ fd: CInt, events: CInt, timeoutMillis: Int32) -> CInt {
        let deadline = monotonicMillis() + Int64(timeoutMillis)
        var remaining = timeoutMillis
        while true {
            var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
            let result = Glibc.poll(&entry, 1, remaining)
            if result > 0 { return CInt(entry.revents) }
            if result == 0 { return 0 }
            guard errno == EINTR else { return -1 }
            remaining = Int32(clamping: max(0, deadline - monotonicMillis()))
        }
    }
}
