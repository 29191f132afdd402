#if canImport(Glibc)
import Glibc
#endif

/// Zero-ahead: the writer writes zeros a little ahead of the data, so the
/// segment's extents are allocated *and written* before a batch lands there.
///
/// Why: segments are reserved with `posix_fallocate`, which on ext4 leaves
/// *unwritten* extents. The first write into one converts it, and the
/// batch's `fdatasync` then has to commit that metadata in the journal — the
/// cost of an appending sync, not of an overwriting one. Measured on this
/// machine (`disk_fsync lat` / `latover` in `../shared/limits`, and a 700-byte
/// write + fdatasync loop, `Benchmarks/disk/zero-ahead.c`): p90 ~200 µs into fallocated space vs ~110 µs into
/// written space, p99 ~280 vs ~190 µs. The zero pages also leave the page
/// cache holding the next pages, so the data write copies into existing
/// pages instead of allocating fresh ones on the critical path.
///
/// How: at most one zero write is in flight, `zeroChunkBytes` long,
/// starting at `max(zeroedEnd, appended rounded up to a page)` while that is
/// less than `zeroAheadBytes` past `submitted`, inside one open segment (the
/// next segment is opened half-way through the current one). It is not
/// synced by itself: the next batch's `fdatasync` carries it.
///
/// Safety: zeros only ever land at or past `appended` when issued (so past
/// `submitted`: the bytes below it are the log), and no batch is cut into a zero write in flight
/// (`submitBatches` caps a batch at `zeroInFlightStart`), so data written
/// there always lands after the zeros. A failed zero write is skipped (a
/// zero-ahead is a hint to the file system; the data's own write and sync
/// report any real disk error). A truncation waits for the zero write in
/// flight like for any other operation. Recovery is unaffected: zeros are
/// no frame, and they never cover a byte of the log.
///
/// Threading: the writer agent's thread.
extension LogWriter {
    /// Prepares the next zero-ahead write when the window has room. Returns 1 when it did.
    func submitZeroAhead() -> Int {
        // Room for a whole batch and a checkpoint stays: zero-ahead never delays data.
        guard zeroInFlightStart < 0, storage.submissionSpace >= queue.operationsPerBatch + 3 else { return 0 }
        // From the appended end on, not the submitted one: bytes appended and not yet submitted go
        // out in the next batch, which would otherwise wait for these zeros.
        let from = max(zeroedEnd, (counters.appended.getAcquire() &+ 4095) & ~4095)
        guard from < submitted &+ zeroAheadBytes else { return 0 }
        let segmentBase = layout.base(of: from)
        let fd = segments.fd(base: segmentBase)
        // The next segment is not open yet (it is opened half-way through the current one).
        guard fd >= 0 else { return 0 }
        let to = min(from &+ zeroChunkBytes, segmentBase &+ segmentBytes)
        zeroInFlightStart = from
        zeroInFlightEnd = to
        storage.prepareWrite(fd: fd, address: UnsafeRawPointer(zeros), length: Int(to &- from), fileOffset: layout.offset(of: from),
                             userData: OperationTag.make(kind: OperationTag.zeroAheadKind, slot: 0, index: 0), linkNext: false)
        prepared &+= 1
        return 1
    }

    func complete(zeroAheadWrite completion: StorageCompletion) {
        precondition(zeroInFlightStart >= 0, "log writer: a zero-ahead completion with none in flight")
        if completion.result >= 0 && Int64(completion.result) == zeroInFlightEnd &- zeroInFlightStart {
            zeroAheadWrites &+= 1
        } else {
            // Skipped, not retried: the range is only a hint (see above).
            zeroAheadFailures &+= 1
        }
        zeroedEnd = max(zeroedEnd, zeroInFlightEnd)
        zeroInFlightStart = -1
        zeroInFlightEnd = -1
    }
}
