import BatonCodec

/// When an appended frame counts as durable (`durablePosition` passes it).
public enum DurabilityPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Group commit: every write batch is followed by a linked `fdatasync`;
    /// `durablePosition` advances when the sync completes.
    case batch
    /// Writes are submitted as soon as frames are appended; an `fdatasync`
    /// runs every `milliseconds`, and `durablePosition` advances to what it covered.
    case interval(milliseconds: Int)
    /// No sync at all: `durablePosition` advances when a write completes
    /// (the data is in the page cache; survives a process crash, not a power loss).
    case none

    /// Parses `batch`, `none`, `interval:MS` (the CLI spelling).
    public init?(parsing text: String) {
        if text == "batch" { self = .batch; return }
        if text == "none" { self = .none; return }
        if text.hasPrefix("interval:"), let ms = Int(text.dropFirst("interval:".count)), ms > 0 {
            self = .interval(milliseconds: ms); return
        }
        return nil
    }

    public var description: String {
        switch self {
        case .batch: return "batch"
        case .none: return "none"
        case let .interval(ms): return "interval:\(ms)"
        }
    }
}

/// Which storage backend the writer uses.
public enum LogIOBackend: Sendable, Equatable {
    /// io_uring; falls back to pwrite (with one log line) when setup fails.
    case automatic
    /// pwrite + fdatasync, always (also what tests use to force the fallback).
    case pwrite
}

/// io_uring options. Each is off by default; turn one on where it measurably helps.
public struct URingOptions: Sendable, Equatable {
    /// A kernel thread polls the submission queue (no `io_uring_enter` per
    /// batch) at the price of a spinning kernel thread; it sleeps after
    /// `sqPollIdleMilliseconds` without work.
    public var sqPoll: Bool = false
    public var sqPollIdleMilliseconds: UInt32 = 50
    /// Registers the log buffer as one fixed buffer (`IORING_OP_WRITE_FIXED`):
    /// saves pinning the pages on every write.
    public var registerBuffer: Bool = false
    public init() {}
}

/// Whole-segment retention. A segment is deleted only when every limit that
/// is set says so *and* it lies wholly below the retention floor (see
/// `DurableLog.addRetentionFloor`) and below `durablePosition`; the active
/// segment is never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Delete the oldest segments while the log's segment files total more than this.
    public var maximumBytes: Int64?
    /// Delete segments whose newest frame is older than this (by the writer's clock).
    public var maximumAgeNanos: Int64?
    /// How often the writer agent checks.
    public var checkIntervalNanos: Int64 = 1_000_000_000

    public init(maximumBytes: Int64? = nil, maximumAgeNanos: Int64? = nil) {
        self.maximumBytes = maximumBytes
        self.maximumAgeNanos = maximumAgeNanos
    }
    public static let keepEverything = RetentionPolicy()
}

/// Everything a `DurableLog` needs to open. All sizes in bytes.
///
/// Rules checked by `validate()` (and so at open): `segmentBytes` and
/// `bufferBytes` are powers of two, `bufferBytes` at least a page, a frame of
/// `maximumFrameLength` fits in min(bufferBytes, segmentBytes) twice, and
/// `maxInFlightBytes` fits in the buffer.
public struct LogConfiguration: Sendable {
    /// The data directory; must exist and be writable.
    public var directory: String
    public var logId: LogId = .main
    /// Size of each segment file (power of two). Default 1 GiB.
    public var segmentBytes: Int = 1 << 30
    /// Size of the in-memory log buffer (power of two). Default 64 MiB.
    public var bufferBytes: Int = 64 << 20
    /// Bind the log buffer's pages to this NUMA node (`mbind`), or nil.
    public var numaNode: Int? = nil
    public var durability: DurabilityPolicy = .batch
    public var ioBackend: LogIOBackend = .automatic
    public var uring = URingOptions()
    /// Submission queue entries of the io_uring (power of two).
    public var queueDepth: Int = 64
    /// The largest single write (one SQE / one pwrite).
    public var maximumWriteBytes: Int = 1 << 20
    /// The most bytes one batch (writes + its sync) covers.
    public var maximumBatchBytes: Int = 4 << 20
    /// Write batches in flight at once (pipelining of group commits).
    public var maximumBatchesInFlight: Int = 2
    /// Zero-ahead: the writer keeps up to this many bytes past what it has
    /// submitted already written (with zeros, `zeroChunkBytes` per write),
    /// so a batch's `fdatasync` finds allocated, written extents and page-cache
    /// pages instead of converting fallocated (unwritten) extents in the
    /// journal — measured, that halves the sync's p90 and cuts its p99 by a
    /// third on this machine's ext4 (docs/ARCHITECTURE.md, "zero-ahead").
    /// 0 turns it off. The zeros only ever land past `submitted`, so they
    /// never touch the log's contents; they are a hint to the file system.
    public var zeroAheadBytes: Int = 4 << 20
    /// One zero-ahead write (a multiple of 4096).
    public var zeroChunkBytes: Int = 256 << 10
    /// The writer never has more than this many bytes submitted but not yet
    /// durable. Recovery depends on it (see `LogRecovery`); it is recorded in
    /// the log's metadata so recovery uses the value that was in force.
    /// Unless set, 16 MiB or half the log buffer, whichever is smaller, so a
    /// smaller buffer never needs a second setting to stay valid.
    public var maxInFlightBytes: Int {
        get { maxInFlightBytesSetting ?? min(16 << 20, bufferBytes / 2) }
        set { maxInFlightBytesSetting = newValue }
    }
    private var maxInFlightBytesSetting: Int?
    /// Largest frame (header + payload) the appender accepts and recovery believes.
    public var maximumFrameLength: Int = 1 << 20
    /// How often the writer records a checkpoint (also at every segment roll).
    public var checkpointIntervalNanos: Int64 = 200_000_000
    /// After an I/O error the writer retries the failed batch after this long.
    public var retryDelayNanos: Int64 = 100_000_000
    public var retention: RetentionPolicy = .keepEverything
    /// A replicated member's log: recovery checks every frame from the log's
    /// start, and a frame that fails its check where the log was durable
    /// (a corrupted byte) is cut with everything after it instead of refusing
    /// to open — the chain sends those bytes again (`LogRecoveryReport.repairedPosition`).
    /// A single node keeps `false`: its log is the only copy, so it refuses to open.
    public var repairsFromReplicas: Bool = false

    public init(directory: String) { self.directory = directory }

    /// The unit no frame may cross: min(bufferBytes, segmentBytes).
    public var boundaryBytes: Int { min(bufferBytes, segmentBytes) }

    /// Checks the rules above; throws `LogError.invalidConfiguration` naming the key.
    public func validate() throws(LogError) {
        func fail(_ key: String, _ why: String) -> LogError { .invalidConfiguration(key: key, reason: why) }
        if segmentBytes <= 0 || segmentBytes & (segmentBytes - 1) != 0 { throw fail("segmentBytes", "\(segmentBytes) is not a power of two") }
        if bufferBytes <= 0 || bufferBytes & (bufferBytes - 1) != 0 { throw fail("bufferBytes", "\(bufferBytes) is not a power of two") }
        if bufferBytes < 4096 { throw fail("bufferBytes", "\(bufferBytes) is below one page (4096)") }
        if segmentBytes < 4096 { throw fail("segmentBytes", "\(segmentBytes) is below one page (4096)") }
        if maximumFrameLength < FrameDescriptor.headerLength || maximumFrameLength > FrameDescriptor.maximumFrameLength {
            throw fail("maximumFrameLength", "\(maximumFrameLength) is outside [\(FrameDescriptor.headerLength), \(FrameDescriptor.maximumFrameLength)]")
        }
        if FrameDescriptor.aligned(maximumFrameLength) * 2 > boundaryBytes {
            throw fail("maximumFrameLength", "\(maximumFrameLength) must fit twice in min(bufferBytes, segmentBytes) = \(boundaryBytes)")
        }
        if maxInFlightBytes < FrameDescriptor.aligned(maximumFrameLength) || maxInFlightBytes > bufferBytes {
            throw fail("maxInFlightBytes", "\(maxInFlightBytes) must be in [maximumFrameLength aligned, bufferBytes]")
        }
        if queueDepth < 8 || queueDepth > 4096 || queueDepth & (queueDepth - 1) != 0 {
            throw fail("queueDepth", "\(queueDepth) must be a power of two in [8, 4096]")
        }
        if maximumWriteBytes < 4096 { throw fail("maximumWriteBytes", "\(maximumWriteBytes) is below 4096") }
        if maximumBatchBytes < maximumWriteBytes { throw fail("maximumBatchBytes", "must be at least maximumWriteBytes") }
        if maximumBatchBytes < FrameDescriptor.aligned(maximumFrameLength) {
            throw fail("maximumBatchBytes", "must hold the largest frame (\(maximumFrameLength) bytes)")
        }
        if zeroAheadBytes < 0 { throw fail("zeroAheadBytes", "\(zeroAheadBytes) is negative (0 turns zero-ahead off)") }
        if zeroChunkBytes < 4096 || zeroChunkBytes % 4096 != 0 || zeroChunkBytes > 16 << 20 {
            throw fail("zeroChunkBytes", "\(zeroChunkBytes) must be a multiple of 4096 in [4096, 16 MiB]")
        }
        if maximumBatchesInFlight < 1 || maximumBatchesInFlight > 64 { throw fail("maximumBatchesInFlight", "\(maximumBatchesInFlight) must be in [1, 64]") }
        if case let .interval(ms) = durability, ms <= 0 { throw fail("durability", "interval must be positive") }
        if maxInFlightBytes / segmentBytes + 3 > SegmentTable.slots {
            throw fail("maxInFlightBytes", "\(maxInFlightBytes) spans more than \(SegmentTable.slots - 3) segments of \(segmentBytes) bytes")
        }
        // Each batch needs its writes (one per maximumWriteBytes, plus splits at
        // buffer wraps and segment ends) and up to two syncs in the ring at once.
        let opsPerBatch = LogWriterLimits.operationsPerBatch(self)
        if opsPerBatch * maximumBatchesInFlight + 4 > queueDepth {
            throw fail("queueDepth", "\(queueDepth) is too small for \(maximumBatchesInFlight) batches of \(maximumBatchBytes / maximumWriteBytes) writes (needs \(opsPerBatch * maximumBatchesInFlight + 4))")
        }
    }
}
