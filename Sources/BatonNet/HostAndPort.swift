/// An IPv4 host and TCP/UDP port as written on a command line (`127.0.0.1:7000`).
///
/// Invariant: only the text form; nothing is resolved until it becomes an
/// `IPv4SocketAddress` (`try IPv4SocketAddress(hostAndPort)`, which accepts a
/// dotted quad or `localhost`). Threading: a plain value, `Sendable`.
public struct HostAndPort: Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; the error names what is wrong with the text.
    public init(parsing text: String) throws(AddressError) {
        guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw .missingHost(text) }
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let port = UInt16(portText) else { throw .badPort(text) }
        self.init(host: host, port: port)
    }

    public var description: String { "\(host):\(port)" }
}

/// Why an address could not be parsed or resolved. Each case carries the text
/// as given; `description` says what is wrong and what is expected.
public enum AddressError: Error, Equatable, CustomStringConvertible {
    case missingPort(String)
    case missingHost(String)
    case badPort(String)
    case badHost(String)

    public var description: String {
        switch self {
        case .missingPort(let text): return "address '\(text)' has no port: expected HOST:PORT"
        case .missingHost(let text): return "address '\(text)' has no host: expected HOST:PORT"
        case .badPort(let text): return "address '\(text)' has an invalid port: expected 0-65535"
        case .badHost(let text): return "address '\(text)' has a host that is not an IPv4 dotted quad (a.b.c.d, 0-255) or 'localhost'"
        }
    }
}
