import BatonAgent
import BatonCodec
import BatonRing
import BatonTime
import CBatonSys
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The log stage: an `Agent` that writes `[submitted, appended)` from the log
/// buffer to the segment files and advances `durablePosition`.
///
/// Each duty cycle:
/// 1. reaps completions; a short write or a cancelled operation makes its
///    batch rewrite the rest at once; an error completion (EIO, ENOSPC, a
///    failed fdatasync) is reported (thrown from `doWork`, once) and the
///    batch is rewritten from its first unconfirmed byte after
///    `retryDelayNanos` — the bytes are still in the log buffer, because
///    `durable` gates its reuse, so nothing is lost;
/// 2. advances `written`/`durable` over the completed prefix of the batch
///    queue (batches complete out of order, durability never does);
/// 3. cuts new batches: `[submitted, min(appended, submitted + maximumBatchBytes,
///    segment end, durable + maxInFlightBytes))` (cut back to a frame
///    boundary when a limit binds), split into writes at the
///    buffer wrap and every `maximumWriteBytes`, linked in a chain, with a
///    linked `fdatasync` when the policy is `batch` (group commit: whatever
///    accumulated while the previous sync ran goes in one batch) or the
///    batch ends a segment (policy `interval`);
/// 4. policy `interval`: every N ms an `fdatasync` of the current segment,
///    covering what had completed;
/// 5. a checkpoint (write + linked fdatasync of the checkpoint file) at
///    segment rolls and every `checkpointIntervalNanos`; retention checks;
/// 6. one `submit()` for everything prepared.
///
/// While a truncation is pending (`truncationRequested` above the generation
/// this agent last handled, see `DurableLog.requestTruncation`), steps 3–5
/// are skipped: the agent only reaps and rewrites what is in flight. Once
/// nothing is (no batch, no checkpoint operation), it cuts the log at the
/// truncation position `p` in one duty cycle, synchronously on its own
/// thread — acceptable because truncation is rare (a Raft follower at a
/// leader change) and bounded (at most the discarded suffix is zeroed):
/// the checkpoint goes down to `p` (if it was above), zeros are written
/// over `[p, submitted)` in the segment files from the top down, synced at
/// least every `maxInFlightBytes` and before each lower segment, then
/// `submitted`, `written` and `durable` become `min(value, p)` and
/// `truncationCompleted` is published. An I/O error is reported like any
/// other (a log line, thrown once from `doWork`) and the whole cut is done
/// again after `retryDelayNanos`; the completion waits for it. Writing then
/// goes on from `p` (`[p, appended)` again, from the log buffer).
///
/// Why that order: a crash at any moment of a cut leaves a log recovery
/// opens without refusal. The checkpoint is never above the zeros (it goes
/// down first); the zeros above any surviving old frame are synced, and at
/// most `maxInFlightBytes` of old frames may lie between the first invalid
/// one and synced zeros, so no valid frame follows the first invalid one by
/// `maxInFlightBytes` or more (recovery's proof that it was durable). A cut
/// that did not complete may leave a prefix of the old suffix, never a frame
/// that was not in it.
///
/// Invariants: `durable <= written <= submitted <= appended`, except that
/// `appended` may be below `submitted` while a truncation is pending;
/// `submitted - durable <= maxInFlightBytes` (recovery relies on it);
/// a batch never spans two segments.
///
/// Threading: the agent (every method) runs on one thread, the log stage's.
/// It owns `written`, `durable`, `start` and `truncationCompleted`, publishing
/// them with release stores; it reads `appended`, `truncationRequested` and
/// `truncationPosition` with acquire.
public final class LogWriter<Storage: LogStorage, Clock: NanoClock>: Agent {
    public let roleName = "log"
    public let storage: Storage
    let clock: Clock
    let logger: Logger
    let buffer: LogBuffer
    let counters: LogCounters
    let segments: SegmentTable
    let layout: SegmentLayout
    let directory: String

    // Constants from the configuration.
    let policy: DurabilityPolicy
    let syncIntervalNanos: Int64
    let maximumWriteBytes: Int64
    let maximumBatchBytes: Int64
    let maxInFlightBytes: Int64
    let segmentBytes: Int64
    let checkpointIntervalNanos: Int64
    let retryDelayNanos: Int64
    let retention: RetentionPolicy

    // State (owned by the agent's thread).
    var queue: WriteBatchQueue
    var submitted: Int64
    var written: Int64
    var durable: Int64
    var highestSegmentBase: Int64
    var retryAtNanos: Int64 = 0
    var nextSyncAtNanos: Int64 = 0
    var syncInFlight = false
    var pendingError: LogError?
    /// Operations prepared since the last successful submit.
    var prepared = 0

    // Checkpoint.
    let checkpointFd: Int32
    let checkpointPage: UnsafeMutableRawPointer
    var checkpointSequence: UInt64
    var checkpointedPosition: Int64
    var checkpointInFlightPosition: Int64 = -1
    var checkpointPendingOps = 0
    var checkpointFailed = false
    var nextCheckpointAtNanos: Int64 = 0
    var rolledSinceCheckpoint = false
    var nextRetentionAtNanos: Int64 = 0

    /// Statistics (plain; read on the agent's thread or approximately elsewhere).
    public private(set) var batchesCompleted: Int64 = 0
    public private(set) var shortWrites: Int64 = 0
    public private(set) var errorsReported: Int64 = 0
    public private(set) var segmentsDeleted: Int64 = 0
    public internal(set) var truncationsCompleted: Int64 = 0

    // Truncation.
    /// Generation of the last truncation request this agent completed.
    var truncationHandled: Int64 = 0
    /// Zeros written over a truncated suffix (`zeroBytes` at a time) and ahead
    /// of `submitted` (`zeroChunkBytes` at a time); allocated at start, the
    /// larger of the two long.
    let zeros: UnsafeMutableRawPointer
    let zeroBytes: Int

    // Zero-ahead (`LogWriter+ZeroAhead.swift`).
    let zeroAheadBytes: Int64
    let zeroChunkBytes: Int64
    /// Every segment byte in `[submitted, zeroedEnd)` has been written (zeros
    /// or data) since the writer started; only grows.
    var zeroedEnd: Int64
    /// The zero write in flight, `[zeroInFlightStart, zeroInFlightEnd)`, or -1.
    /// No batch reaches into it (`submitBatches` caps at its start).
    var zeroInFlightStart: Int64 = -1
    var zeroInFlightEnd: Int64 = -1
    /// Zero-ahead writes completed, and those that failed (the range is skipped).
    public internal(set) var zeroAheadWrites: Int64 = 0
    public internal(set) var zeroAheadFailures: Int64 = 0

    init(configuration: LogConfiguration, buffer: LogBuffer, counters: LogCounters, segments: SegmentTable,
         recovered: LogRecoveryReport, checkpointSequence: UInt64, storage: Storage, clock: Clock, logger: Logger) throws(LogError) {
        self.storage = storage
        self.clock = clock
        self.logger = logger
        self.buffer = buffer
        self.counters = counters
        self.segments = segments
        self.layout = segments.layout
        self.directory = configuration.directory
        policy = configuration.durability
        if case let .interval(ms) = configuration.durability { syncIntervalNanos = Int64(ms) * 1_000_000 } else { syncIntervalNanos = 0 }
        maximumWriteBytes = Int64(configuration.maximumWriteBytes)
        maximumBatchBytes = Int64(configuration.maximumBatchBytes)
        maxInFlightBytes = Int64(configuration.maxInFlightBytes)
        segmentBytes = Int64(configuration.segmentBytes)
        checkpointIntervalNanos = configuration.checkpointIntervalNanos
        retryDelayNanos = configuration.retryDelayNanos
        retention = configuration.retention
        queue = WriteBatchQueue(capacity: configuration.maximumBatchesInFlight + 1,
                                operationsPerBatch: LogWriterLimits.operationsPerBatch(configuration))
        submitted = recovered.endPosition
        written = recovered.endPosition
        durable = recovered.endPosition
        highestSegmentBase = recovered.highestSegmentBase
        self.checkpointSequence = checkpointSequence
        checkpointedPosition = recovered.endPosition
        let path = CheckpointFile.path(in: configuration.directory)
        checkpointFd = try segments.fileSystem.openReadWrite(path, create: false)
        checkpointPage = .allocate(byteCount: CheckpointFile.fileBytes, alignment: 4096)
        checkpointPage.initializeMemory(as: UInt8.self, repeating: 0, count: CheckpointFile.fileBytes)
        zeroBytes = min(LogWriterLimits.truncationZeroBytes, configuration.maxInFlightBytes)
        zeroAheadBytes = Int64(configuration.zeroAheadBytes)
        zeroChunkBytes = Int64(configuration.zeroChunkBytes)
        zeroedEnd = recovered.endPosition
        let zerosLength = max(zeroBytes, zeroAheadBytes > 0 ? configuration.zeroChunkBytes : 0)
        zeros = .allocate(byteCount: zerosLength, alignment: 4096)
        zeros.initializeMemory(as: UInt8.self, repeating: 0, count: zerosLength)
    }

    deinit {
        storage.close()
        segments.fileSystem.close(checkpointFd)
        checkpointPage.deallocate()
        zeros.deallocate()
    }

    /// Positions as this agent last published them.
    public var durablePosition: Int64 { durable }
    public var writtenPosition: Int64 { written }
    public var submittedPosition: Int64 { submitted }
    /// True when nothing is in flight, no truncation is pending and everything appended is durable.
    public var isIdle: Bool {
        queue.isEmpty && checkpointPendingOps == 0 && zeroInFlightStart < 0 && counters.truncationRequested.getAcquire() == truncationHandled
            && submitted == counters.appended.getAcquire() && durable == submitted
    }

    /// True while operations are in flight (batches, a checkpoint, a zero-ahead write).
    public var hasOperationsInFlight: Bool { !queue.isEmpty || checkpointPendingOps > 0 || zeroInFlightStart >= 0 }

    /// For idle strategies: blocks until an I/O completion is ready or
    /// `timeoutNanos` pass, if anything is in flight; returns at once otherwise.
    /// Not part of the duty cycle (which never blocks).
    public func awaitCompletion(timeoutNanos: Int64) {
        if hasOperationsInFlight { storage.waitForCompletion(timeoutNanos: timeoutNanos) }
    }

    public func onStart() throws {
        // The segment the next write goes to is opened now, on set-up: opening
        // one formats its path (allocates), which a duty cycle must not do —
        // a follower's first bytes may arrive long after the start.
        let base = layout.base(of: submitted)
        if segments.fd(base: base) < 0 {
            _ = try segments.openOrCreate(base: base) { storage.preallocate(fd: $0, length: $1) }
            highestSegmentBase = max(highestSegmentBase, base)
        }
        let now = clock.monotonicNanos()
        nextCheckpointAtNanos = now &+ checkpointIntervalNanos
        nextSyncAtNanos = now &+ syncIntervalNanos
        nextRetentionAtNanos = now
    }

    public func doWork() throws -> Int {
        defer { assertInvariants() }
        var work = reapCompletions()
        work &+= advance()
        let now = clock.monotonicNanos()
        work &+= reissueFailed(now: now)
        let truncationRequested = counters.truncationRequested.getAcquire()
        if truncationRequested > truncationHandled {
            // Nothing new is cut until the log is cut: see `truncate(generation:now:)`.
            work &+= truncate(generation: truncationRequested, now: now)
        } else {
            work &+= submitBatches(now: now)
            if zeroAheadBytes > 0 { work &+= submitZeroAhead() }
            if syncIntervalNanos > 0 { work &+= submitIntervalSync(now: now) }
            work &+= submitCheckpoint(now: now)
            if now >= nextRetentionAtNanos { work &+= enforceRetention(now: now) }
        }
        if prepared > 0 {
            let submittedCount = try storage.submit()
            if submittedCount > 0 { prepared = 0 }
        }
        if let error = pendingError {
            pendingError = nil
            errorsReported &+= 1
            throw error
        }
        return work
    }

    /// The position chain, checked after every duty cycle in debug builds:
    /// `durable <= written <= submitted <= appended` (the last only when no
    /// truncation is pending) and at most `maxInFlightBytes` submitted and not
    /// yet durable (recovery relies on it).
    func assertInvariants() {
        assert(durable <= written && written <= submitted, "log positions out of order: durable \(durable), written \(written), submitted \(submitted)")
        if counters.truncationRequested.getAcquire() == truncationHandled {
            let appended = counters.appended.getAcquire()
            // Loaded after `appended`: the appender stores a truncation's position before it lowers
            // `appended` and its generation after, so between those two stores (a moment no load
            // order can see as pending) the position shows the truncation. Once a log has been
            // truncated this half of the check is weaker (`appended` stays at or above the last
            // truncation position), never wrong.
            let truncatedAt = counters.truncationPosition.getAcquire()
            assert(submitted <= appended || (truncatedAt >= 0 && truncatedAt <= appended),
                   "submitted \(submitted) past appended \(appended) with no truncation pending")
        }
        assert(submitted &- durable <= maxInFlightBytes, "\(submitted &- durable) bytes in flight, more than \(maxInFlightBytes)")
        assert(zeroInFlightStart < 0 || zeroInFlightStart >= submitted,
               "a zero-ahead write in flight at \(zeroInFlightStart), below submitted \(submitted)")
        assert(counters.durable.getPlain() == durable && counters.written.getPlain() == written,
               "published durable \(counters.durable.getPlain()) / written \(counters.written.getPlain()) differ from the writer's \(durable) / \(written)")
    }

    /// Waits (spinning on `doWork`, bounded by `timeoutNanos`) until nothing is
    /// in flight, then writes a final checkpoint synchronously.
    public func onClose() {
        let deadline = clock.monotonicNanos() &+ 5_000_000_000
        while !(queue.isEmpty && checkpointPendingOps == 0 && zeroInFlightStart < 0) && clock.monotonicNanos() < deadline {
            _ = reapCompletions()
            _ = advance()
            if prepared > 0, let n = try? storage.submit(), n > 0 { prepared = 0 }
        }
        // A pending truncation may have zeroed part of what `durable` still counts: never checkpoint past it.
        let truncationPending = counters.truncationRequested.getAcquire() > truncationHandled
        let final = truncationPending ? min(durable, counters.truncationPosition.getAcquire()) : durable
        if final > checkpointedPosition && checkpointPendingOps == 0 {
            checkpointSequence &+= 1
            do {
                try CheckpointFile.writeSynchronously(directory: directory, sequence: checkpointSequence, position: final,
                                                         fileSystem: segments.fileSystem)
                checkpointedPosition = final
            } catch {
                logger.error("log writer: final checkpoint failed: \(error)")
            }
        }
        storage.close()
        segments.closeAll()
    }

    // MARK: - Completions

    private func reapCompletions() -> Int {
        var reaped = 0
        while let completion = storage.nextCompletion() {
            reaped &+= 1
            switch OperationTag.kind(completion.userData) {
            case OperationTag.batchKind: complete(batchOperation: completion)
            case OperationTag.checkpointKind: complete(checkpointOperation: completion)
            case OperationTag.zeroAheadKind: complete(zeroAheadWrite: completion)
            default: preconditionFailure("log writer: completion with unknown tag \(completion.userData)")
            }
        }
        return reaped
    }

    private func complete(batchOperation completion: StorageCompletion) {
        let slot = OperationTag.slot(completion.userData)
        let operation = queue.operation(slot: slot, index: OperationTag.index(completion.userData)).pointee
        let batch = queue.batches + slot
        precondition(batch.pointee.pending > 0, "completion for a batch with nothing pending")
        batch.pointee.pending -= 1
        let result = completion.result
        if result == -ECANCELED {
            // Cut off by an earlier failure in its chain: redo it (a cancelled
            // sync alone means only the sync is redone).
            batch.pointee.resumeAt = min(batch.pointee.resumeAt, operation.isSync ? batch.pointee.end : operation.position)
        } else if result < 0 {
            // A failed write or fdatasync: after a failed fdatasync the page
            // cache state is unknown, so the whole batch is written again.
            let from = operation.isSync ? batch.pointee.start : operation.position
            batch.pointee.resumeAt = min(batch.pointee.resumeAt, from)
            batch.pointee.failedErrno = -result
            report(errno: -result, position: from, operation: operation.isSync ? "fdatasync" : "write")
        } else if !operation.isSync && Int(result) < operation.length {
            shortWrites &+= 1
            batch.pointee.resumeAt = min(batch.pointee.resumeAt, operation.position &+ Int64(result))
        }
    }

    private func report(errno code: Int32, position: Int64, operation: String) {
        retryAtNanos = clock.monotonicNanos() &+ retryDelayNanos
        let path = layout.path(ofSegmentHolding: position)
        let error: LogError = code == ENOSPC ? .noSpace(path: path, position: position)
                                             : .io(operation: "\(operation) at log position \(position)", path: path, errno: code)
        logger.error("log writer: \(error); retrying in \(retryDelayNanos / 1_000_000) ms")
        if pendingError == nil { pendingError = error }
    }

    /// Pops the completed prefix of the queue; publishes `written` and `durable`.
    private func advance() -> Int {
        var popped = 0
        var newWritten = written
        var newDurable = durable
        while !queue.isEmpty {
            let batch = queue.batches[queue.slot(at: 0)]
            if batch.pending > 0 || batch.resumeAt != .max { break }
            if !batch.isSyncOnly { newWritten = batch.end }
            if batch.syncCoverEnd >= 0 { newDurable = max(newDurable, batch.syncCoverEnd) }
            if batch.isSyncOnly { syncInFlight = false }
            queue.popHead()
            popped &+= 1
        }
        if policy == .none { newDurable = newWritten }
        if popped == 0 { return 0 }
        batchesCompleted &+= Int64(popped)
        if newWritten != written {
            written = newWritten
            counters.written.setRelease(newWritten)
        }
        if newDurable != durable {
            if layout.base(of: newDurable &- 1) != layout.base(of: durable) || layout.offset(of: newDurable) == 0 {
                rolledSinceCheckpoint = true
                // Close segments no queued operation refers to any more (a
                // linked operation resolves its fd only when it is issued).
                let oldestQueued = queue.isEmpty ? Int64.max : queue.batches[queue.slot(at: 0)].segmentBase
                segments.closeBelow(min(layout.base(of: newDurable), oldestQueued))
            }
            durable = newDurable
            counters.durable.setRelease(newDurable)
        }
        return popped
    }

    // MARK: - Submission

    /// Rewrites batches that need it: at once after a short write or a
    /// cancellation, after the retry delay after an error.
    private func reissueFailed(now: Int64) -> Int {
        var reissued = 0
        for index in 0..<queue.count {
            let slot = queue.slot(at: index)
            let batch = queue.batches[slot]
            guard batch.pending == 0, batch.resumeAt != .max else { continue }
            if batch.failedErrno != 0 && now < retryAtNanos { continue }
            if storage.submissionSpace < queue.operationsPerBatch { break }
            queue.batches[slot].failedErrno = 0
            let from = max(batch.start, min(batch.resumeAt, batch.end))
            queue.batches[slot].resumeAt = .max
            issue(slot: slot, from: from)
            reissued &+= 1
        }
        return reissued
    }

    private func submitBatches(now: Int64) -> Int {
        var submittedBatches = 0
        let appended = counters.appended.getAcquire()
        while submitted < appended && !queue.isFull && now >= retryAtNanos {
            if storage.submissionSpace < queue.operationsPerBatch { break }
            // Keep one queue slot free for an interval sync.
            if syncIntervalNanos > 0 && queue.count == queue.capacity - 1 { break }
            let start = submitted
            let segmentBase = layout.base(of: start)
            let segmentEnd = segmentBase &+ segmentBytes
            var cap = min(start &+ maximumBatchBytes, durable &+ maxInFlightBytes)
            // Never into a zero-ahead write in flight: the zeros could land after the data.
            if zeroInFlightStart >= 0 { cap = min(cap, zeroInFlightStart) }
            var end = min(appended, segmentEnd)
            if cap < end { end = lastFrameBoundary(from: start, atOrBelow: cap) }
            if end <= start { break }
            if segments.fd(base: segmentBase) < 0 {
                do {
                    _ = try segments.openOrCreate(base: segmentBase) { storage.preallocate(fd: $0, length: $1) }
                    highestSegmentBase = max(highestSegmentBase, segmentBase)
                } catch {
                    fail(error)
                    break
                }
            }
            let syncs = policy == .batch || (syncIntervalNanos > 0 && end == segmentEnd)
            let slot = queue.push(WriteBatch(start: start, end: end, segmentBase: segmentBase,
                                             syncCoverEnd: syncs ? end : -1, pending: 0, resumeAt: .max, failedErrno: 0))
            issue(slot: slot, from: start)
            submitted = end
            submittedBatches &+= 1
        }
        if submittedBatches > 0 { prepareNextSegment() }
        return submittedBatches
    }

    /// The end of the last whole frame in `[start, cap]`, walking frame
    /// lengths in the log buffer (only when a batch limit cuts the appended
    /// range: every batch ends on a frame boundary, so `durable`, `written`
    /// and the checkpoint always name frame boundaries).
    ///
    /// The appender rewrites nothing past a truncation's position until this
    /// agent has completed it (`DurableLog.requestTruncation`'s contract), so
    /// the bytes walked are stable. A length that is not a frame is still
    /// tolerated while a truncation is pending — the walk stops there; those
    /// bytes are discarded by the truncation — and is a precondition failure
    /// otherwise.
    @inline(__always)
    private func lastFrameBoundary(from start: Int64, atOrBelow cap: Int64) -> Int64 {
        var position = start
        while true {
            let length = Int64(FrameDescriptor.aligned(FrameHeader(buffer.address(of: position)).frameLength))
            if length < Int64(FrameDescriptor.minimumFrameLength) {
                baton_fence_acquire()
                precondition(counters.truncationRequested.getAcquire() > truncationHandled, "log buffer: no frame at \(position)")
                return position
            }
            if position &+ length > cap { return position }
            position &+= length
        }
    }

    /// Creates the next segment once writing is past the middle of the current
    /// one, so a roll never waits for a file to be created.
    private func prepareNextSegment() {
        let currentBase = layout.base(of: submitted)
        let nextBase = currentBase &+ segmentBytes
        guard highestSegmentBase < nextBase, layout.offset(of: submitted) >= segmentBytes / 2 else { return }
        do {
            _ = try segments.openOrCreate(base: nextBase) { storage.preallocate(fd: $0, length: $1) }
            highestSegmentBase = nextBase
        } catch {
            fail(error)
        }
    }

    func fail(_ error: LogError) {
        retryAtNanos = clock.monotonicNanos() &+ retryDelayNanos
        logger.error("log writer: \(error); retrying in \(retryDelayNanos / 1_000_000) ms")
        if pendingError == nil { pendingError = error }
    }

    /// Prepares the operations of batch `slot` from `from` to its end.
    private func issue(slot: Int, from: Int64) {
        let batch = queue.batches[slot]
        let fd = segments.fd(base: batch.segmentBase)
        precondition(fd >= 0, "segment \(batch.segmentBase) not open")
        let syncs = batch.syncCoverEnd >= 0
        let capacity = Int64(buffer.capacity)
        var position = from
        var count = 0
        while position < batch.end {
            let offsetInBuffer = position & Int64(buffer.mask)
            let length = min(batch.end &- position, maximumWriteBytes, capacity &- offsetInBuffer)
            queue.operation(slot: slot, index: count).pointee = WriteOperation(position: position, length: Int(length), isSync: false)
            let last = position &+ length == batch.end
            storage.prepareWrite(fd: fd, address: UnsafeRawPointer(buffer.base + Int(offsetInBuffer)), length: Int(length),
                                 fileOffset: layout.offset(of: position),
                                 userData: OperationTag.make(kind: OperationTag.batchKind, slot: slot, index: count),
                                 linkNext: !last || syncs)
            position &+= length
            count &+= 1
        }
        if syncs {
            queue.operation(slot: slot, index: count).pointee = WriteOperation(position: batch.start, length: 0, isSync: true)
            storage.prepareDataSync(fd: fd, userData: OperationTag.make(kind: OperationTag.batchKind, slot: slot, index: count),
                                    linkNext: false)
            count &+= 1
        }
        precondition(count <= queue.operationsPerBatch, "batch needs \(count) operations")
        prepared &+= count
        queue.batches[slot].pending = count
    }

    /// Policy `interval`: an fdatasync of the segment holding the last
    /// completed byte, covering everything completed so far (earlier segments
    /// were synced when their last batch ended them).
    private func submitIntervalSync(now: Int64) -> Int {
        guard now >= nextSyncAtNanos, !syncInFlight, written > durable, !queue.isFull,
              storage.submissionSpace >= 1 else { return 0 }
        nextSyncAtNanos = now &+ syncIntervalNanos
        let segmentBase = layout.base(of: written &- 1)
        guard segments.fd(base: segmentBase) >= 0 else { return 0 }
        let slot = queue.push(WriteBatch(start: written, end: written, segmentBase: segmentBase, syncCoverEnd: written,
                                         pending: 0, resumeAt: .max, failedErrno: 0))
        issue(slot: slot, from: written)
        syncInFlight = true
        return 1
    }

    // MARK: - Checkpoint

    private func submitCheckpoint(now: Int64) -> Int {
        guard checkpointPendingOps == 0, durable > checkpointedPosition,
              rolledSinceCheckpoint || now >= nextCheckpointAtNanos,
              !checkpointFailed || now >= retryAtNanos,
              storage.submissionSpace >= 2 else { return 0 }
        checkpointFailed = false
        rolledSinceCheckpoint = false
        nextCheckpointAtNanos = now &+ checkpointIntervalNanos
        checkpointSequence &+= 1
        let slotOffset = Int(checkpointSequence % 2) * CheckpointFile.slotStride
        CheckpointFile.encode(sequence: checkpointSequence, position: durable, into: checkpointPage + slotOffset)
        checkpointInFlightPosition = durable
        storage.prepareWrite(fd: checkpointFd, address: UnsafeRawPointer(checkpointPage + slotOffset),
                             length: CheckpointFile.recordBytes, fileOffset: Int64(slotOffset),
                             userData: OperationTag.make(kind: OperationTag.checkpointKind, slot: 0, index: 0), linkNext: true)
        storage.prepareDataSync(fd: checkpointFd, userData: OperationTag.make(kind: OperationTag.checkpointKind, slot: 0, index: 1),
                                linkNext: false)
        checkpointPendingOps = 2
        prepared &+= 2
        return 1
    }

    private func complete(checkpointOperation completion: StorageCompletion) {
        checkpointPendingOps -= 1
        let isWrite = OperationTag.index(completion.userData) == 0
        let failed = completion.result < 0 || (isWrite && Int(completion.result) != CheckpointFile.recordBytes)
        if failed {
            if !checkpointFailed && completion.result != -ECANCELED {
                let code = completion.result < 0 ? -completion.result : EIO
                let error = LogError.io(operation: isWrite ? "checkpoint write" : "checkpoint fdatasync",
                                        path: CheckpointFile.path(in: directory), errno: code)
                retryAtNanos = clock.monotonicNanos() &+ retryDelayNanos
                logger.error("log writer: \(error); retrying")
                if pendingError == nil { pendingError = error }
            }
            checkpointFailed = true
        }
        if checkpointPendingOps == 0 && !checkpointFailed {
            checkpointedPosition = checkpointInFlightPosition
        }
    }

    // MARK: - Retention

    /// Deletes whole segments from the start of the log while the retention
    /// policy asks for it, never a segment that reaches past the retention
    /// floor (min of the floors and `durable`) or the segment being written.
    private func enforceRetention(now: Int64) -> Int {
        nextRetentionAtNanos = now &+ retention.checkIntervalNanos
        guard retention.maximumBytes != nil || retention.maximumAgeNanos != nil else { return 0 }
        let floor = counters.retentionFloor()
        let activeBase = layout.base(of: submitted)
        var start = counters.start.getPlain()
        var deleted = 0
        while start &+ segmentBytes <= floor && start &+ segmentBytes <= activeBase {
            let totalBytes = highestSegmentBase &+ segmentBytes &- start
            var expired = false
            if let maximumBytes = retention.maximumBytes, totalBytes > maximumBytes { expired = true }
            if !expired, let maximumAge = retention.maximumAgeNanos {
                let path = layout.path(base: start)
                if let modified = try? segments.fileSystem.modificationNanos(path), clock.wallNanos() &- modified > maximumAge { expired = true }
            }
            if !expired { break }
            let path = layout.path(base: start)
            // Publish the new start first: a reader that sees the old start may
            // still find the file gone, and reports `belowStart` then.
            counters.start.setRelease(start &+ segmentBytes)
            do {
                try segments.fileSystem.remove(path)
            } catch {
                fail(error)
                break
            }
            logger.info("log retention: deleted segment \(path)")
            start &+= segmentBytes
            deleted &+= 1
        }
        segmentsDeleted &+= Int64(deleted)
        return deleted
    }
}
