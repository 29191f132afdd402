/// Why a histogram could not be encoded or decoded (V2 encoding, log lines).
/// A plain value: `Sendable`.
public enum HistogramCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// zlib returned `status` from `operation`.
    case zlib(operation: String, status: Int32)
    /// The bytes are not base64.
    case badBase64
    /// The cookie is not one of HdrHistogram's V2 cookies (`expected` names which).
    case badCookie(found: UInt32, expected: String)
    /// The encoding ended early or its lengths disagree.
    case truncated(String)
    /// A header field this decoder does not accept.
    case unsupported(String)
    /// A count lands outside the histogram the header describes.
    case countOutOfRange(index: Int)
    /// A histogram log line that does not parse.
    case badLogLine(line: Int, text: String)

    public var description: String {
        switch self {
        case let .zlib(operation, status): return "zlib \(operation) failed with status \(status)"
        case .badBase64: return "not base64"
        case let .badCookie(found, expected): return "cookie 0x\(String(found, radix: 16)) is not \(expected)"
        case let .truncated(what): return "truncated encoding: \(what)"
        case let .unsupported(what): return "unsupported encoding: \(what)"
        case let .countOutOfRange(index): return "count at index \(index) is outside the histogram's range"
        case let .badLogLine(line, text): return "histogram log line \(line) does not parse: \(text)"
        }
    }
}
