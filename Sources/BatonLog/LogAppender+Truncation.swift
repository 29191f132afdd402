import BatonCodec

/// The appender's side of truncating a running log (`DurableLog.requestTruncation`
/// is the entry point): moving the tail back, and keeping buffer reuse safe
/// until the writer has cut the files.
extension LogAppender {
    /// The highest position the appender may write to: `min(gating) + capacity`,
    /// capped at `truncationFloor + capacity` while a truncation is pending.
    /// Appender thread only; called when the cached `limit` says there is no room.
    @inlinable
    func reuseLimit() -> Int64 {
        if truncationFloor == .max { return counters.minimumGating() &+ capacity }
        return reuseLimitWhileTruncating()
    }

    /// `reuseLimit` after a truncation: lifts the cap once the writer has
    /// published the completion of this appender's newest request. The
    /// completion is loaded first (acquire), the gating positions after it, so
    /// the `durable` read is the one the writer lowered, or a later one.
    @usableFromInline
    func reuseLimitWhileTruncating() -> Int64 {
        if counters.truncationCompleted.getAcquire() >= truncationGeneration {
            truncationFloor = .max
            return counters.minimumGating() &+ capacity
        }
        return min(counters.minimumGating(), truncationFloor) &+ capacity
    }

    /// Moves the tail back to `position` and publishes it as `appended`
    /// (a release store allowing the decrease). `floor` is the lowest position
    /// of the truncations now pending (`position`, or an earlier request's
    /// lower one) and `generation` the request's; see `reuseLimit`.
    /// Appender thread only, with no claim open; `DurableLog.requestTruncation`
    /// checks the position.
    func truncate(to position: Int64, floor: Int64, generation: Int64) {
        precondition(!claimOpen, "truncation to \(position) while a claimed frame is not committed")
        precondition(floor <= position, "truncation floor \(floor) above the truncation position \(position)")
        assert(generation > truncationGeneration, "truncation generation \(generation) after \(truncationGeneration)")
        tail = position
        truncationFloor = floor
        truncationGeneration = generation
        // The cached limit counted gating positions that may lie in the discarded suffix.
        limit = min(limit, floor &+ capacity)
        appendedCounter.setReleaseAllowingDecrease(position)
    }

    /// True when the buffer still holds the bytes at `position` (below `tail`):
    /// neither the appender nor bytes kept ahead of a gap have written a
    /// whole capacity past it.
    func bufferHolds(_ position: Int64) -> Bool {
        position < tail && max(tail, bufferWrittenEnd) &- position <= capacity
    }

    /// What the log buffer holds at `position`, which must be held
    /// (`bufferHolds`): a valid frame there
    /// (right length, CRC and position) makes it a frame boundary.
    /// Appender thread only.
    func frameCheck(at position: Int64) -> FrameCheck {
        precondition(bufferHolds(position), "\(position) is not in the log buffer (tail \(tail), written up to \(bufferWrittenEnd))")
        let offset = Int(truncatingIfNeeded: position) & mask
        let available = Int(min(tail &- position, capacity &- Int64(offset)))
        return FrameHeader.check(buffer + offset, available: available, expectedPosition: position,
                                 maximumFrameLength: maximumFrameLength)
    }
}
