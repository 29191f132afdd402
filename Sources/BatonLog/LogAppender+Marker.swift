import BatonCodec

extension LogAppender {
    /// Appends one padding frame of the minimum length (32 bytes) at the log's
    /// end and publishes it: a mark that carries no message (readers,
    /// subscribers and the producer table skip padding). A Raft leader
    /// appends one as the first entry of its term, so a term with no
    /// publishes still commits what earlier terms left (Raft §5.4.2: a leader
    /// commits only by counting replicas of its own term's entries). False
    /// (nothing written) when the gating positions leave no room yet.
    /// Appender thread only.
    public func tryAppendMarker() -> Bool {
        assert(!claimOpen, "commit the open claim first")
        let length = Int64(FrameDescriptor.minimumFrameLength)
        let position = tail
        if position &+ length > limit {
            limit = counters.minimumGating() &+ capacity
            if position &+ length > limit { return false }
        }
        // A 32-byte frame at a 32-byte-aligned position never crosses a boundary.
        FrameHeader(address(position)).writePadding(length: Int(length), position: position)
        tail = position &+ length
        appendedCounter.setRelease(tail)
        return true
    }
}
