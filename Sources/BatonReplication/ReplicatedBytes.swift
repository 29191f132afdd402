import BatonLog

/// A follower taking log bytes from its upstream (the chain's predecessor, a
/// Raft leader), shared by both replication modes: only the bytes from the
/// received position on are taken (earlier ones are duplicates; later ones
/// reveal a gap, noted for a Nak), copied into the log buffer past the
/// published frames; whole frames are published later, after their CRC check
/// (`LogAppender.publishReplicatedFrames`).
///
/// Stateless; the caller's thread (the appender's writer).
enum ReplicatedBytes {
    /// Takes the Data bytes `[position, min(position + bytes.count, limit))`.
    /// Returns true when new bytes were copied (`receivedBytes` moved).
    @inline(__always)
    static func take(_ bytes: UnsafeRawBufferPointer, at position: Int64, limit: Int64, receivedBytes: inout Int64,
                     appender: LogAppender, gaps: inout GapDetector, counters: ReplicationCounters) -> Bool {
        let end = min(position &+ Int64(bytes.count), limit)
        if end <= receivedBytes {
            counters.duplicateData.addRelease(1)
            return false
        }
        if position > receivedBytes {
            counters.outOfOrderData.addRelease(1)
            gaps.noteSent(upTo: position)
            return false
        }
        let fresh = UnsafeRawBufferPointer(rebasing: bytes[Int(receivedBytes &- position)..<Int(end &- position)])
        guard appender.tryWriteReplicated(fresh, at: receivedBytes) else {
            counters.noRoomData.addRelease(1)
            gaps.noteSent(upTo: position)
            return false
        }
        receivedBytes = end
        return true
    }
}
