/// Why a tuning profile or node configuration file was refused.
///
/// Every case names the key (dotted, e.g. `threads.order.cpu`), the value as
/// written and what is allowed, so `description` can be shown to an operator as is.
/// Threading: an immutable value; use it from any thread.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not valid TOML.
    case syntax(path: String, line: Int, column: Int, message: String)
    /// A key (or a `[threads.STAGE]` table) the format does not have.
    case unknownKey(ConfigFileKind, key: String, allowed: [String])
    /// A value of the wrong TOML type (e.g. a string where an integer belongs).
    case wrongType(ConfigFileKind, key: String, value: String, expected: String)
    /// A value of the right type that is not allowed (out of range, not a power of two, unknown word).
    case invalidValue(ConfigFileKind, key: String, value: String, allowed: String)
    /// A CPU this machine does not have online.
    case cpuNotOnline(ConfigFileKind, key: String, cpu: Int, available: [Int])
    /// A NUMA node this machine does not have (or NUMA unavailable here).
    case numaNodeUnavailable(ConfigFileKind, key: String, node: Int, reason: String)
    /// Keys that contradict each other (e.g. per-stage CPUs in shared mode).
    case conflict(ConfigFileKind, key: String, reason: String)
    /// The values parse, but the node configuration they produce is refused.
    case rejectedByNode(ConfigFileKind, reason: String)

    /// The dotted key the error is about, when it is about one.
    public var key: String? {
        switch self {
        case .unreadable, .syntax, .rejectedByNode: return nil
        case let .unknownKey(_, key, _), let .wrongType(_, key, _, _), let .invalidValue(_, key, _, _),
             let .cpuNotOnline(_, key, _, _), let .numaNodeUnavailable(_, key, _, _), let .conflict(_, key, _):
            return key
        }
    }

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read '\(path)': \(reason)"
        case let .syntax(path, line, column, message):
            return "'\(path)' line \(line), column \(column): \(message)"
        case let .unknownKey(kind, key, allowed):
            return "\(kind.rawValue) key '\(key)': unknown key; allowed: \(allowed.joined(separator: ", "))"
        case let .wrongType(kind, key, value, expected):
            return "\(kind.rawValue) key '\(key)': \(value) has the wrong type; expected \(expected)"
        case let .invalidValue(kind, key, value, allowed):
            return "\(kind.rawValue) key '\(key)': \(value) is not allowed; allowed: \(allowed)"
        case let .cpuNotOnline(kind, key, cpu, available):
            return "\(kind.rawValue) key '\(key)': CPU \(cpu) is not online; CPUs available: \(CPUListText.format(available))"
        case let .numaNodeUnavailable(kind, key, node, reason):
            return "\(kind.rawValue) key '\(key)': NUMA node \(node) is not available: \(reason)"
        case let .conflict(kind, key, reason):
            return "\(kind.rawValue) key '\(key)': \(reason)"
        case let .rejectedByNode(kind, reason):
            return "\(kind.rawValue): the resulting node configuration is refused: \(reason)"
        }
    }
}
