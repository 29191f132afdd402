import BatonLog
import BatonNet
import BatonProtocol
import Logging

/// Staging log bytes as Data datagrams, shared by every replication mode: new
/// bytes zero-copy from the log buffer, and re-reads from a `LogResendCursor`.
/// Both pack at most `dataBytesMax` bytes a datagram and keep `reserving`
/// datagrams of the batch free for control messages.
extension ReplicationOutbox {
    /// Stages `[start, limit)` of the log buffer (`base`, `mask`) to
    /// `destination`, zero-copy (iovecs into the buffer: the caller's gating
    /// position must keep those bytes in place until the batch is flushed),
    /// never across the buffer's wrap. Returns the position reached and the
    /// datagrams staged.
    @inline(__always)
    func stageBufferData(base: UnsafeMutableRawPointer, mask: Int64, from start: Int64, limit: Int64, dataBytesMax: Int,
                         reserving: Int, to destination: IPv4SocketAddress) -> (position: Int64, datagrams: Int) {
        var position = start
        var datagrams = 0
        while position < limit && hasRoom(reserving: reserving) {
            let wrap = (position | mask) &+ 1
            let length = Int(min(limit, wrap, position &+ Int64(dataBytesMax)) &- position)
            guard let data = begin(ReplicationData.self, to: destination) else { break }
            data.position = position
            data.senderIncarnation = senderIncarnation
            appendPayload(UnsafeRawBufferPointer(start: base + Int(position & mask), count: length))
            position &+= Int64(length)
            datagrams &+= 1
        }
        return (position, datagrams)
    }

    /// Stages Data from `cursor` up to `limit` (and the end of its chunk),
    /// refilling the chunk first when the batch holds none of its bytes;
    /// advances the cursor. Returns the datagrams staged; on a read error logs
    /// it (`purpose` says what the re-read was for) and stops the cursor.
    func stageCursorData(_ cursor: LogResendCursor, limit: Int64, dataBytesMax: Int, reserving: Int,
                         to destination: IPv4SocketAddress, purpose: StaticString, logger: Logger) -> Int {
        if cursor.needsRefill {
            guard pendingCount == 0 else { return 0 }
            do {
                guard try cursor.refill() else { return 0 }
            } catch {
                logger.error("\(purpose) from \(cursor.position) to \(destination) failed: \(error); waiting for the peer's next report")
                cursor.stop()
                return 0
            }
        }
        var datagrams = 0
        var position = cursor.position
        let end = min(cursor.chunkEnd, limit)
        while position < end && hasRoom(reserving: reserving) {
            let length = Int(min(end, position &+ Int64(dataBytesMax)) &- position)
            guard let data = begin(ReplicationData.self, to: destination) else { break }
            data.position = position
            data.senderIncarnation = senderIncarnation
            appendPayload(cursor.bytes(from: position, length: length))
            position &+= Int64(length)
            datagrams &+= 1
        }
        cursor.position = position
        return datagrams
    }
}
