import BatonNet

/// The cluster configuration file (`baton serve --config FILE --node ID`,
/// TOML): one cluster's identity, configuration epoch, replication mode and
/// its members in chain order, plus optional UDP transport settings, (Raft
/// only) election timing and (chain only) automatic failover. Every key is
/// listed, with its allowed values, in `config/cluster-3.toml` (chain) and
/// `config/cluster-raft-3.toml` (Raft); `config/cluster-3-failover.toml` is a
/// chain with failover on.
///
/// ```toml
/// cluster_id = 7            # required: 1...2^63-1
/// epoch = 1                 # 1...2^32-1, default 1
/// replication = "chain"     # "chain" (default) | "raft"
/// [[member]]                # chain: 1 to 16, in chain order (first = head, last = tail); raft: 1, 3, 5 or 7
/// id = 0                    # required: 0...2^32-1
/// replication = "127.0.0.1:7500"   # required: UDP HOST:PORT
/// client = "127.0.0.1:7400"        # required: TCP HOST:PORT
/// data = "data/node-0"             # required: a directory
/// [udp]                     # optional, every key optional (see `UDP`)
/// [raft]                    # optional, raft only, every key optional (see `Raft`)
/// [failover]                # optional, chain only, every key optional (see `Failover`)
/// ```
///
/// Members are numbered from 0 in errors and in `member(id:)`
/// (`member[1].client` is the second `[[member]]` table); that number is the
/// chain index (0 = head). `load(path:)` resolves a relative `data` against
/// the directory holding the file, not the working directory, so one file
/// names the same folders whoever starts the node from wherever.
///
/// Invariant (after parsing, or a `validate()` that returned): 1 to 16
/// members (Raft: an odd number, at most 7); ids, replication addresses,
/// client addresses and data directories each unique; every address an IPv4
/// dotted quad or `localhost` with a port in 1...65535; every value in its
/// range; a `[raft]` table only in a Raft file, a `[failover]` table only in
/// a chain file. An unknown key anywhere, a wrong type, a value out of range
/// or a missing required key is a `ConfigError` naming the dotted key
/// (`member[2].data`, `udp.mtu`, `raft.election_timeout_min_ms`,
/// `failover.minimum_length`), the value and what is allowed.
/// Threading: a plain value.
public struct ClusterConfigFile: Sendable, Equatable {
    /// How the members replicate the log.
    public enum ReplicationMode: String, Sendable, Equatable, CaseIterable {
        /// Chain replication: head orders, every member logs and forwards, the tail commits.
        case chain
        /// Raft: an elected leader orders, a majority's durable position commits.
        case raft
    }

    /// Identifies the cluster on the wire (every replication message carries it).
    public var clusterId: UInt64
    /// The configuration epoch: raised on every membership change.
    public var epoch: UInt32
    public var replication: ReplicationMode
    /// In chain order: `members[0]` is the head, the last the tail.
    public var members: [Member]
    /// Transport settings; each nil one keeps the replication layer's default.
    public var udp: UDP
    /// The `[raft]` table (nil when the file has none); only with `replication == .raft`.
    public var raft: Raft?
    /// The `[log]` table: settings every member's log applies (retention).
    public var log: Log = Log()
    /// The `[failover]` table (nil when the file has none: a static chain);
    /// only with `replication == .chain`. Failover runs when it is present
    /// and `enabled` (see `failoverEnabled`).
    public var failover: Failover?

    /// A configuration built in code (e.g. `baton cluster`); call `validate()` before use.
    public init(clusterId: UInt64, epoch: UInt32 = 1, replication: ReplicationMode = .chain, members: [Member],
                udp: UDP = UDP(), raft: Raft? = nil, failover: Failover? = nil) {
        self.clusterId = clusterId
        self.epoch = epoch
        self.replication = replication
        self.members = members
        self.udp = udp
        self.raft = raft
        self.failover = failover
    }

    /// Every top-level key (`member` is the `[[member]]` array; `udp`, `raft`, `log` and `failover` tables).
    public static let keys = ["cluster_id", "epoch", "replication", "member", "udp", "raft", "log", "failover"]

    /// Whether the chain runs automatic failover: a `[failover]` table that
    /// does not say `enabled = false`, in a chain file.
    public var failoverEnabled: Bool { replication == .chain && failover?.enabled == true }
    /// The most members a cluster may list.
    public static let maximumMembers = 16
    /// The most members a Raft cluster may list (and their count must be odd).
    public static let maximumRaftMembers = 7
    static let clusterIdRange = 1...Int.max
    static let epochRange = 1...Int(UInt32.max)

    /// Reads and checks the file at `path`; a relative `data` is resolved
    /// against the directory holding the file.
    public static func load(path: String) throws(ConfigError) -> ClusterConfigFile {
        try ClusterConfigFile(parsing: TOMLDocument.readFile(path), path: path, relativeTo: directory(of: path))
    }

    /// Parses and checks TOML text; `path` only names the file in errors. A
    /// relative `data` is resolved against `baseDirectory` when one is given,
    /// else kept as written.
    public init(parsing text: String, path: String = "<config>", relativeTo baseDirectory: String? = nil) throws(ConfigError) {
        let top = ConfigReader(kind: .config, values: try TOMLDocument.parse(text, path: path))
        try top.checkKeys(Self.keys)
        let clusterId = try Self.required(top, "cluster_id", try top.integer("cluster_id", in: Self.clusterIdRange),
                                          expected: "an integer in \(Self.clusterIdRange.lowerBound)...\(Self.clusterIdRange.upperBound)")
        let epoch = try top.integer("epoch", in: Self.epochRange) ?? 1
        var mode = ReplicationMode.chain
        if let word = try top.choice("replication", ReplicationMode.allCases.map(\.rawValue)) {
            mode = ReplicationMode(rawValue: word) ?? .chain
        }
        var members: [Member] = []
        for (index, table) in try Self.memberTables(top, text: text, path: path).enumerated() {
            let reader = ConfigReader(kind: .config, prefix: "member[\(index)].", values: table)
            members.append(try Member(reading: reader, relativeTo: baseDirectory))
        }
        let udp = try top.table("udp").map { table throws(ConfigError) in try UDP(reading: table) } ?? UDP()
        let raft = try top.table("raft").map { table throws(ConfigError) in try Raft(reading: table) }
        let failover = try top.table("failover").map { table throws(ConfigError) in try Failover(reading: table) }
        self.init(clusterId: UInt64(clusterId), epoch: UInt32(epoch), replication: mode, members: members, udp: udp, raft: raft,
                  failover: failover)
        log = try top.table("log").map { table throws(ConfigError) in try Log(reading: table) } ?? Log()
        try validate()
    }

    /// Checks what parsing checks of a value built in code: the member count
    /// (odd and at most 7 for Raft), unique ids / addresses / data
    /// directories, every value's range, `[raft]` only with Raft and
    /// `[failover]` only with a chain.
    public func validate() throws(ConfigError) {
        if clusterId == 0 || clusterId > UInt64(Int.max) {
            throw .invalidValue(.config, key: "cluster_id", value: "\(clusterId)",
                                allowed: "an integer in \(Self.clusterIdRange.lowerBound)...\(Self.clusterIdRange.upperBound)")
        }
        for (name, value, range) in [("log.retention_bytes", log.retentionBytes, Log.bytesRange),
                                     ("log.retention_ms", log.retentionMillis, Log.millisRange)] {
            if let value, !range.contains(value) {
                throw .invalidValue(.config, key: name, value: "\(value)", allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
            }
        }
        if epoch == 0 {
            throw .invalidValue(.config, key: "epoch", value: "0",
                                allowed: "an integer in \(Self.epochRange.lowerBound)...\(Self.epochRange.upperBound)")
        }
        guard (1...Self.maximumMembers).contains(members.count) else {
            throw .invalidValue(.config, key: "member", value: "\(members.count) [[member]] tables",
                                allowed: "1 to \(Self.maximumMembers) [[member]] tables, in chain order (first = head, last = tail)")
        }
        try validateRaftShape()
        for (index, member) in members.enumerated() { try member.validate(index: index) }
        try udp.validate()
        if replication == .raft { try (raft ?? Raft()).validate(heartbeatMillis: udp.heartbeatIntervalMillis) }
        try failover?.validate(memberCount: members.count, heartbeatMillis: udp.heartbeatIntervalMillis)
        try Self.checkUnique(members, "id", "id") { ("\($0.id)", "\($0.id)") }
        try Self.checkUnique(members, "replication", "replication address") { (Self.addressKey($0.replication), "\"\($0.replication)\"") }
        try Self.checkUnique(members, "client", "client address") { (Self.addressKey($0.client), "\"\($0.client)\"") }
        try Self.checkUnique(members, "data", "data directory") { (Self.normalizedPath($0.data), "\"\($0.data)\"") }
    }

    /// A `[raft]` table only in a Raft file, a `[failover]` table only in a
    /// chain file (even with `enabled = false`); a Raft file with an odd member
    /// count of at most 7 (a majority of an even count survives no more
    /// failures than one of a member fewer, and every vote costs more).
    private func validateRaftShape() throws(ConfigError) {
        switch replication {
        case .chain:
            if raft != nil {
                throw .conflict(.config, key: "raft",
                                reason: "a [raft] table in a chain file (replication = \"chain\"); set replication = \"raft\" "
                                    + "or remove the table")
            }
        case .raft:
            if failover != nil {
                throw .conflict(.config, key: "failover",
                                reason: "a [failover] table in a Raft file (replication = \"raft\"): Raft elects its leader itself; "
                                    + "automatic failover is for a chain (replication = \"chain\"), so remove the table")
            }
            if members.count % 2 == 0 || members.count > Self.maximumRaftMembers {
                throw .invalidValue(.config, key: "member", value: "\(members.count) [[member]] tables",
                                    allowed: "an odd number of [[member]] tables, at most \(Self.maximumRaftMembers), "
                                        + "with replication = \"raft\" (3 or 5 usually: a majority of an even count "
                                        + "survives no more failures than one of a member fewer)")
            }
        }
    }

    /// The member `--node ID` names, with its chain index (0 = head); an id
    /// the file does not list is an error naming the ids it does.
    public func member(id: UInt32) throws(ConfigError) -> (index: Int, member: Member) {
        guard let index = members.firstIndex(where: { $0.id == id }) else {
            let ids = members.map { String($0.id) }.joined(separator: ", ")
            throw .conflict(.config, key: "member.id",
                            reason: "no member has id \(id) (--node \(id)); the ids in this file are \(ids)")
        }
        return (index, members[index])
    }

    /// A required value: nil (the key is missing) is an error naming it.
    static func required<T>(_ table: ConfigReader, _ name: String, _ value: T?, expected: String) throws(ConfigError) -> T {
        guard let value else {
            throw .invalidValue(.config, key: table.key(name), value: "missing", allowed: "\(expected) (required)")
        }
        return value
    }

    /// Throws for the first member whose `key` equals an earlier member's
    /// (compared as `value` gives it: resolved addresses, normalized paths),
    /// naming the key, the value as written and both member indexes.
    private static func checkUnique(_ members: [Member], _ key: String, _ what: String,
                                    _ value: (Member) -> (compared: String, text: String)) throws(ConfigError) {
        var seen: [String: Int] = [:]
        for (index, member) in members.enumerated() {
            let (compared, text) = value(member)
            if let first = seen[compared] {
                throw .conflict(.config, key: "member[\(index)].\(key)",
                                reason: "\(text) is also the \(what) of member[\(first)]; each member needs its own")
            }
            seen[compared] = index
        }
    }

    /// An address as compared for uniqueness: resolved (`localhost` is
    /// 127.0.0.1), so two spellings of one socket are caught.
    private static func addressKey(_ address: HostAndPort) -> String {
        (try? IPv4SocketAddress(address))?.description ?? address.description
    }
}
