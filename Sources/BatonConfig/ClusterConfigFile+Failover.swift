import BatonReplication

extension ClusterConfigFile {
    /// The optional `[failover]` table: a chain's automatic failover (a
    /// failure detector on every member, and a configuration log through
    /// which the members commit the chain without a member confirmed failed,
    /// epoch + 1). Allowed only with `replication = "chain"`. The table
    /// turns failover on unless it says `enabled = false`; without the table
    /// the chain is static (the members the file lists, until a person
    /// changes the file).
    ///
    /// Keys, each optional (nil keeps the default):
    /// - `enabled`: true or false; default true when the table is present.
    /// - `minimum_length`: 1...16, default 2, at most the member count — the
    ///   head of a shorter chain refuses writes (`notEnoughReplicas`).
    /// - `probe_interval_ms`: 1...10,000, default `udp.heartbeat_interval_ms`
    ///   in effect (10) — a silent member is probed this often.
    /// - `suspect_after_ms`: 3...60,000, default 100, at least 3 probe
    ///   intervals — silence for this long makes a member suspected.
    /// - `confirm_after_ms`: 3...60,000, default 200, at least 3 probe
    ///   intervals — a suspected member neither heard nor reached by
    ///   `indirect_probes` others for this long more is confirmed failed.
    /// - `indirect_probes`: 1...15, default 2.
    /// - `election_timeout_min_ms` / `election_timeout_max_ms`: the
    ///   configuration log's elections, the `[raft]` keys' ranges and rules
    ///   (`ElectionTimeouts`), default 150 and 300.
    ///
    /// Each key is checked alone (name, type, range) whenever the table is
    /// present; the rules between keys and against the rest of the file
    /// (minimum length against the member count, suspicion and confirmation
    /// against the probe interval, election timeouts against each other and
    /// the heartbeat) only when failover is enabled, since a disabled table
    /// has no effect. The ranges are those `FailureDetectorConfiguration` and
    /// `ChainFailoverConfiguration` enforce.
    ///
    /// Invariant (once its file validated): every non-nil value lies in its
    /// range; when enabled, the values in effect obey the rules above.
    /// Threading: a plain value.
    public struct Failover: Sendable, Equatable {
        /// Whether failover runs (the table is kept, and written back, either way).
        public var enabled: Bool
        /// Writes are refused while the chain has fewer members.
        public var minimumLength: Int?
        /// A silent member is probed this often, milliseconds.
        public var probeIntervalMillis: Int?
        /// Silence that makes a member suspected, milliseconds.
        public var suspectAfterMillis: Int?
        /// How long after the suspicion a member still unheard is confirmed failed, milliseconds.
        public var confirmAfterMillis: Int?
        /// Members asked to probe a suspected one.
        public var indirectProbes: Int?
        /// The configuration log's shortest election timeout, milliseconds.
        public var electionTimeoutMinimumMillis: Int?
        /// The configuration log's longest election timeout, milliseconds.
        public var electionTimeoutMaximumMillis: Int?

        public init(enabled: Bool = true, minimumLength: Int? = nil, probeIntervalMillis: Int? = nil,
                    suspectAfterMillis: Int? = nil, confirmAfterMillis: Int? = nil, indirectProbes: Int? = nil,
                    electionTimeoutMinimumMillis: Int? = nil, electionTimeoutMaximumMillis: Int? = nil) {
            self.enabled = enabled
            self.minimumLength = minimumLength
            self.probeIntervalMillis = probeIntervalMillis
            self.suspectAfterMillis = suspectAfterMillis
            self.confirmAfterMillis = confirmAfterMillis
            self.indirectProbes = indirectProbes
            self.electionTimeoutMinimumMillis = electionTimeoutMinimumMillis
            self.electionTimeoutMaximumMillis = electionTimeoutMaximumMillis
        }

        /// Every key of the `[failover]` table.
        public static let keys = ["enabled", "minimum_length", "probe_interval_ms", "suspect_after_ms", "confirm_after_ms",
                                  "indirect_probes"] + ElectionTimeouts.keys
        static let minimumLengthRange = 1...ChainMembership.maximumMembers
        static let probeIntervalRange = 1...10_000
        static let suspectAfterRange = 3...60_000
        static let confirmAfterRange = 3...60_000
        static let indirectProbesRange = 1...FailureDetectorConfiguration.maximumIndirectProbeCount
        /// The replication layer's defaults, in the file's unit.
        public static let defaultMinimumLength = ChainFailoverConfiguration().minimumLength
        public static let defaultSuspectAfterMillis = Int(FailureDetectorConfiguration.defaultSuspectAfterNanos / 1_000_000)
        public static let defaultConfirmAfterMillis = Int(FailureDetectorConfiguration.defaultConfirmAfterNanos / 1_000_000)
        public static let defaultIndirectProbes = FailureDetectorConfiguration.defaultIndirectProbeCount

        init(reading table: ConfigReader) throws(ConfigError) {
            try table.checkKeys(Self.keys)
            enabled = try table.bool("enabled") ?? true
            minimumLength = try table.integer("minimum_length", in: Self.minimumLengthRange)
            probeIntervalMillis = try table.integer("probe_interval_ms", in: Self.probeIntervalRange)
            suspectAfterMillis = try table.integer("suspect_after_ms", in: Self.suspectAfterRange)
            confirmAfterMillis = try table.integer("confirm_after_ms", in: Self.confirmAfterRange)
            indirectProbes = try table.integer("indirect_probes", in: Self.indirectProbesRange)
            electionTimeoutMinimumMillis = try table.integer(ElectionTimeouts.minimumKey, in: ElectionTimeouts.minimumRange)
            electionTimeoutMaximumMillis = try table.integer(ElectionTimeouts.maximumKey, in: ElectionTimeouts.maximumRange)
        }

        /// The probe interval in effect: the given one, else the heartbeat
        /// interval in effect (`heartbeatMillis`: the `[udp]` value, nil for the default).
        func effectiveProbeIntervalMillis(heartbeatMillis: Int?) -> Int {
            probeIntervalMillis ?? heartbeatMillis ?? ElectionTimeouts.defaultHeartbeatMillis
        }

        /// Checks every value's range; when enabled, also the rules between
        /// them, against `memberCount` and the heartbeat interval in effect.
        /// Errors name `failover.<key>`, the value and what is allowed.
        func validate(memberCount: Int, heartbeatMillis: Int?) throws(ConfigError) {
            let ranges: [(String, Int?, ClosedRange<Int>)] = [
                ("minimum_length", minimumLength, Self.minimumLengthRange),
                ("probe_interval_ms", probeIntervalMillis, Self.probeIntervalRange),
                ("suspect_after_ms", suspectAfterMillis, Self.suspectAfterRange),
                ("confirm_after_ms", confirmAfterMillis, Self.confirmAfterRange),
                ("indirect_probes", indirectProbes, Self.indirectProbesRange),
            ]
            for (name, value, range) in ranges {
                if let value, !range.contains(value) {
                    throw .invalidValue(.config, key: "failover." + name, value: "\(value)",
                                        allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
                }
            }
            guard enabled else {
                try ElectionTimeouts.checkRanges(table: "failover", minimum: electionTimeoutMinimumMillis,
                                                 maximum: electionTimeoutMaximumMillis)
                return
            }
            let minimum = minimumLength ?? Self.defaultMinimumLength
            if minimum > memberCount {
                let given = minimumLength == nil ? "the default \(minimum)" : "\(minimum)"
                throw .conflict(.config, key: "failover.minimum_length",
                                reason: "\(given) is more than the \(memberCount) [[member]] table\(memberCount == 1 ? "" : "s") of this file: "
                                    + "the head would refuse every write (notEnoughReplicas); set it to at most \(memberCount)")
            }
            let probe = effectiveProbeIntervalMillis(heartbeatMillis: heartbeatMillis)
            let probeSource = probeIntervalMillis == nil
                ? "failover.probe_interval_ms, by default udp.heartbeat_interval_ms, = \(probe)"
                : "failover.probe_interval_ms = \(probe)"
            let timings: [(String, Int?, Int, String)] = [
                ("suspect_after_ms", suspectAfterMillis, Self.defaultSuspectAfterMillis, "a member would be suspected after fewer than 3 missed probes"),
                ("confirm_after_ms", confirmAfterMillis, Self.defaultConfirmAfterMillis, "a suspected member would be confirmed failed after fewer than 3 rounds of indirect probes"),
            ]
            for (name, value, defaultValue, why) in timings {
                let effective = value ?? defaultValue
                if effective < 3 * probe {
                    let given = value == nil ? "the default \(effective)" : "\(effective)"
                    throw .conflict(.config, key: "failover." + name,
                                    reason: "\(given) ms is less than 3 probe intervals (\(probeSource)): \(why); "
                                        + "set it to at least \(3 * probe)")
                }
            }
            try ElectionTimeouts.validate(table: "failover", minimum: electionTimeoutMinimumMillis,
                                          maximum: electionTimeoutMaximumMillis, heartbeatMillis: heartbeatMillis)
        }

        /// The replication layer's settings for these values (defaults for
        /// the nil ones; the probe interval defaults to the heartbeat in effect).
        func chainFailoverConfiguration(heartbeatMillis: Int?) -> ChainFailoverConfiguration {
            let detector = FailureDetectorConfiguration(
                probeIntervalNanos: Int64(effectiveProbeIntervalMillis(heartbeatMillis: heartbeatMillis)) * 1_000_000,
                suspectAfterNanos: Int64(suspectAfterMillis ?? Self.defaultSuspectAfterMillis) * 1_000_000,
                indirectProbeCount: indirectProbes ?? Self.defaultIndirectProbes,
                confirmAfterNanos: Int64(confirmAfterMillis ?? Self.defaultConfirmAfterMillis) * 1_000_000)
            return ChainFailoverConfiguration(minimumLength: minimumLength ?? Self.defaultMinimumLength, detector: detector)
        }

        /// The table's lines for `tomlText`: `enabled` always, then the set keys.
        var lines: [String] {
            let values: [(String, Int?)] = [
                ("minimum_length", minimumLength), ("probe_interval_ms", probeIntervalMillis),
                ("suspect_after_ms", suspectAfterMillis), ("confirm_after_ms", confirmAfterMillis),
                ("indirect_probes", indirectProbes), (ElectionTimeouts.minimumKey, electionTimeoutMinimumMillis),
                (ElectionTimeouts.maximumKey, electionTimeoutMaximumMillis),
            ]
            return ["enabled = \(enabled)"] + values.compactMap { name, value in value.map { "\(name) = \($0)" } }
        }
    }
}
