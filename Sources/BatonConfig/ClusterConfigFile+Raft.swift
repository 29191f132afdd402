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
    /// ranges are those `ReplicationConfiguration.validate` enforces.
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
        public static let keys = ["election_timeout_min_ms", "election_timeout_max_ms"]
        static let minimumRange = 3...60_000
        static let maximumRange = 3...120_000
        /// The replication layer's defaults, in the file's unit.
        static let defaultMinimumMillis = Int(ReplicationConfiguration.defaultElectionTimeoutMinimumNanos / 1_000_000)
        static let defaultMaximumMillis = Int(ReplicationConfiguration.defaultElectionTimeoutMaximumNanos / 1_000_000)
        static let defaultHeartbeatMillis = Int(ReplicationConfiguration.defaultHeartbeatIntervalNanos / 1_000_000)

        init(reading table: ConfigReader) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            electionTimeoutMinimumMillis = try table.integer("election_timeout_min_ms", in: Self.minimumRange)
            electionTimeoutMaximumMillis = try table.integer("election_timeout_max_ms", in: Self.maximumRange)
        }

        /// The timeouts in effect: the given ones over the defaults.
        var effectiveMillis: (minimum: Int, maximum: Int) {
            (electionTimeoutMinimumMillis ?? Self.defaultMinimumMillis, electionTimeoutMaximumMillis ?? Self.defaultMaximumMillis)
        }

        /// Checks each value's range, then the two against each other and
        /// against the heartbeat interval in effect (`heartbeatMillis`: the
        /// `[udp]` value, nil for the default); the error names the key set
        /// (or, when both are defaults, the one to set).
        func validate(heartbeatMillis: Int?) throws(ConfigError) {
            let checks: [(String, Int?, ClosedRange<Int>)] = [
                ("election_timeout_min_ms", electionTimeoutMinimumMillis, Self.minimumRange),
                ("election_timeout_max_ms", electionTimeoutMaximumMillis, Self.maximumRange),
            ]
            for (name, value, range) in checks {
                if let value, !range.contains(value) {
                    throw .invalidValue(.config, key: "raft." + name, value: "\(value)",
                                        allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
                }
            }
            let (minimum, maximum) = effectiveMillis
            let heartbeat = heartbeatMillis ?? Self.defaultHeartbeatMillis
            if minimum < 3 * heartbeat {
                let given = electionTimeoutMinimumMillis == nil ? "the default \(minimum)" : "\(minimum)"
                throw .conflict(.config, key: "raft.election_timeout_min_ms",
                                reason: "\(given) ms is less than 3 heartbeat intervals (udp.heartbeat_interval_ms = \(heartbeat)): "
                                    + "a leader would look dead between its heartbeats; set it to at least \(3 * heartbeat)")
            }
            if maximum < minimum {
                let given = electionTimeoutMaximumMillis == nil ? "the default \(maximum)" : "\(maximum)"
                throw .conflict(.config, key: "raft.election_timeout_max_ms",
                                reason: "\(given) ms is below election_timeout_min_ms = \(minimum); the timeout is drawn "
                                    + "from [min, max], so set max to at least \(minimum) (about twice min spreads the candidates)")
            }
        }
    }
}
