import BatonLog

/// A follower taking log bytes from its upstream (the chain's predecessor, a
/// Raft leader), shared by both replication modes: the bytes from the
/// received position on are copied into the log buffer past the published
/// frames (earlier ones are duplicates); whole frames are published later,
/// after their CRC check (`LogAppender.publishReplicatedFrames`). Bytes past
/// a gap reveal it (noted for a Nak) and are kept at their own position when
/// `ahead` has room (selective repeat: the chain); with an `ahead` of
/// capacity 0 they are dropped and sent again (go-back-N: Raft).
///
/// Stateless; the caller's thread (the appender's writer).
enum ReplicatedBytes {
    /// Takes the Data bytes `[position, min(position + bytes.count, limit))`.
    /// Returns true when new bytes were copied (`receivedBytes` moved).
    @inline(__always)
    static func take(_ bytes: UnsafeRawBufferPointer, at position: Int64, limit: Int64, receivedBytes: inout Int64,
                     ahead: ByteRanges, now: Int64,
                     appender: LogAppender, gaps: inout GapDetector, counters: ReplicationCounters) -> Bool {
        let end = min(position &+ Int64(bytes.count), limit)
        if end <= receivedBytes {
            counters.duplicateData.addRelease(1)
            return false
        }
        if position > receivedBytes {
            counters.outOfOrderData.addRelease(1)
            gaps.noteSent(upTo: position)
            if ahead.canInsert(start: position, end: end),
               appender.tryWriteReplicated(UnsafeRawBufferPointer(rebasing: bytes[0..<Int(end &- position)]), at: position) {
                ahead.insert(start: position, end: end, now: now)
                counters.keptAheadData.addRelease(1)
            }
            return false
        }
        let fresh = UnsafeRawBufferPointer(rebasing: bytes[Int(receivedBytes &- position)..<Int(end &- position)])
        guard appender.tryWriteReplicated(fresh, at: receivedBytes) else {
            counters.noRoomData.addRelease(1)
            gaps.noteSent(upTo: position)
            return false
        }
        receivedBytes = ahead.isEmpty ? end : ahead.absorb(received: end, now: now)
        return true
    }
}
