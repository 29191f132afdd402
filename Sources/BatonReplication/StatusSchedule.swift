/// One Status report's fields.
public struct StatusReport: Equatable, Sendable {
    public var received: Int64
    public var durable: Int64
    public var chainDurable: Int64
    public var window: Int64

    public init(received: Int64, durable: Int64, chainDurable: Int64, window: Int64) {
        self.received = received
        self.durable = durable
        self.chainDurable = chainDurable
        self.window = window
    }
}

/// When a follower sends Status upstream: whenever a field changed since the
/// last one sent, and at least every heartbeat interval. Time is passed in.
///
/// Invariant: `last` is the report most recently sent (nil before the first).
/// Threading: owned by one replicator; its thread only.
public struct StatusSchedule: Sendable {
    public let heartbeatIntervalNanos: Int64
    public private(set) var last: StatusReport?
    private var lastNanos: Int64 = 0

    public init(heartbeatIntervalNanos: Int64) { self.heartbeatIntervalNanos = heartbeatIntervalNanos }

    /// Whether `report` should go out at `now`.
    public func isDue(_ report: StatusReport, now: Int64) -> Bool {
        report != last || now &- lastNanos >= heartbeatIntervalNanos
    }

    /// Whether `received` differs from the last report's (progress since).
    public func receivedMoved(_ received: Int64) -> Bool { received != last?.received }

    public mutating func sent(_ report: StatusReport, now: Int64) {
        last = report
        lastNanos = now
    }
}
