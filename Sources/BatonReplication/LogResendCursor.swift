import BatonCodec
import BatonLog
import BatonMutation

/// A re-read of the log from a position, for sending again what the log
/// buffer may no longer hold: a go-back-N resend to the successor, a push of
/// the log back to a restarted head, or (`start(at:rawUpTo:)`) the byte range
/// of one hole a successor Nak'd. Whole frames are read through a `LogReader`
/// (the buffer while they are there, else the segment files) — or, for a
/// hole, its durable bytes from any position — into a chunk allocated once;
/// the replicator slices the chunk into Data datagrams. The chunk is refilled
/// only when none of its bytes is staged any more (`refill` is called only
/// with an empty transport batch).
///
/// Invariant: when active, `chunkPosition <= position <= chunkPosition + chunkBytes`
/// or the chunk is empty (`chunkPosition == -1`). Threading: the replicator's thread.
final class LogResendCursor {
    private let reader: LogReader
    let chunk: UnsafeMutableRawBufferPointer
    private(set) var chunkPosition: Int64 = -1
    private(set) var chunkBytes = 0
    /// The next byte to send, or -1 when idle.
    var position: Int64 = -1
    /// Reading raw durable bytes up to here (a hole), or -1: whole frames.
    private(set) var rawEnd: Int64 = -1
    /// `Mutation.resendShiftedOneByte` (simulator only), read once: set before any node is built.
    private let shiftsBytes = Mutation.resendShiftedOneByte.isActive

    init(log: DurableLog, chunkBytes: Int) {
        reader = log.makeReader()
        chunk = .allocate(byteCount: chunkBytes, alignment: 4096)
    }

    deinit { chunk.deallocate() }

    var isActive: Bool { position >= 0 }
    var chunkEnd: Int64 { chunkPosition &+ Int64(chunkBytes) }
    /// Whether `position` is outside the chunk (a `refill` is due).
    var needsRefill: Bool { chunkPosition < 0 || position < chunkPosition || position >= chunkEnd }

    func start(at start: Int64) {
        position = start
        rawEnd = -1
    }

    /// Reads the durable bytes `[start, end)` as they are, from any position.
    func start(at start: Int64, rawUpTo end: Int64) {
        precondition(start < end, "empty range [\(start), \(end)) to resend")
        position = start
        rawEnd = end
        chunkPosition = -1
        chunkBytes = 0
    }

    func stop() {
        position = -1
        rawEnd = -1
        chunkPosition = -1
        chunkBytes = 0
    }

    /// Reads whole frames (or a hole's durable bytes) from `position` into the
    /// chunk; false (and idle) at the end of the log (or of what is durable).
    /// Throws what the reader throws (the caller stops).
    func refill() throws(LogError) -> Bool {
        if rawEnd >= 0 {
            let count = Int(min(Int64(chunk.count), max(0, rawEnd &- position)))
            chunkBytes = count == 0 ? 0 : try reader.readDurableBytes(from: position, count: count, into: chunk.baseAddress!)
        } else {
            chunkBytes = try reader.read(from: position, into: chunk).bytes
        }
        chunkPosition = position
        if chunkBytes == 0 {
            stop()
            return false
        }
        return true
    }

    /// The chunk's bytes `[from, from + length)` (positions).
    func bytes(from: Int64, length: Int) -> UnsafeRawBufferPointer {
        var offset = Int(from &- chunkPosition)
        if shiftsBytes && offset &+ length < chunkBytes { offset &+= 1 }  // the planted bug: the bytes one position on
        return UnsafeRawBufferPointer(start: chunk.baseAddress! + offset, count: length)
    }
}
