import BatonLog
import BatonNet
import BatonNode

/// A node configuration file (`baton serve --config FILE`, TOML): identity,
/// address, data directory and limits. Every key is optional; command-line
/// flags given explicitly override it.
///
/// Keys: `node_id`, `listen` ("HOST:PORT"), `data` (directory),
/// `max_sessions`, `max_message_bytes`, `max_payload_bytes`,
/// `max_batch_count`, `session_timeout_ms`, `heartbeat_interval_ms`,
/// `subscriber_lag_limit_bytes`, `segment_bytes` (power of two),
/// `retention_bytes` and `retention_ms` (whole segments are deleted from the
/// log's start while the segment files total more than the bytes, or the
/// newest frame of a segment is older than the age; never past what the
/// replication still needs — see `RetentionPolicy`). An unknown
/// key, a wrong type or a value out of range is a `ConfigError` naming it.
/// Threading: a plain value.
public struct NodeConfigFile: Sendable, Equatable {
    public var nodeId: UInt32?
    public var listen: HostAndPort?
    public var data: String?
    public var maxSessions: Int?
    public var maxMessageBytes: Int?
    public var maxPayloadBytes: Int?
    public var maxBatchCount: Int?
    public var sessionTimeoutMillis: Int?
    public var heartbeatIntervalMillis: Int?
    public var subscriberLagLimitBytes: Int?
    public var segmentBytes: Int?
    public var retentionBytes: Int?
    public var retentionMillis: Int?

    public init() {}

    public static let keys = ["node_id", "listen", "data", "max_sessions", "max_message_bytes", "max_payload_bytes",
                              "max_batch_count", "session_timeout_ms", "heartbeat_interval_ms",
                              "subscriber_lag_limit_bytes", "segment_bytes", "retention_bytes", "retention_ms"]

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigError) -> NodeConfigFile {
        try NodeConfigFile(parsing: TOMLDocument.readFile(path), path: path)
    }

    /// Parses and checks TOML text; `path` only names the file in errors.
    public init(parsing text: String, path: String = "<config>") throws(ConfigError) {
        let top = ConfigReader(kind: .config, values: try TOMLDocument.parse(text, path: path))
        try top.checkKeys(Self.keys)
        nodeId = try top.integer("node_id", in: 0...Int(UInt32.max)).map { UInt32($0) }
        if let text = try top.string("listen", expected: "a string \"HOST:PORT\"") {
            do { listen = try HostAndPort(parsing: text) } catch {
                throw .invalidValue(.config, key: "listen", value: "\"\(text)\"", allowed: "\"HOST:PORT\" (\(error))")
            }
        }
        if let text = try top.string("data", expected: "a string: a directory path") {
            guard !text.isEmpty else {
                throw .invalidValue(.config, key: "data", value: "\"\"", allowed: "a non-empty directory path")
            }
            data = text
        }
        maxSessions = try top.integer("max_sessions", in: 1...65_536)
        maxMessageBytes = try top.integer("max_message_bytes", in: 64...(128 << 20))
        maxPayloadBytes = try top.integer("max_payload_bytes", in: 0...((1 << 20) - 48))
        maxBatchCount = try top.integer("max_batch_count", in: 1...(1 << 20))
        sessionTimeoutMillis = try top.integer("session_timeout_ms", in: 1...86_400_000)
        heartbeatIntervalMillis = try top.integer("heartbeat_interval_ms", in: 1...3_600_000)
        subscriberLagLimitBytes = try top.integer("subscriber_lag_limit_bytes", in: 1...Int.max)
        segmentBytes = try top.powerOfTwo("segment_bytes", in: (2 << 20)...(1 << 36))
        retentionBytes = try top.integer("retention_bytes", in: 1...Int.max)
        retentionMillis = try top.integer("retention_ms", in: 1...(100 * 365 * 86_400_000))
    }

    /// Sets in `configuration` every value this file gives (including `data`
    /// as `log.directory`); the rest is left as is.
    public func apply(to configuration: inout NodeConfiguration) {
        if let nodeId { configuration.nodeId = nodeId }
        if let listen { configuration.listen = listen }
        if let data { configuration.log.directory = data }
        if let maxSessions { configuration.maximumSessions = maxSessions }
        if let maxMessageBytes { configuration.maximumMessageLength = maxMessageBytes }
        if let maxPayloadBytes { configuration.maximumPayloadLength = maxPayloadBytes }
        if let maxBatchCount { configuration.maximumBatchCount = maxBatchCount }
        if let sessionTimeoutMillis { configuration.sessionTimeoutNanos = Int64(sessionTimeoutMillis) * 1_000_000 }
        if let heartbeatIntervalMillis { configuration.heartbeatIntervalNanos = Int64(heartbeatIntervalMillis) * 1_000_000 }
        if let subscriberLagLimitBytes { configuration.subscriberLagLimitBytes = Int64(subscriberLagLimitBytes) }
        if let segmentBytes { configuration.log.segmentBytes = segmentBytes }
        if let retentionBytes { configuration.log.retention.maximumBytes = Int64(retentionBytes) }
        if let retentionMillis { configuration.log.retention.maximumAgeNanos = Int64(retentionMillis) * 1_000_000 }
    }
}
