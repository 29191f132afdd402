/// A JSON document built in code and rendered as text (no Foundation):
/// objects keep their members in the order given, so reports read the
/// same from run to run. Non-finite numbers render as `null`.
///
/// A plain value: `Sendable`.
public indirect enum JSONValue: Equatable, Sendable {
    case object([JSONMember])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case number(Double)
    case bool(Bool)
    case null

    /// `[("a", 1)]`-style construction.
    public static func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(members.map { JSONMember(key: $0.0, value: $0.1) })
    }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The text, indented by `indent` spaces per level, ending without a newline.
    public func rendered(indent: Int = 2) -> String {
        var text = ""
        render(into: &text, indent: indent, depth: 0)
        return text
    }

    func render(into text: inout String, indent: Int, depth: Int) {
        let inner = String(repeating: " ", count: indent * (depth + 1))
        let outer = String(repeating: " ", count: indent * depth)
        switch self {
        case .object(let members):
            if members.isEmpty { text += "{}"; return }
            text += "{\n"
            for (index, member) in members.enumerated() {
                text += inner + Self.quoted(member.key) + ": "
                member.value.render(into: &text, indent: indent, depth: depth + 1)
                text += index + 1 < members.count ? ",\n" : "\n"
            }
            text += outer + "}"
        case .array(let values):
            if values.isEmpty { text += "[]"; return }
            let scalars = values.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
            if scalars {
                text += "[" + values.map { $0.rendered(indent: indent) }.joined(separator: ", ") + "]"
                return
            }
            text += "[\n"
            for (index, value) in values.enumerated() {
                text += inner
                value.render(into: &text, indent: indent, depth: depth + 1)
                text += index + 1 < values.count ? ",\n" : "\n"
            }
            text += outer + "]"
        case .string(let value): text += Self.quoted(value)
        case .integer(let value): text += String(value)
        case .number(let value): text += value.isFinite ? Self.number(value) : "null"
        case .bool(let value): text += value ? "true" : "false"
        case .null: text += "null"
        }
    }

    /// A finite double as JSON: integral values without a fraction, others
    /// with Swift's shortest round-tripping digits.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

/// One `"key": value` of a JSON object. A plain value.
public struct JSONMember: Equatable, Sendable {
    public var key: String
    public var value: JSONValue

    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}
