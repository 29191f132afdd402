import BatonReplication

extension ClusterConfigFile {
    /// The optional `[raft]` table: a Raft cluster's election timing. Allowed
    /// only with `replication = "raft"`; every key is optional and nil keeps
    /// the replication layer's default (150 ms and 300 ms).
    ///
    /// Keys and ranges: `election_timeout_min_ms` (a follower that hears no
    /// leader for a timeout drawn from [min, max] stands for election; a
    /// leader that hears no majority for min steps down; 3...60,000 ms and at
    /// least 3 heartbeat intervals, `udp.heartbeat_interval_ms`),
    /// `election_timeout_max_ms` (3...120,000 ms, at least the minimum). The
    /// ranges are those `ReplicationConfiguration.validate` enforces; the
    /// rules are `ElectionTimeouts`', shared with `[failover]`.
    ///
    /// Invariant (once its file validated): every non-nil value lies in its
    /// range; the effective minimum (given or default) is at least 3 effective
    /// heartbeat intervals and at most the effective maximum.
    /// Threading: a plain value.
    public struct Raft: Sendable, Equatable {
        /// The shortest election timeout, milliseconds.
        public var electionTimeoutMinimumMillis: Int?
        /// The longest election timeout, milliseconds.
        public var electionTimeoutMaximumMillis: Int?

        public init(electionTimeoutMinimumMillis: Int? = nil, electionTimeoutMaximumMillis: Int? = nil) {
            self.electionTimeoutMinimumMillis = electionTimeoutMinimumMillis
            self.electionTimeoutMaximumMillis = electionTimeoutMaximumMillis
        }

        /// Every key of the `[raft]` table.
        public static let keys = ElectionTimeouts.keys

        init(reading table: ConfigReader) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            electionTimeoutMinimumMillis = try table.integer(ElectionTimeouts.minimumKey, in: ElectionTimeouts.minimumRange)
            electionTimeoutMaximumMillis = try table.integer(ElectionTimeouts.maximumKey, in: ElectionTimeouts.maximumRange)
        }

        /// Checks each value's range, then the two against each other and
        /// against the heartbeat interval in effect (`heartbeatMillis`: the
        /// `[udp]` value, nil for the default); the error names the key set
        /// (or, when both are defaults, the one to set).
        func validate(heartbeatMillis: Int?) throws(ConfigError) {
            try ElectionTimeouts.validate(table: "raft", minimum: electionTimeoutMinimumMillis,
                                          maximum: electionTimeoutMaximumMillis, heartbeatMillis: heartbeatMillis)
        }
    }

    /// The election timeout keys and their rules, shared by the tables that
    /// time elections: `[raft]` (a Raft cluster's leader) and `[failover]`
    /// (a chain's configuration log). Both map onto
    /// `ReplicationConfiguration.electionTimeoutMinimumNanos`/`MaximumNanos`.
    /// Stateless.
    enum ElectionTimeouts {
        static let minimumKey = "election_timeout_min_ms"
        static let maximumKey = "election_timeout_max_ms"
        static let keys = [minimumKey, maximumKey]
        static let minimumRange = 3...60_000
        static let maximumRange = 3...120_000
        /// The replication layer's defaults, in the file's unit.
        static let defaultMinimumMillis = Int(ReplicationConfiguration.defaultElectionTimeoutMinimumNanos / 1_000_000)
        static let defaultMaximumMillis = Int(ReplicationConfiguration.defaultElectionTimeoutMaximumNanos / 1_000_000)
        static let defaultHeartbeatMillis = Int(ReplicationConfiguration.defaultHeartbeatIntervalNanos / 1_000_000)

        /// Checks each value's range, then the two in effect (given or
        /// default) against each other and against 3 heartbeat intervals
        /// (`heartbeatMillis`: the `[udp]` value, nil for the default). Errors
        /// name `table.key` — the key set, or, when both are defaults, the one to set.
        static func validate(table: String, minimum: Int?, maximum: Int?, heartbeatMillis: Int?) throws(ConfigError) {
            try checkRanges(table: table, minimum: minimum, maximum: maximum)
            let effectiveMinimum = minimum ?? defaultMinimumMillis
            let effectiveMaximum = maximum ?? defaultMaximumMillis
            let heartbeat = heartbeatMillis ?? defaultHeartbeatMillis
            if effectiveMinimum < 3 * heartbeat {
                let given = minimum == nil ? "the default \(effectiveMinimum)" : "\(effectiveMinimum)"
                throw .conflict(.config, key: "\(table).\(minimumKey)",
                                reason: "\(given) ms is less than 3 heartbeat intervals (udp.heartbeat_interval_ms = \(heartbeat)): "
                                    + "a leader would look dead between its heartbeats; set it to at least \(3 * heartbeat)")
            }
            if effectiveMaximum < effectiveMinimum {
                let given = maximum == nil ? "the default \(effectiveMaximum)" : "\(effectiveMaximum)"
                throw .conflict(.config, key: "\(table).\(maximumKey)",
                                reason: "\(given) ms is below \(minimumKey) = \(effectiveMinimum); the timeout is drawn "
                                    + "from [min, max], so set max to at least \(effectiveMinimum) (about twice min spreads the candidates)")
            }
        }

        /// Each given value in its range (values set in code; parsing checks them as it reads).
        static func checkRanges(table: String, minimum: Int?, maximum: Int?) throws(ConfigError) {
            for (name, value, range) in [(minimumKey, minimum, minimumRange), (maximumKey, maximum, maximumRange)] {
                if let value, !range.contains(value) {
                    throw .invalidValue(.config, key: "\(table).\(name)", value: "\(value)",
                                        allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
                }
            }
        }
    }
}
