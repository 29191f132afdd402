import BatonCodec

/// Truncation of a running log: a Raft follower discards an uncommitted
/// suffix of its log while the node runs.
///
/// The appender's thread asks (`requestTruncation`): the appender's tail and
/// `appended` go back to `p` at once, so new frames are appended at `p`
/// straight away. The writer agent then, in its own duty cycle, lets every
/// write in flight complete, lowers the checkpoint to `p`, zeroes the old
/// suffix in the segment files (synced), lowers `submitted`, `written` and
/// `durable` to at most `p`, and publishes the request's generation as
/// completed (`isTruncationComplete`). Until then `durablePosition` may still
/// count bytes of the discarded suffix: a follower must not report anything
/// at or above `p` as durable before the completion.
extension DurableLog {
    /// Discards the log from `position` on and returns the request's
    /// generation (for `isTruncationComplete`). Appender thread only (the
    /// appender's single writer), with no claimed frame left uncommitted.
    ///
    /// `position` must be a frame boundary in `[startPosition, appender.position]`;
    /// a frame still in the log buffer at `position` is checked (length, CRC,
    /// position), one no longer in the buffer is trusted. `position ==
    /// appender.position` is allowed and goes through the writer like any other.
    ///
    /// Order of the release stores: `truncationPosition`, then `appended`
    /// (lowered), then `truncationRequested`. So the writer, once it sees the
    /// request, sees the lowered `appended` (it must not write the old
    /// suffix's length again); and a reader that sees a frame appended after
    /// the truncation sees the request. While an earlier request is not yet
    /// completed, `truncationPosition` becomes the lower of the two positions:
    /// the writer may pick up the newer request's position with the older
    /// generation, and must cut at least as far as every request it has not
    /// finished.
    ///
    /// **The caller appends nothing more until `isTruncationComplete`
    /// (generation)** when the log writer runs on another thread: until it
    /// completes the cut, the writer may still be reading the discarded
    /// bytes it was given before the request (frame lengths, batch contents),
    /// and new frames at the cut would overwrite them under it — a data race
    /// ThreadSanitizer found under load. (`RaftReplicator` takes no bytes
    /// until then. The appender also caps buffer reuse at the cut plus the
    /// buffer's capacity while a cut is pending, which keeps a writer driven on
    /// the caller's own thread correct.)
    ///
    /// Other gating positions (a transmit position, in-memory subscribers)
    /// above `position` must be lowered by their owners: once the writer has
    /// completed the truncation, the appender trusts every gating position
    /// again. A retention floor at or below every position that may be
    /// truncated to (a follower's commit position) keeps retention from
    /// deleting the segment a truncation cuts in. Truncation is rare (a
    /// follower at a leader change): this call allocates nothing but is not
    /// meant for a per-message path.
    @discardableResult
    public func requestTruncation(to position: Int64) -> Int64 {
        let end = appender.position
        let start = counters.start.getAcquire()
        precondition(position >= start, "truncation to \(position) below the log's start \(start)")
        precondition(position <= end, "truncation to \(position) past the appender's position \(end)")
        // Checked where the buffer still holds it: a follower's bytes kept past a gap may have
        // overwritten it even within a capacity of the end (the simulator, seed 1518 with failover).
        if appender.bufferHolds(position) {
            let check = appender.frameCheck(at: position)
            precondition(check.isValid, "truncation to \(position): not a frame boundary (\(check))")
        }
        let requested = counters.truncationRequested.getPlain()
        let generation = requested &+ 1
        let pending = counters.truncationCompleted.getAcquire() < requested
        let floor = pending ? min(counters.truncationPosition.getPlain(), position) : position
        counters.truncationPosition.setReleaseAllowingDecrease(floor)
        appender.truncate(to: position, floor: floor, generation: generation)
        counters.truncationRequested.setRelease(generation)
        return generation
    }

    /// True once the writer has completed truncation `generation` (and every
    /// earlier one): the files hold nothing of the discarded suffix and
    /// `durablePosition` counts only frames appended since. Any thread
    /// (acquire load).
    public func isTruncationComplete(_ generation: Int64) -> Bool {
        counters.truncationCompleted.getAcquire() >= generation
    }
}
