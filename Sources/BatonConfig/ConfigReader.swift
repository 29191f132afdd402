/// Typed, strict access to one table of a parsed file: each getter checks the
/// type and range and throws a `ConfigError` naming the dotted key, the value
/// and what is allowed; `checkKeys` refuses keys the format does not have.
/// Threading: a plain value; use it on one thread.
struct ConfigReader {
    let kind: ConfigFileKind
    /// Dotted prefix of this table's keys (`""` at the top, `"threads.order."` below).
    let prefix: String
    let values: [String: ConfigValue]

    init(kind: ConfigFileKind, prefix: String = "", values: [String: ConfigValue]) {
        self.kind = kind
        self.prefix = prefix
        self.values = values
    }

    func key(_ name: String) -> String { prefix + name }

    /// Throws for the first key (in sorted order) not in `allowed`.
    func checkKeys(_ allowed: [String]) throws(ConfigError) {
        for name in values.keys.sorted() where !allowed.contains(name) {
            throw .unknownKey(kind, key: key(name), allowed: allowed.map { key($0) })
        }
    }

    func string(_ name: String, expected: String = "a string") throws(ConfigError) -> String? {
        guard let value = values[name] else { return nil }
        guard case let .string(text) = value else {
            throw .wrongType(kind, key: key(name), value: "\(value.text) (\(value.typeName))", expected: expected)
        }
        return text
    }

    func bool(_ name: String) throws(ConfigError) -> Bool? {
        guard let value = values[name] else { return nil }
        guard case let .boolean(flag) = value else {
            throw .wrongType(kind, key: key(name), value: "\(value.text) (\(value.typeName))", expected: "true or false")
        }
        return flag
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        guard let value = values[name] else { return nil }
        guard case let .integer(number) = value else {
            throw .wrongType(kind, key: key(name), value: "\(value.text) (\(value.typeName))",
                             expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        guard range.contains(number) else {
            throw .invalidValue(kind, key: key(name), value: "\(number)",
                                allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    /// A byte count that must be a power of two within `range`.
    func powerOfTwo(_ name: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int? {
        let allowed = "a power of two from \(ByteText.format(range.lowerBound)) (\(range.lowerBound)) "
            + "to \(ByteText.format(range.upperBound)) (\(range.upperBound))"
        guard let value = values[name] else { return nil }
        guard case let .integer(number) = value else {
            throw .wrongType(kind, key: key(name), value: "\(value.text) (\(value.typeName))", expected: allowed)
        }
        guard range.contains(number), number & (number - 1) == 0 else {
            throw .invalidValue(kind, key: key(name), value: "\(number)", allowed: allowed)
        }
        return number
    }

    /// One of `allowed` words.
    func choice(_ name: String, _ allowed: [String]) throws(ConfigError) -> String? {
        let list = allowed.map { "\"\($0)\"" }.joined(separator: " | ")
        guard let text = try string(name, expected: "a string: \(list)") else { return nil }
        guard allowed.contains(text) else {
            throw .invalidValue(kind, key: key(name), value: "\"\(text)\"", allowed: list)
        }
        return text
    }

    /// A sub-table, as a reader with the longer prefix.
    func table(_ name: String) throws(ConfigError) -> ConfigReader? {
        guard let value = values[name] else { return nil }
        guard case let .table(inner) = value else {
            throw .wrongType(kind, key: key(name), value: "\(value.text) (\(value.typeName))", expected: "a table [\(key(name))]")
        }
        return ConfigReader(kind: kind, prefix: key(name) + ".", values: inner)
    }
}
