import BatonCodec
import BatonRing
import BatonTime
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// One durable log on one node: the log buffer, the position counters, the
/// segment files, and the three roles that work on them.
///
/// ```swift
/// let log = try DurableLog.open(configuration, logger: logger)   // recovery runs here
/// let appender = log.appender                                     // order stage's thread
/// let writer = try log.makeWriter()                               // log stage's agent
/// let reader = log.makeReader()                                   // any thread, one per thread
/// ```
///
/// Threading contract:
/// - `open`, `addGating`, `addRetentionFloor`, `makeWriter` are set-up calls
///   (one thread, before the agents run).
/// - `appender`: single writer, the order stage's thread (a follower's
///   replicator on a Raft follower); `requestTruncation` is called on that
///   thread too.
/// - the writer agent owns `durable`, `written`, `start`, `truncationCompleted`.
/// - readers may be on any thread (one `LogReader` per thread); they read
///   positions with acquire ordering.
/// - `isTruncationComplete` and the position getters: any thread.
/// The log must outlive the appender, the writer and every reader.
///
/// Invariant: `start <= durable <= written <= appended`, except while a
/// truncation is pending (`requestTruncation` lowered `appended` to `p`, the
/// writer has not cut the files yet): then `written` and `durable` may still
/// be above `p` and count bytes of the discarded suffix. The writer lowers
/// them to at most `p` before it publishes the completion.
public final class DurableLog: @unchecked Sendable {
    public let configuration: LogConfiguration
    public let buffer: LogBuffer
    public let counters: LogCounters
    public let layout: SegmentLayout
    public let recovery: LogRecoveryReport
    /// Where the segments, checkpoint and metadata live (called per segment
    /// opened, per chunk read back, per checkpoint: never per message).
    public let fileSystem: any LogFileSystem
    public let appender: LogAppender
    let metadata: LogMetadata
    let checkpointSequence: UInt64
    let logger: Logger
    private var writerCreated = false

    /// Opens (or creates) the log in `configuration.directory` on `fileSystem`,
    /// running recovery. `allocateCounter`, when given, places the log's
    /// position counters (the caller's counters file, for example); by default
    /// the log keeps its own.
    public static func open<Files: LogFileSystem>(
        _ configuration: LogConfiguration, fileSystem: Files = SystemFileSystem(), logger: Logger = Logger(label: "baton.log"),
        allocateCounter: ((String) -> PositionCounter)? = nil
    ) throws(LogError) -> DurableLog {
        try configuration.validate()
        let outcome = try LogRecovery.recover(configuration: configuration, fileSystem: fileSystem, logger: logger)
        return try DurableLog(configuration: configuration, outcome: outcome, fileSystem: fileSystem, logger: logger,
                              allocateCounter: allocateCounter)
    }

    private init(configuration: LogConfiguration, outcome: LogRecovery.Outcome, fileSystem: any LogFileSystem, logger: Logger,
                 allocateCounter: ((String) -> PositionCounter)?) throws(LogError) {
        self.configuration = configuration
        self.fileSystem = fileSystem
        self.logger = logger
        recovery = outcome.report
        metadata = outcome.metadata
        checkpointSequence = outcome.checkpointSequence
        layout = SegmentLayout(directory: configuration.directory, segmentBytes: configuration.segmentBytes)
        buffer = try LogBuffer(capacity: configuration.bufferBytes, numaNode: configuration.numaNode)
        counters = LogCounters(logId: configuration.logId, allocate: allocateCounter)
        let end = outcome.report.endPosition
        counters.appended.setPlain(end)
        counters.durable.setPlain(end)
        counters.written.setPlain(end)
        counters.start.setPlain(outcome.report.startPosition)
        // Truncation generations count from 0 in every life of the log (the
        // counters may live in a file that outlived the previous one); no
        // truncation position yet (-1).
        counters.truncationPosition.setPlain(-1)
        counters.truncationRequested.setPlain(0)
        counters.truncationCompleted.setPlain(0)
        appender = LogAppender(buffer: buffer, counters: counters, boundaryBytes: configuration.boundaryBytes,
                               maximumFrameLength: configuration.maximumFrameLength, tail: end)
        try loadTail(end: end, start: outcome.report.startPosition)
    }

    /// Loads `[max(start, end - bufferBytes), end)` from the segments into the
    /// log buffer, so the buffer mirrors the files (for retransmission from memory).
    private func loadTail(end: Int64, start: Int64) throws(LogError) {
        var position = max(start, end - Int64(buffer.capacity))
        while position < end {
            let segmentEnd = layout.base(of: position) + layout.segmentBytes
            let bufferOffset = Int(position & Int64(buffer.mask))
            let length = Int(min(end, segmentEnd, position + Int64(buffer.capacity - bufferOffset)) - position)
            let path = layout.path(ofSegmentHolding: position)
            let fd = try fileSystem.openReadOnly(path)
            defer { fileSystem.close(fd) }
            let read = try fileSystem.readFully(fd, buffer.base + bufferOffset, length, at: layout.offset(of: position), path: path)
            if read != length { throw .io(operation: "read \(length) bytes (got \(read))", path: path, errno: EIO) }
            position += Int64(length)
        }
    }

    // MARK: - Positions (acquire loads; any thread)

    public var appendedPosition: Int64 { counters.appended.getAcquire() }
    public var durablePosition: Int64 { counters.durable.getAcquire() }
    public var writtenPosition: Int64 { counters.written.getAcquire() }
    public var startPosition: Int64 { counters.start.getAcquire() }

    // MARK: - Set-up

    /// Adds a position that gates buffer reuse (transmit, in-memory subscribers). Set-up only.
    public func addGating(_ counter: PositionCounter) { counters.addGating(counter) }

    /// Adds a position below which retention may delete (a replica's or
    /// subscriber's need). Set-up only.
    public func addRetentionFloor(_ counter: PositionCounter) { counters.addRetentionFloor(counter) }

    /// The writer agent over the given storage and clock (tests inject both).
    public func makeWriter<Storage: LogStorage, Clock: NanoClock>(storage: Storage, clock: Clock) throws(LogError) -> LogWriter<Storage, Clock> {
        precondition(!writerCreated, "a log has exactly one writer")
        writerCreated = true
        let table = SegmentTable(layout: layout, fileSystem: fileSystem)
        return try LogWriter(configuration: configuration, buffer: buffer, counters: counters, segments: table,
                             recovered: recovery, checkpointSequence: checkpointSequence,
                             storage: storage, clock: clock, logger: logger)
    }

    /// The production writer: io_uring, or the pwrite fallback with one log line.
    public func makeWriter() throws(LogError) -> LogWriter<SystemStorage, SystemClock> {
        let storage = SystemStorage(configuration: configuration, buffer: buffer, logger: logger)
        return try makeWriter(storage: storage, clock: SystemClock())
    }

    /// A reader for one thread.
    public func makeReader() -> LogReader { LogReader(log: self) }
}
