import BatonRing

/// The position counters of one log, each on its own 128-byte slot of a
/// `CounterSet` (labelled `log-0.appended`, ...).
///
/// | counter | single writer | meaning |
/// |---|---|---|
/// | `appended` | appender (order stage) | end of the last whole frame in the log buffer |
/// | `durable` | writer agent | end of the frames the durability policy counts as durable |
/// | `written` | writer agent | end of the frames whose writes (and linked syncs) completed |
/// | `start` | writer agent (retention) | first position still in a segment file |
/// | `truncationPosition` | appender's thread (`DurableLog.requestTruncation`) | where the newest truncation cuts the log (-1 before the first) |
/// | `truncationRequested` | appender's thread (`DurableLog.requestTruncation`) | generation of the newest truncation request (0: none yet) |
/// | `truncationCompleted` | writer agent | generation of the newest truncation whose files, checkpoint and positions are cut |
///
/// A truncation is *pending* while `truncationCompleted < truncationRequested`;
/// then `written`/`durable` may still name bytes of the discarded suffix (see
/// `DurableLog.requestTruncation`). A truncation lowers `appended`, `written`,
/// `durable` (and `truncationPosition` may fall from one request to the next),
/// with `setReleaseAllowingDecrease`; the two generations only grow.
///
/// Plus the *gating* counters (the appender reuses buffer space only when all
/// of them have passed it; `durable` is always one) and the *retention floors*
/// (retention never deletes a segment that a floor has not passed). Both sets
/// are fixed at set-up: `addGating`/`addRetentionFloor` before the appender or
/// writer runs.
///
/// Threading: registration is set-up only (one thread, before the agents
/// start); afterwards each counter follows `PositionCounter`'s contract and
/// readers on any thread use `getAcquire`.
public final class LogCounters: @unchecked Sendable {
    public static let maximumGating = 16
    public static let maximumRetentionFloors = 16

    /// The set the counters live in when the log allocated them itself (nil when the caller supplied them).
    public let counters: CounterSet?
    public let appended: PositionCounter
    public let durable: PositionCounter
    public let written: PositionCounter
    public let start: PositionCounter
    /// Where the newest truncation request cuts the log, -1 before the first (appender's thread writes).
    public let truncationPosition: PositionCounter
    /// Generation of the newest truncation request, 0 before the first (appender's thread writes).
    public let truncationRequested: PositionCounter
    /// Generation of the newest truncation the writer finished, 0 before the first (writer agent writes).
    public let truncationCompleted: PositionCounter

    /// Gating counters, `durable` first; fixed storage so the appender reads them without ARC.
    public let gating: UnsafeMutableBufferPointer<PositionCounter>
    public private(set) var gatingCount = 1
    public let retentionFloors: UnsafeMutableBufferPointer<PositionCounter>
    public private(set) var retentionFloorCount = 0

    /// Counters in a set of the log's own, or — with `allocate` — wherever the
    /// caller keeps its counters (a node's counters file, so `baton stat` sees them).
    public init(logId: LogId, allocate: ((String) -> PositionCounter)? = nil) {
        let allocator: (String) -> PositionCounter
        if let allocate {
            counters = nil
            allocator = allocate
        } else {
            let own = CounterSet(capacity: 8)
            counters = own
            allocator = { own.allocate(label: $0) }
        }
        appended = allocator("\(logId).appended")
        durable = allocator("\(logId).durable")
        written = allocator("\(logId).written")
        start = allocator("\(logId).start")
        truncationPosition = allocator("\(logId).truncationPosition")
        truncationRequested = allocator("\(logId).truncationRequested")
        truncationCompleted = allocator("\(logId).truncationCompleted")
        gating = .allocate(capacity: LogCounters.maximumGating)
        gating.initialize(repeating: durable)
        retentionFloors = .allocate(capacity: LogCounters.maximumRetentionFloors)
        retentionFloors.initialize(repeating: durable)
    }

    deinit {
        gating.deallocate()
        retentionFloors.deallocate()
    }

    /// Adds a gating counter (transmit, in-memory subscriber). Set-up only.
    public func addGating(_ counter: PositionCounter) {
        precondition(gatingCount < LogCounters.maximumGating, "too many gating counters (max \(LogCounters.maximumGating))")
        gating[gatingCount] = counter
        gatingCount += 1
    }

    /// Adds a retention floor (a replica or subscriber that still needs data). Set-up only.
    public func addRetentionFloor(_ counter: PositionCounter) {
        precondition(retentionFloorCount < LogCounters.maximumRetentionFloors, "too many retention floors")
        retentionFloors[retentionFloorCount] = counter
        retentionFloorCount += 1
    }

    /// The minimum of the gating counters (acquire loads).
    @inlinable
    public func minimumGating() -> Int64 {
        var minimum = Int64.max
        for index in 0..<gatingCount {
            let value = gating[index].getAcquire()
            if value < minimum { minimum = value }
        }
        return minimum
    }

    /// The minimum of the retention floors and `durable` (acquire loads).
    public func retentionFloor() -> Int64 {
        var minimum = durable.getAcquire()
        for index in 0..<retentionFloorCount {
            minimum = min(minimum, retentionFloors[index].getAcquire())
        }
        return minimum
    }
}
