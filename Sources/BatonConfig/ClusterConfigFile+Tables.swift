import TOMLKit

extension ClusterConfigFile {
    /// The `[[member]]` tables, in file order, as `ConfigValue` tables.
    ///
    /// `TOMLDocument` converts no arrays (no tuning or node key takes one),
    /// so this is the one place outside it that touches TOMLKit: it takes
    /// the array from the document and hands each table back to
    /// `TOMLDocument` as TOML text, so values are converted by one set of
    /// rules. `top` is the already-parsed document, `text` its source.
    static func memberTables(_ top: ConfigReader, text: String, path: String) throws(ConfigError) -> [[String: ConfigValue]] {
        let expected = "an array of tables: one [[member]] table per member (double brackets), in chain order"
        switch top.values["member"] {
        case nil:
            throw .invalidValue(.config, key: "member", value: "missing",
                                allowed: "1 to \(maximumMembers) [[member]] tables, in chain order (required)")
        case let .other(type, _) where type == "array":
            break
        case let value?:
            throw .wrongType(.config, key: "member", value: "\(value.text) (\(value.typeName))", expected: expected)
        }
        guard let array = (try? TOMLTable(string: text))?["member"]?.array else {
            throw .wrongType(.config, key: "member", value: "an unreadable array", expected: expected)
        }
        var tables: [[String: ConfigValue]] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                throw .wrongType(.config, key: "member[\(index)]", value: "\(element.debugDescription) (\(element.type))",
                                 expected: "a table (a [[member]] section or an inline { ... } table)")
            }
            table.inline = false // an inline `{ ... }` element renders as a document only as a plain table
            tables.append(try TOMLDocument.parse(table.convert(to: .toml), path: "\(path) member[\(index)]"))
        }
        return tables
    }
}
