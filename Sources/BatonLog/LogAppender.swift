import BatonCodec
import BatonRing

/// What `LogAppender.tryAppend` did. One line per case so a caller never guesses.
@frozen
public enum AppendResult: Equatable, Sendable {
    /// The frame is in the log buffer at `position` (its first byte) and published.
    case appended(position: Int64)
    /// Not enough free buffer space: a gating position (durable, transmit, a
    /// subscriber) has not moved far enough. Retry later; nothing was written.
    case backPressured
    /// header + payload exceeds the configured `maximumFrameLength`. Never fits.
    case frameTooLarge
}

/// Writes frames into the log buffer and publishes `appended` after each.
///
/// Layout rules it enforces: frames are 32-byte aligned and contiguous; a
/// frame never crosses a multiple of `boundaryBytes` (min(buffer, segment)
/// size): when the next frame would, a padding frame fills the gap first.
///
/// Reuse rule: the appender may write up to `limit = min(gating) + capacity`
/// (it caches the limit and re-reads the gating counters only when the cache
/// says there is no room). A region is therefore overwritten only after every
/// gating position has passed it. After a truncation to `p`
/// (`DurableLog.requestTruncation`) the limit is at most `p + capacity` until
/// the writer has completed it: until then `durable` may still count bytes of
/// the discarded suffix, which say nothing about the new frames at `p`.
///
/// Threading: single writer. Exactly one thread (the order stage's) calls any
/// method. `appended` is published with release ordering after every frame;
/// other threads read it with acquire.
public final class LogAppender {
    @usableFromInline let buffer: UnsafeMutableRawPointer
    @usableFromInline let mask: Int
    @usableFromInline let capacity: Int64
    @usableFromInline let boundaryMask: Int64
    @usableFromInline let maximumFrameLength: Int
    @usableFromInline let counters: LogCounters
    @usableFromInline let appendedCounter: PositionCounter
    /// Next position to write (== `appended` between calls).
    @usableFromInline var tail: Int64
    /// The end of the highest bytes ever copied into the buffer: `tail`, or
    /// past it where a follower keeps replicated bytes ahead of a gap
    /// (`tryWriteReplicated`). Bytes more than `capacity` below it may have
    /// been overwritten in the buffer even if they are within `capacity` of `tail`.
    @usableFromInline var bufferWrittenEnd: Int64 = 0
    /// Cached `min(gating) + capacity`.
    @usableFromInline var limit: Int64
    @usableFromInline var claimOpen = false
    /// The lowest position of the truncations not yet completed by the writer
    /// (caps `limit`), or `Int64.max` when none is pending.
    @usableFromInline var truncationFloor: Int64 = .max
    /// Generation of this appender's newest truncation request.
    @usableFromInline var truncationGeneration: Int64 = 0

    init(buffer: LogBuffer, counters: LogCounters, boundaryBytes: Int, maximumFrameLength: Int, tail: Int64) {
        self.buffer = buffer.base
        self.mask = buffer.mask
        self.capacity = Int64(buffer.capacity)
        self.boundaryMask = Int64(boundaryBytes - 1)
        self.maximumFrameLength = maximumFrameLength
        self.counters = counters
        self.appendedCounter = counters.appended
        self.tail = tail
        self.limit = tail
    }

    /// The position the next frame will get (plain: the appender's own thread).
    @inlinable public var position: Int64 { tail }

    /// Appends one data frame: header, a copy of `payload`, CRC; publishes `appended`.
    @inlinable
    public func tryAppend(payload: UnsafeRawBufferPointer, streamId: UInt32, producerId: UInt64, sequence: UInt64,
                          timestampNanos: Int64, flags: UInt8 = 0) -> AppendResult {
        guard let frame = tryClaim(payloadLength: payload.count, streamId: streamId, producerId: producerId,
                                   sequence: sequence, timestampNanos: timestampNanos, flags: flags) else {
            return FrameDescriptor.headerLength &+ payload.count > maximumFrameLength ? .frameTooLarge : .backPressured
        }
        if let source = payload.baseAddress { frame.payload.copyMemory(from: source, byteCount: payload.count) }
        let position = frame.position
        commit(frame)
        return .appended(position: position)
    }

    /// Reserves space for a data frame and writes its header; the caller writes
    /// the payload at `frame.payload` and then calls `commit(frame)` before the
    /// next claim. Returns nil when back-pressured or too large (see `tryAppend`).
    @inlinable
    public func tryClaim(payloadLength: Int, streamId: UInt32, producerId: UInt64, sequence: UInt64,
                         timestampNanos: Int64, flags: UInt8 = 0) -> FrameHeader? {
        assert(!claimOpen, "commit the previous claim first")
        let frameLength = FrameDescriptor.headerLength &+ payloadLength
        if payloadLength < 0 || frameLength > maximumFrameLength { return nil }
        let aligned = Int64(FrameDescriptor.aligned(frameLength))
        var position = tail
        let remaining = (boundaryMask &+ 1) &- (position & boundaryMask)
        let padding = aligned > remaining ? remaining : 0
        let needed = padding &+ aligned
        if position &+ needed > limit {
            limit = reuseLimit()
            if position &+ needed > limit { return nil }
        }
        if padding > 0 {
            FrameHeader(address(position)).writePadding(length: Int(padding), position: position)
            position &+= padding
        }
        let frame = FrameHeader(address(position))
        frame.writeDataHeader(payloadLength: payloadLength, streamId: streamId, position: position,
                              producerId: producerId, sequence: sequence, timestampNanos: timestampNanos, flags: flags)
        // Zero the alignment gap so no bytes of an earlier lap reach the disk.
        let gap = Int(aligned) &- frameLength
        if gap > 0 { (frame.address + frameLength).initializeMemory(as: UInt8.self, repeating: 0, count: gap) }
        tail = position &+ aligned
        claimOpen = true
        return frame
    }

    /// Seals the claimed frame (CRC) and publishes it.
    @inlinable
    public func commit(_ frame: FrameHeader) {
        assert(claimOpen, "no open claim")
        claimOpen = false
        frame.seal()
        appendedCounter.setRelease(tail)
    }

    @inlinable @inline(__always)
    func address(_ position: Int64) -> UnsafeMutableRawPointer {
        buffer + (Int(truncatingIfNeeded: position) & mask)
    }
}
