extension ClusterConfigFile {
    /// The directory part of `path` (`"."` for a bare file name), textually:
    /// nothing is looked up on disk.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// `path` as is when absolute or when there is no base; else `base/path`
    /// (just `path` when the base is `"."`). Textual: `..` is kept, not
    /// folded, and nothing needs to exist yet.
    static func resolve(_ path: String, against base: String?) -> String {
        guard let base, !path.hasPrefix("/"), base != "." else { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// `path` with empty and `.` components dropped (`./data//node-0/` →
    /// `data/node-0`), so two spellings of one directory compare equal.
    static func normalizedPath(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
