extension LogAppender {
    /// Bytes between two boundaries no frame crosses (min(buffer, segment) size).
    @inlinable public var boundaryBytes: Int { Int(boundaryMask &+ 1) }

    /// Whether `bytes` more bytes (frames plus any padding) can be appended now
    /// without waiting for a gating position. The order stage checks a whole
    /// batch with this before taking it, so a batch is never half appended.
    /// Appender thread only.
    @inlinable
    public func hasRoom(forBytes bytes: Int) -> Bool {
        if tail &+ Int64(bytes) <= limit { return true }
        limit = reuseLimit()
        return tail &+ Int64(bytes) <= limit
    }
}
