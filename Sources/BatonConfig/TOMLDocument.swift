import Glibc
import TOMLKit

/// Reads TOML text (through TOMLKit, which wraps toml++) into a `ConfigValue` tree.
/// Threading: stateless; call from any thread.
public enum TOMLDocument {
    /// Parses `text`; `path` only names the file in errors.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> [String: ConfigValue] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .syntax(path: path, line: error.source.begin.line, column: error.source.begin.column,
                          message: error.description)
        } catch {
            throw .syntax(path: path, line: 0, column: 0, message: "\(error)")
        }
        return convert(table)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ConfigError) -> [String: ConfigValue] {
        try parse(readFile(path), path: path)
    }

    /// The whole file as UTF-8 text.
    static func readFile(_ path: String) throws(ConfigError) -> String {
        guard let file = fopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                if ferror(file) != 0 { throw .unreadable(path: path, reason: "read error") }
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func convert(_ table: TOMLTable) -> [String: ConfigValue] {
        var result: [String: ConfigValue] = [:]
        for key in table.keys {
            guard let value = table[key] else { continue }
            result[key] = convert(value)
        }
        return result
    }

    private static func convert(_ value: any TOMLValueConvertible) -> ConfigValue {
        switch value.type {
        case .string: return value.string.map(ConfigValue.string) ?? .other(type: "string", text: value.debugDescription)
        case .int: return value.int.map(ConfigValue.integer) ?? .other(type: "integer", text: value.debugDescription)
        case .bool: return value.bool.map(ConfigValue.boolean) ?? .other(type: "boolean", text: value.debugDescription)
        case .double: return value.double.map(ConfigValue.float) ?? .other(type: "float", text: value.debugDescription)
        case .table:
            guard let table = value.table else { return .other(type: "table", text: value.debugDescription) }
            return .table(convert(table))
        case .array: return .other(type: "array", text: value.debugDescription)
        case .date, .time, .dateTime: return .other(type: value.type.description, text: value.debugDescription)
        }
    }
}
