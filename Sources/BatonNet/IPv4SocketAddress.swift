import Glibc

/// An IPv4 address and port: the typed form of `sockaddr_in`.
///
/// Invariant: holds the address and port in host byte order; `sockaddr`
/// converts to the kernel's network byte order on the way out and
/// `init(_: sockaddr_in)` back on the way in, so no caller ever swaps bytes.
/// Threading: a plain value, `Sendable`.
@frozen
public struct IPv4SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 address in host byte order (`127.0.0.1` is `0x7F00_0001`).
    public var addressHostOrder: UInt32
    /// The port; 0 asks `bind` for an ephemeral port.
    public var port: UInt16

    @inlinable
    public init(addressHostOrder: UInt32, port: UInt16) {
        self.addressHostOrder = addressHostOrder
        self.port = port
    }

    /// `a.b.c.d:port`.
    @inlinable
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        let address = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
        self.init(addressHostOrder: address, port: port)
    }

    /// Reads a kernel `sockaddr_in`; the family must be `AF_INET`.
    @inlinable
    public init(_ raw: sockaddr_in) {
        precondition(raw.sin_family == sa_family_t(AF_INET), "not an AF_INET address")
        self.init(addressHostOrder: UInt32(bigEndian: raw.sin_addr.s_addr), port: UInt16(bigEndian: raw.sin_port))
    }

    /// Resolves `HOST:PORT` where HOST is a dotted quad (`10.0.0.7`) or
    /// `localhost` (127.0.0.1). No DNS: anything else is `.badHost`.
    public init(_ endpoint: HostAndPort) throws(AddressError) {
        guard let address = IPv4SocketAddress.parseHost(endpoint.host) else {
            throw .badHost(endpoint.description)
        }
        self.init(addressHostOrder: address, port: endpoint.port)
    }

    /// Parses `HOST:PORT` text and resolves it (see `init(_: HostAndPort)`).
    public init(parsing text: String) throws(AddressError) {
        try self.init(HostAndPort(parsing: text))
    }

    /// `127.0.0.1:port`; port 0 (the default) binds an ephemeral port.
    @inlinable
    public static func loopback(port: UInt16 = 0) -> IPv4SocketAddress {
        IPv4SocketAddress(127, 0, 0, 1, port: port)
    }

    /// `0.0.0.0:port` (every local interface).
    @inlinable
    public static func any(port: UInt16 = 0) -> IPv4SocketAddress {
        IPv4SocketAddress(addressHostOrder: 0, port: port)
    }

    /// The kernel form, network byte order, `sin_zero` cleared.
    @inlinable
    public var sockaddr: sockaddr_in {
        var raw = sockaddr_in()
        raw.sin_family = sa_family_t(AF_INET)
        raw.sin_port = port.bigEndian
        raw.sin_addr.s_addr = addressHostOrder.bigEndian
        return raw
    }

    /// The same address as `HostAndPort` (dotted quad).
    public var hostAndPort: HostAndPort { HostAndPort(host: dottedQuad, port: port) }

    /// `a.b.c.d`.
    public var dottedQuad: String {
        let a = addressHostOrder
        return "\(a >> 24).\(a >> 16 & 0xFF).\(a >> 8 & 0xFF).\(a & 0xFF)"
    }

    /// `a.b.c.d:port`.
    public var description: String { "\(dottedQuad):\(port)" }

    /// Strict dotted quad (four decimal parts 0-255, no leading zeros, no
    /// sign or space) or `localhost`; nil otherwise.
    static func parseHost(_ host: String) -> UInt32? {
        if host.lowercased() == "localhost" { return 0x7F00_0001 }
        var address: UInt32 = 0
        var parts = 0
        var part: UInt32 = 0
        var digits = 0
        for byte in host.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                address = address << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard !(digits == 1 && part == 0) else { return nil }  // leading zero
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return address << 8 | part
    }
}
