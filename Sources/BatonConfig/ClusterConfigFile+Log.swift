extension ClusterConfigFile {
    /// The optional `[log]` table: log settings every member applies.
    ///
    /// Keys: `retention_bytes` (delete the oldest whole segments while the
    /// member's segment files total more; 1 byte and up) and `retention_ms`
    /// (delete segments whose newest frame is older; 1 ms to 100 years).
    /// Either way never past what replication still needs (a chain member's
    /// successor, a Raft member's commit and its live followers: see
    /// `RetentionPolicy` and ARCHITECTURE.md). Nil keeps everything.
    ///
    /// Invariant: every non-nil value lies in its range. Threading: a plain value.
    public struct Log: Sendable, Equatable {
        public var retentionBytes: Int?
        public var retentionMillis: Int?

        public init(retentionBytes: Int? = nil, retentionMillis: Int? = nil) {
            self.retentionBytes = retentionBytes
            self.retentionMillis = retentionMillis
        }

        /// Every key of the `[log]` table.
        public static let keys = ["retention_bytes", "retention_ms"]
        static let bytesRange = 1...Int.max
        static let millisRange = 1...(100 * 365 * 86_400_000)

        init(reading table: ConfigReader) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            retentionBytes = try table.integer("retention_bytes", in: Self.bytesRange)
            retentionMillis = try table.integer("retention_ms", in: Self.millisRange)
        }

        /// Whether no key is set (the table is then not written back).
        var isEmpty: Bool { retentionBytes == nil && retentionMillis == nil }

        /// The `key = value` lines of the set keys, for `tomlText`.
        var lines: [String] {
            [("retention_bytes", retentionBytes), ("retention_ms", retentionMillis)].compactMap { name, value in
                value.map { "\(name) = \($0)" }
            }
        }
    }
}
