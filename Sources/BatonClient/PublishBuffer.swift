import BatonCodec
import BatonProtocol

/// The publisher's memory: a ring of bytes holding every Publish message not
/// yet acknowledged, encoded exactly as it goes on the wire, plus a ring of
/// `PublishRecord`s describing them. Both are allocated once.
///
/// ```
///  records:   head ........ send ........ closed   [open]
///             acked ⟶ freed  written ⟶ resent on reconnect   being filled
///  bytes:     |  free  | head's batch | ... | open batch → |  free  |
/// ```
///
/// A batch never wraps: when the space at the end of the ring is too small
/// for the next batch it starts again at offset 0, in front of the oldest
/// batch (`headIndex`). Records `[headIndex, closedIndex)` are complete
/// messages; `[headIndex, sendIndex)` (plus `sendOffset` bytes of
/// `sendIndex`) have been written to the current connection; record
/// `closedIndex` is the open batch when `isOpen`. Rewinding `sendIndex` to
/// `headIndex` resends every unacknowledged batch byte for byte, so the
/// sequences are the same.
///
/// Invariant: `headIndex <= sendIndex <= closedIndex`,
/// `closedIndex - headIndex + (isOpen ? 1 : 0) <= recordCapacity`, live
/// batches never overlap. `~Copyable`: one owner frees the memory.
/// Threading: the owning publisher's thread.
struct PublishBuffer: ~Copyable {
    /// Length prefix + message header + Publish block: the bytes of a batch before its first payload.
    static let batchHeaderBytes = ClientProtocol.lengthPrefixBytes + MessageHeaderDescriptor.length + PublishBlock.encodedLength
    /// Records written in one `write(2)` at most (consecutive batches adjacent in the ring).
    static let recordsPerWrite = 64

    let bytes: UnsafeMutableRawBufferPointer
    let records: UnsafeMutablePointer<PublishRecord>
    let recordMask: Int

    private(set) var headIndex = 0
    private(set) var sendIndex = 0
    private(set) var sendOffset = 0
    private(set) var closedIndex = 0
    private(set) var isOpen = false
    /// Messages in the open batch.
    private(set) var openCount = 0
    /// When the open batch took its first message (monotonic nanoseconds).
    private(set) var openedNanos: Int64 = 0
    /// Where the next batch starts when the ring is not empty.
    private var tailOffset = 0
    private var writer: ByteWriter
    private var encoding: PublishEncoding?

    /// A buffer of `byteCapacity` bytes for at most `recordCapacity` batches
    /// (rounded up to a power of two).
    init(byteCapacity: Int, recordCapacity: Int) {
        precondition(byteCapacity > PublishBuffer.batchHeaderBytes + PublishBlock.payloadLengthBytes, "publish buffer of \(byteCapacity) bytes is too small")
        precondition(recordCapacity >= 1, "the publish buffer needs room for a batch")
        var slots = 1
        while slots < recordCapacity { slots <<= 1 }
        bytes = .allocate(byteCount: byteCapacity, alignment: 64)
        records = .allocate(capacity: slots)
        records.initialize(repeating: PublishRecord(offset: 0, length: 0, firstSequence: 0, count: 0), count: slots)
        recordMask = slots &- 1
        writer = ByteWriter(UnsafeMutableRawBufferPointer(start: nil, count: 0))
    }

    deinit {
        bytes.deallocate()
        records.deinitialize(count: recordMask &+ 1)
        records.deallocate()
    }

    var recordCapacity: Int { recordMask &+ 1 }
    /// True when closed batches wait to be written.
    var hasUnsent: Bool { sendIndex < closedIndex }
    /// True when no batch is held at all.
    var isEmpty: Bool { headIndex == closedIndex && !isOpen }
    /// True between messages on the stream (nothing half written).
    var isAtMessageBoundary: Bool { sendOffset == 0 }

    /// Reserves `length` payload bytes as the next message of the open batch
    /// (closing a full batch and opening another as needed) and returns where
    /// to write them; nil when the ring or the record ring has no room (the
    /// caller reports back-pressure). `sequence` must be the sequence after
    /// the last reserved one. Allocates nothing.
    @inline(__always)
    mutating func reserve(length: Int, sequence: UInt64, streamId: UInt32, producerId: UInt64,
                          batchCountMax: Int, batchBytesMax: Int, now: Int64) -> UnsafeMutableRawPointer? {
        let needed = PublishBlock.payloadLengthBytes &+ length
        if isOpen && (openCount >= batchCountMax || writer.remaining < needed) {
            close()
        }
        if !isOpen {
            guard open(minimumBytes: PublishBuffer.batchHeaderBytes &+ needed, batchBytesMax: batchBytesMax,
                       streamId: streamId, producerId: producerId, firstSequence: sequence, now: now) else { return nil }
        }
        do {
            try writer.write(UInt32(truncatingIfNeeded: length))
            let payload = try writer.reserve(length)
            encoding.unsafelyUnwrapped.block.count = UInt32(truncatingIfNeeded: openCount &+ 1)
            openCount &+= 1
            return payload
        } catch {
            preconditionFailure("publish batch space was checked: \(error)")
        }
    }

    /// Starts a batch with room for at least `minimumBytes`; false when there is none.
    private mutating func open(minimumBytes: Int, batchBytesMax: Int, streamId: UInt32, producerId: UInt64,
                               firstSequence: UInt64, now: Int64) -> Bool {
        guard closedIndex &- headIndex < recordCapacity else { return false }
        let capacity = bytes.count
        var start = tailOffset
        var limit: Int
        if headIndex == closedIndex {
            start = 0
            limit = capacity
        } else {
            let headOffset = records[headIndex & recordMask].offset
            if start > headOffset {
                // Not wrapped: free space after the tail, then before the head.
                if capacity &- start >= minimumBytes {
                    limit = capacity
                } else if headOffset >= minimumBytes {
                    start = 0
                    limit = headOffset
                } else {
                    return false
                }
            } else {
                // Wrapped: the free space lies between the tail and the head.
                limit = headOffset
            }
        }
        limit = min(limit, start &+ batchBytesMax)
        guard limit &- start >= minimumBytes else { return false }
        writer = ByteWriter(UnsafeMutableRawBufferPointer(start: bytes.baseAddress.unsafelyUnwrapped + start, count: limit &- start))
        do {
            encoding = try ClientMessageWriter.beginPublish(into: &writer, streamId: streamId, producerId: producerId,
                                                            firstSequence: firstSequence)
        } catch {
            preconditionFailure("publish batch header space was checked: \(error)")
        }
        records[closedIndex & recordMask] = PublishRecord(offset: start, length: 0, firstSequence: firstSequence, count: 0)
        openCount = 0
        openedNanos = now
        isOpen = true
        return true
    }

    /// Completes the open batch (patches its length); it is then ready to send.
    mutating func close() {
        guard isOpen else { return }
        encoding.unsafelyUnwrapped.finish(into: &writer)
        let index = closedIndex & recordMask
        records[index].length = writer.offset
        records[index].count = openCount
        tailOffset = records[index].offset &+ writer.offset
        closedIndex &+= 1
        isOpen = false
        encoding = nil
    }

    /// Frees every batch whose last sequence is at or below `sequence`, except
    /// one that is half written (it must be finished on this connection).
    mutating func release(through sequence: UInt64) {
        while headIndex < closedIndex {
            let record = records[headIndex & recordMask]
            if record.lastSequence > sequence { break }
            if headIndex == sendIndex && sendOffset > 0 { break }
            headIndex &+= 1
        }
        if sendIndex < headIndex {
            sendIndex = headIndex
            sendOffset = 0
        }
    }

    /// The bytes to write next: the rest of batch `sendIndex` and the batches
    /// after it that follow it directly in the ring. Only when `hasUnsent`.
    func unsentBytes() -> UnsafeRawBufferPointer {
        let first = records[sendIndex & recordMask]
        var end = first.offset &+ first.length
        var index = sendIndex &+ 1
        let last = min(closedIndex, sendIndex &+ PublishBuffer.recordsPerWrite)
        while index < last {
            let record = records[index & recordMask]
            if record.offset != end { break }
            end &+= record.length
            index &+= 1
        }
        let start = first.offset &+ sendOffset
        return UnsafeRawBufferPointer(start: bytes.baseAddress.unsafelyUnwrapped + start, count: end &- start)
    }

    /// Records that `count` bytes of `unsentBytes()` were written.
    mutating func didSend(_ count: Int) {
        var left = count
        while left > 0 {
            let record = records[sendIndex & recordMask]
            let rest = record.length &- sendOffset
            if left >= rest {
                left &-= rest
                sendIndex &+= 1
                sendOffset = 0
            } else {
                sendOffset &+= left
                left = 0
            }
        }
    }

    /// Makes every unacknowledged batch unsent again: the next writes resend
    /// them byte for byte. Only between messages, or on a new connection.
    mutating func rewind() {
        sendIndex = headIndex
        sendOffset = 0
    }

    /// Messages in closed batches not yet written (for diagnostics).
    var unsentBatches: Int { closedIndex &- sendIndex }
}
