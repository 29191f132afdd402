import BatonCodec
import BatonMutation
import BatonRing

/// What `LogAppender.publishReplicatedFrames` found.
public enum ReplicatedFramesResult: Equatable, Sendable {
    /// `appended` moved to `position` (maybe not at all: no whole frame yet).
    case published(position: Int64)
    /// The frame at `position` failed its check (`reason`); nothing from it on
    /// was published. The caller discards the bytes from `position` on and asks
    /// for them again.
    case corrupt(position: Int64, reason: String)
}

/// The follower's way in: replicated bytes arrive at a byte position (a
/// datagram may end inside a frame); they are copied into the buffer past
/// `appended`, and `appended` moves only over whole frames that pass
/// `FrameHeader.check` (length, CRC32C, position) and obey the boundary rule.
/// Readers and the log writer never look past `appended`, so partial frames
/// are invisible.
extension LogAppender {
    /// Copies `bytes` to `position`, which must be `>= self.position` (the end
    /// of the published frames) — the caller keeps the bytes between contiguous.
    /// False (nothing written) when the gating positions leave no room yet.
    /// Appender thread only.
    @inlinable
    public func tryWriteReplicated(_ bytes: UnsafeRawBufferPointer, at position: Int64) -> Bool {
        precondition(position >= tail, "replicated bytes at \(position) below the published end \(tail)")
        let length = Int64(bytes.count)
        if position &+ length > limit {
            limit = reuseLimit()
            if position &+ length > limit { return false }
        }
        guard let source = bytes.baseAddress, bytes.count > 0 else { return true }
        if position &+ length > bufferWrittenEnd { bufferWrittenEnd = position &+ length }
        let offset = Int(truncatingIfNeeded: position) & mask
        let first = min(bytes.count, mask &+ 1 &- offset)
        (buffer + offset).copyMemory(from: source, byteCount: first)
        if first < bytes.count { buffer.copyMemory(from: source + first, byteCount: bytes.count &- first) }
        return true
    }

    /// Publishes the whole, checked frames in `[position, received)` (bytes
    /// written by `tryWriteReplicated`): moves `appended` once, past the last
    /// whole frame. Appender thread only.
    @inlinable
    public func publishReplicatedFrames(upTo received: Int64) -> ReplicatedFramesResult {
        var position = tail
        while position < received {
            let available = Int(received &- position)
            let address = self.address(position)
            let check = FrameHeader.check(address, available: available, expectedPosition: position,
                                          maximumFrameLength: maximumFrameLength)
            var checked = check
            // `Mutation.skipFrameCheck` (simulator only): a frame whose CRC is wrong passes as valid.
            if case .badChecksum = check, Mutation.skipFrameCheck.isActive {
                checked = .valid(frameLength: FrameHeader(address).frameLength, type: .data)
            }
            guard case let .valid(length, _) = checked else {
                if case .truncated = check { break }  // the rest of the frame is still on its way
                publish(upTo: position)
                return .corrupt(position: position, reason: check.description)
            }
            let aligned = Int64(FrameDescriptor.aligned(length))
            if aligned > Int64(available) { break }
            // The boundary rule: a frame never crosses a multiple of boundaryBytes.
            if (position & boundaryMask) &+ aligned > boundaryMask &+ 1 {
                publish(upTo: position)
                return .corrupt(position: position, reason: "frame of \(aligned) bytes crosses a \(boundaryMask + 1)-byte boundary: members must use the same log buffer and segment sizes")
            }
            position &+= aligned
        }
        publish(upTo: position)
        return .published(position: position)
    }

    @inlinable
    func publish(upTo position: Int64) {
        if position != tail {
            tail = position
            appendedCounter.setRelease(position)
        }
    }
}
