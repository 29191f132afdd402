/// The writer's side of truncating a running log (see `LogWriter`'s doc
/// comment for the order of the steps and why a crash during a cut is safe).
/// Runs on the log stage's thread, in a duty cycle, synchronously: truncation
/// is rare (a Raft follower at a leader change), so its few `pwrite`s and
/// `fdatasync`s, a checkpoint write, and opening a segment that was closed
/// (which formats its path) are accepted off the per-message path.
extension LogWriter {
    /// Cuts the log at the newest truncation position once nothing is in
    /// flight, and publishes `generation` as completed. Returns 1 when it
    /// did (or tried) the cut, 0 while it waits.
    func truncate(generation: Int64, now: Int64) -> Int {
        guard queue.isEmpty, checkpointPendingOps == 0, zeroInFlightStart < 0, now >= retryAtNanos else { return 0 }
        // The appender stored the position before the generation: this is the generation's
        // position, or a newer request's, which is lower while this one is not completed.
        let position = counters.truncationPosition.getAcquire()
        let start = counters.start.getPlain()
        precondition(position >= start,
                     "log writer: truncation to \(position) below the log's start \(start) (a retention floor must hold every position a truncation may cut at)")
        precondition(written == submitted, "log writer: truncating with \(submitted - written) bytes unconfirmed")
        let end = max(submitted, position)
        // Nothing from `position` on is durable once the cut starts: the counter says so before
        // the first zero is written, so a cut that fails (or a crash) part-way never leaves it
        // claiming bytes already overwritten (the simulator, seed 3938 with failover: a disk full
        // during a rejoin's cut, then a crash, recovered less than the counter still said).
        if durable > position {
            durable = position
            counters.durable.setReleaseAllowingDecrease(durable)
        }
        do {
            try lowerCheckpoint(to: position)
            try zeroSegments(from: position, to: end)
        } catch {
            fail(error)
            return 1
        }
        submitted = min(submitted, position)
        written = min(written, position)
        durable = min(durable, position)
        counters.written.setReleaseAllowingDecrease(written)
        counters.durable.setReleaseAllowingDecrease(durable)
        truncationHandled = generation
        truncationsCompleted &+= 1
        counters.truncationCompleted.setRelease(generation)
        logger.info("log writer: truncated the log at \(position) (generation \(generation)); zeroed \(end - position) bytes")
        assert(submitted <= position && durable <= written && written <= submitted,
               "after truncation to \(position): durable \(durable), written \(written), submitted \(submitted)")
        return 1
    }

    /// Writes the checkpoint `position` synchronously when the checkpoint on
    /// disk may be above it (the last one completed, or the last one issued,
    /// which may have landed even if its sync failed).
    private func lowerCheckpoint(to position: Int64) throws(LogError) {
        guard max(checkpointedPosition, checkpointInFlightPosition) > position else { return }
        checkpointSequence &+= 1
        try CheckpointFile.writeSynchronously(directory: directory, sequence: checkpointSequence, position: position,
                                              fileSystem: segments.fileSystem)
        checkpointedPosition = position
        checkpointInFlightPosition = position
    }

    /// Writes zeros over `[from, to)` in the segment files, from the top down,
    /// in pieces of `zeroBytes` inside one segment; an `fdatasync` of the
    /// segment before going to a lower one, and before more than
    /// `maxInFlightBytes` would be unsynced. So a crash leaves synced zeros
    /// above at most `maxInFlightBytes` of not-yet-zeroed bytes.
    private func zeroSegments(from: Int64, to: Int64) throws(LogError) {
        let fileSystem = segments.fileSystem
        var high = to
        var unsyncedBytes: Int64 = 0
        var base: Int64 = -1
        var fd: Int32 = -1
        var path = ""
        while high > from {
            let pieceBase = layout.base(of: high &- 1)
            let low = max(from, pieceBase, high &- Int64(zeroBytes))
            if pieceBase != base || unsyncedBytes &+ (high &- low) > maxInFlightBytes {
                if unsyncedBytes > 0 { try fileSystem.dataSync(fd, path: path) }
                unsyncedBytes = 0
                if pieceBase != base {
                    base = pieceBase
                    path = layout.path(base: base)
                    fd = try segments.openExisting(base: base)
                }
            }
            try fileSystem.writeFully(fd, UnsafeRawPointer(zeros), Int(high &- low), at: layout.offset(of: low), path: path)
            unsyncedBytes &+= high &- low
            high = low
        }
        if unsyncedBytes > 0 { try fileSystem.dataSync(fd, path: path) }
    }
}
