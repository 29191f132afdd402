import BatonCodec
import BatonProtocol

extension Subscriber {
    /// Walks the frames of one Deliver from `resumeOffset`, checking each,
    /// handing data frames of the subscribed stream to `handler` until
    /// `delivered` reaches `limit`. Returns true when the whole Deliver was
    /// walked, false when the limit stopped it (it resumes there).
    ///
    /// Checks: the Deliver is for this subscription, `bytes` matches what it
    /// carries, its first frame is at `firstPosition` and at or after
    /// `nextPosition`, every later frame is at or after the end of the one
    /// before (frames of other streams are left out by the broker), every
    /// frame passes `FrameHeader.check`, and `frameCount` frames were found.
    @inline(__always)
    func walk(_ message: DecodedMessage, limit: Int, delivered: inout Int,
              _ handler: (DeliveredMessage) -> Void) throws(BatonClientError) -> Bool {
        let block: DeliverBlock
        do { block = try message.block(as: DeliverBlock.self) } catch {
            throw connection.fail(.protocolViolation("Deliver: \(error.description)"))
        }
        guard block.subscriptionId == subscriptionId else {
            throw connection.fail(.protocolViolation("Deliver for subscription \(block.subscriptionId); this one is \(subscriptionId)"))
        }
        let frames = message.trailing
        let total = frames.count
        guard Int(block.bytes) == total else {
            throw connection.fail(.protocolViolation("Deliver says \(block.bytes) bytes of frames but carries \(total)"))
        }
        var offset = resumeOffset
        var frameIndex = resumeFrames
        let firstPosition = block.firstPosition
        if offset == 0 && firstPosition < nextPosition {
            throw connection.fail(.protocolViolation("Deliver starts at position \(firstPosition), before \(nextPosition) already received"))
        }
        while offset < total {
            if delivered >= limit {
                resumeOffset = offset
                resumeFrames = frameIndex
                return false
            }
            let frame = frames.baseAddress.unsafelyUnwrapped + offset
            let available = total &- offset
            let expected: Int64
            if offset == 0 {
                expected = firstPosition
            } else if available >= FrameDescriptor.positionOffset + 8 {
                let claimed = frame.loadLittleEndian(fromByteOffset: FrameDescriptor.positionOffset, as: Int64.self)
                expected = max(claimed, nextPosition)
            } else {
                expected = nextPosition
            }
            let check = FrameHeader.check(frame, available: available, expectedPosition: expected)
            guard case .valid(let frameLength, let type) = check else {
                throw connection.fail(.badFrame(position: expected, check: check))
            }
            let aligned = FrameDescriptor.aligned(frameLength)
            var advance = aligned
            if advance > available {
                // Only the alignment padding of the last frame may be left out.
                guard type == .data, frameLength <= available else {
                    throw connection.fail(.badFrame(position: expected, check: .truncated(needed: aligned, available: available)))
                }
                advance = available
            }
            if type == .data {
                let header = FrameHeader(UnsafeMutableRawPointer(mutating: frame))
                let stream = header.streamId
                if streamId == ClientProtocol.allStreams || stream == streamId {
                    handler(DeliveredMessage(position: expected, streamId: stream, producerId: header.producerId,
                                             sequence: header.sequence, timestampNanos: header.timestampNanos,
                                             payload: UnsafeRawBufferPointer(start: frame + FrameDescriptor.headerLength,
                                                                             count: frameLength &- FrameDescriptor.headerLength)))
                    delivered &+= 1
                }
            }
            nextPosition = expected &+ Int64(aligned)
            creditUnreturned &+= advance
            offset &+= advance
            frameIndex &+= 1
        }
        guard frameIndex == Int(block.frameCount) else {
            throw connection.fail(.protocolViolation("Deliver says \(block.frameCount) frames but carries \(frameIndex)"))
        }
        resumeOffset = 0
        resumeFrames = 0
        return true
    }
}
