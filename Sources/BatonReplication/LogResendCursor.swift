import BatonCodec
import BatonLog

/// A re-read of the log from a position, for sending again what the log
/// buffer may no longer hold: a go-back-N resend to the successor, or a push
/// of the log back to a restarted head. Whole frames are read through a
/// `LogReader` (the buffer while they are there, else the segment files) into
/// a chunk allocated once; the replicator slices the chunk into Data
/// datagrams. The chunk is refilled only when none of its bytes is staged any
/// more (`refill` is called only with an empty transport batch).
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

    init(log: DurableLog, chunkBytes: Int) {
        reader = log.makeReader()
        chunk = .allocate(byteCount: chunkBytes, alignment: 4096)
    }

    deinit { chunk.deallocate() }

    var isActive: Bool { position >= 0 }
    var chunkEnd: Int64 { chunkPosition &+ Int64(chunkBytes) }
    /// Whether `position` is outside the chunk (a `refill` is due).
    var needsRefill: Bool { chunkPosition < 0 || position < chunkPosition || position >= chunkEnd }

    func start(at start: Int64) { position = start }

    func stop() {
        position = -1
        chunkPosition = -1
        chunkBytes = 0
    }

    /// Reads whole frames from `position` into the chunk; false (and idle) at
    /// the end of the log. Throws what the reader throws (the caller stops).
    func refill() throws(LogError) -> Bool {
        let result = try reader.read(from: position, into: chunk)
        chunkPosition = position
        chunkBytes = result.bytes
        if chunkBytes == 0 {
            stop()
            return false
        }
        return true
    }

    /// The chunk's bytes `[from, from + length)` (positions).
    func bytes(from: Int64, length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: chunk.baseAddress! + Int(from &- chunkPosition), count: length)
    }
}
