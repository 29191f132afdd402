/// A value read from a configuration file, independent of the TOML library:
/// the parsed document is converted to this tree once, then validated.
/// Threading: an immutable value.
public indirect enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case boolean(Bool)
    case float(Double)
    case table([String: ConfigValue])
    /// Arrays, dates and times: no key of ours takes one; kept for the error message.
    case other(type: String, text: String)

    /// The TOML type name, for "wrong type" errors.
    public var typeName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .boolean: return "boolean"
        case .float: return "float"
        case .table: return "table"
        case let .other(type, _): return type
        }
    }

    /// The value as written (strings quoted), for error messages.
    public var text: String {
        switch self {
        case let .string(value): return "\"\(value)\""
        case let .integer(value): return "\(value)"
        case let .boolean(value): return "\(value)"
        case let .float(value): return "\(value)"
        case .table: return "a table"
        case let .other(_, text): return text
        }
    }
}
