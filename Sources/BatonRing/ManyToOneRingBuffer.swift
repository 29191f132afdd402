import CBatonSys

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A multi-producer, single-consumer ring buffer of variable-length records
/// over raw memory, in the manner of Agrona's `ManyToOneRingBuffer`.
///
/// Layout: `RingBufferDescriptor` (data + trailer) and `RecordDescriptor`
/// (8-byte header, records 8-byte aligned, a padding record where the next
/// record would not fit before the end, so every record is contiguous).
///
/// Threading: ANY number of producer threads may call `tryClaim`, `write`,
/// and `commit`/`abort` (each for its own claims); exactly ONE consumer
/// thread may call `read`. The statistics (`size`, `producerPosition`,
/// `consumerPosition`) may be read from any thread.
///
/// Invariant: `head <= tail <= head + capacity` (positions in bytes, they
/// only grow). Producers reserve space with a compare-and-set of the tail,
/// so each byte in [head, tail) belongs to exactly one producer's record or
/// padding; every other byte of the data region is zero. A producer never
/// writes before it has seen (acquire, directly or through the head cache,
/// which is stored with release) a head that frees the space; the consumer
/// zeroes what it read before it publishes the head (release). A record's
/// length is 0 from the CAS until its producer stores the negated length
/// (claimed: `tryClaim`, and `write` while it copies), and positive once
/// committed. The consumer stops at the first record whose length is not
/// positive, so records become readable in tail order however the producers
/// interleave.
///
/// A producer that dies between claim and commit blocks the consumer at its
/// record forever (as in Agrona; there is no `unblock` yet).
///
/// Zero copy: `tryClaim` hands out an index into `buffer` where the producer
/// writes the payload in place; `read` hands the handler a pointer into the
/// ring, valid only during the call. Nothing allocates after `init`.
public final class ManyToOneRingBuffer: @unchecked Sendable {
    @usableFromInline let memory: RingBufferMemory
    @usableFromInline let ownsMemory: Bool

    /// A ring with `capacity` data bytes (a power of two in
    /// [`RingBufferDescriptor.minimumCapacity`, `.maximumCapacity`]),
    /// allocated once, zeroed and 128-byte aligned, freed with the ring.
    public init(capacity: Int) {
        let (memory, totalLength) = RingBufferMemory.allocateZeroed(capacity: capacity)
        self.memory = RingBufferMemory(memory: memory, totalLength: totalLength)
        self.ownsMemory = true
    }

    /// A ring over memory someone else owns (for example a mapped file), of
    /// `length` = `RingBufferDescriptor.totalLength(capacity:)` bytes, 128-byte
    /// aligned. The memory must be zeroed, or hold this ring's layout left by
    /// an earlier user, and must outlive the ring. It is not freed.
    public init(memory: UnsafeMutableRawPointer, length: Int) {
        self.memory = RingBufferMemory(memory: memory, totalLength: length)
        self.ownsMemory = false
    }

    deinit {
        if ownsMemory {
            free(memory.buffer)
        }
    }

    // MARK: - Shape

    /// Bytes in the data region.
    @inlinable public var capacity: Int { memory.capacity }

    /// Longest payload accepted: `capacity / 8`.
    @inlinable public var maxMessageLength: Int { memory.maxMessageLength }

    /// Start of the data region; claimed payload indexes are relative to it.
    @inlinable public var buffer: UnsafeMutableRawPointer { memory.buffer }

    /// Where to write the payload of the claim at `index` (`buffer + index`).
    @inlinable @inline(__always)
    public func payloadPointer(at index: Int) -> UnsafeMutableRawPointer { memory.buffer + index }

    // MARK: - Producers (any thread)

    /// Claims room for a payload of `length` bytes and returns the index (in
    /// `buffer`) where the calling producer writes it, or nil when the ring
    /// is full. The record stays invisible to the consumer (and blocks the
    /// records after it, from every producer) until the same producer calls
    /// `commit(index:)` or `abort(index:)`: keep claims short.
    /// Throws for an invalid type id or length; a full ring is not an error.
    @inlinable @inline(__always)
    public func tryClaim(typeId: Int32, length: Int) throws(RingBufferError) -> Int? {
        try memory.checkMessage(typeId: typeId, length: length)
        let recordLength = length &+ RecordDescriptor.headerLength
        guard let recordIndex = claimCapacity(alignedRecordLength: RecordDescriptor.align(recordLength)) else {
            return nil
        }
        memory.storeClaimedHeader(at: recordIndex, typeId: typeId, recordLength: recordLength)
        return recordIndex &+ RecordDescriptor.headerLength
    }

    /// Publishes the claim at `index` to the consumer. Only the producer that
    /// made the claim; exactly once (a precondition checks it is still claimed).
    @inlinable @inline(__always)
    public func commit(index: Int) { memory.commit(index: index) }

    /// Withdraws the claim at `index`: it becomes a padding record the
    /// consumer skips. Only the producer that made the claim; exactly once.
    @inlinable @inline(__always)
    public func abort(index: Int) { memory.abort(index: index) }

    /// Copies `length` bytes from `source` into the ring as one message.
    /// Returns false, having written nothing, when the ring is full.
    /// Throws for an invalid type id or length.
    @inlinable @inline(__always)
    public func write(typeId: Int32, source: UnsafeRawPointer, length: Int) throws(RingBufferError) -> Bool {
        try memory.checkMessage(typeId: typeId, length: length)
        let recordLength = length &+ RecordDescriptor.headerLength
        guard let recordIndex = claimCapacity(alignedRecordLength: RecordDescriptor.align(recordLength)) else {
            return false
        }
        // As in Agrona: claimed (negative length) while the payload is
        // copied, so every record of this ring goes 0 -> negative -> positive
        // and a stalled producer's record always tells its length (what a
        // future `unblock` needs). Measured: no throughput difference against
        // leaving the length at 0 until the final store (within noise).
        baton_store_release_i32(
            memory.buffer + recordIndex + RecordDescriptor.lengthOffset,
            Int32(truncatingIfNeeded: 0 &- recordLength)
        )
        memory.storeRecord(at: recordIndex, typeId: typeId, source: source, length: length)
        return true
    }

    /// Reserves `alignedRecordLength` bytes at the tail by compare-and-set
    /// (with a padding record first when they would not fit before the end
    /// of the data region) and returns the record index, or nil when the ring
    /// lacks the room.
    ///
    /// The space check uses the shared head cache (acquire) and reads the
    /// consumer's head (acquire) only when the cache says "full", then
    /// refreshes the cache (release). A stale cache only under-estimates the
    /// free space. A successful CAS proves the tail did not move since it was
    /// read, hence the head used (read after the tail) was <= that tail.
    @inlinable @inline(__always)
    func claimCapacity(alignedRecordLength: Int) -> Int? {
        let capacity = memory.capacity
        let mask = capacity &- 1
        let tailAddress = memory.tailPositionAddress
        var head = Int(baton_load_acquire_i64(memory.headCachePositionAddress))
        while true {
            let tail = Int(baton_load_acquire_i64(tailAddress))
            let tailIndex = tail & mask
            let toBufferEnd = capacity &- tailIndex
            let padding = alignedRecordLength > toBufferEnd ? toBufferEnd : 0
            let required = alignedRecordLength &+ padding
            if required > capacity &- (tail &- head) {
                head = Int(baton_load_acquire_i64(memory.headPositionAddress))
                if required > capacity &- (tail &- head) {
                    return nil
                }
                baton_store_release_i64(memory.headCachePositionAddress, Int64(head))
            }
            if baton_cas_i64(tailAddress, Int64(tail), Int64(tail &+ required)) {
                if padding != 0 {
                    memory.storePaddingRecord(at: tailIndex, length: padding)
                    return 0
                }
                return tailIndex
            }
        }
    }

    // MARK: - Consumer (one thread)

    /// Hands up to `limit` messages, in tail order, to `handler(typeId,
    /// payload, length)` and returns how many. Padding is skipped and not
    /// counted. The payload pointer is valid only during the call (the bytes
    /// are zeroed afterwards). The head advances once per call, with release
    /// ordering. Returns 0 when nothing is ready. Consumer thread only; the
    /// handler must not call `read` on the same ring.
    @inlinable @inline(__always)
    public func read<E: Error>(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) throws(E) -> Void
    ) throws(E) -> Int {
        try memory.read(limit: limit, handler)
    }

    // MARK: - Statistics (any thread)

    /// Bytes in use: claimed, committed and unread, or padding.
    @inlinable public var size: Int { memory.size }

    /// Bytes ever claimed (the tail position).
    @inlinable public var producerPosition: Int64 { memory.producerPosition }

    /// Bytes ever consumed (the head position).
    @inlinable public var consumerPosition: Int64 { memory.consumerPosition }
}
