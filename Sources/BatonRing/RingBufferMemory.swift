import CBatonSys

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The part of a ring buffer both flavours share: the view over its memory
/// (`RingBufferDescriptor` layout), the consumer's read path, commit/abort of
/// claims, and statistics. Only the claim of capacity differs between SPSC
/// (plain tail owned by one producer) and MPSC (CAS on the tail).
///
/// A value with `let` fields only, held as a `let` by the owning final class:
/// no exclusivity checks, no ARC in the loops that use it. It does not own the
/// memory.
@usableFromInline
struct RingBufferMemory {
    /// Start of the data region (index 0).
    @usableFromInline let buffer: UnsafeMutableRawPointer
    /// Bytes in the data region, a power of two.
    @usableFromInline let capacity: Int
    /// Longest payload accepted (`capacity / 8`).
    @usableFromInline let maxMessageLength: Int
    /// Trailer slots (see `RingBufferDescriptor`).
    @usableFromInline let tailPositionAddress: UnsafeMutableRawPointer
    @usableFromInline let headCachePositionAddress: UnsafeMutableRawPointer
    @usableFromInline let headPositionAddress: UnsafeMutableRawPointer

    /// A view over `totalLength` bytes at `memory` (data followed by the
    /// trailer). Preconditions: 128-byte alignment, a valid capacity.
    @usableFromInline
    init(memory: UnsafeMutableRawPointer, totalLength: Int) {
        let capacity = totalLength - RingBufferDescriptor.trailerLength
        precondition(
            RingBufferDescriptor.isValidCapacity(capacity),
            "ring buffer capacity \(capacity) (total length \(totalLength) minus trailer \(RingBufferDescriptor.trailerLength)) must be a power of two in [\(RingBufferDescriptor.minimumCapacity), \(RingBufferDescriptor.maximumCapacity)]"
        )
        precondition(
            Int(bitPattern: memory) % RingBufferDescriptor.memoryAlignment == 0,
            "ring buffer memory must be \(RingBufferDescriptor.memoryAlignment)-byte aligned"
        )
        let trailer = memory + capacity
        self.buffer = memory
        self.capacity = capacity
        self.maxMessageLength = RingBufferDescriptor.maxMessageLength(capacity: capacity)
        self.tailPositionAddress = trailer + RingBufferDescriptor.tailPositionOffset
        self.headCachePositionAddress = trailer + RingBufferDescriptor.headCachePositionOffset
        self.headPositionAddress = trailer + RingBufferDescriptor.headPositionOffset
        // Memory handed in may hold an earlier ring: its positions must obey
        // the invariant 0 <= head <= tail <= head + capacity.
        let head = baton_load_acquire_i64(headPositionAddress)
        let tail = baton_load_acquire_i64(tailPositionAddress)
        precondition(
            head >= 0 && head <= tail && tail - head <= Int64(capacity),
            "ring buffer memory holds inconsistent positions (head \(head), tail \(tail), capacity \(capacity))"
        )
    }

    /// Zeroed, 128-byte aligned memory for a ring of `capacity` (freed with `free`).
    @usableFromInline
    static func allocateZeroed(capacity: Int) -> (memory: UnsafeMutableRawPointer, totalLength: Int) {
        precondition(
            RingBufferDescriptor.isValidCapacity(capacity),
            "ring buffer capacity \(capacity) must be a power of two in [\(RingBufferDescriptor.minimumCapacity), \(RingBufferDescriptor.maximumCapacity)]"
        )
        let totalLength = RingBufferDescriptor.totalLength(capacity: capacity)
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, RingBufferDescriptor.memoryAlignment, totalLength)
        precondition(rc == 0 && raw != nil, "cannot allocate a ring buffer of \(totalLength) bytes (error \(rc))")
        memset(raw!, 0, totalLength)
        return (raw!, totalLength)
    }

    // MARK: - Checks

    /// Throws for a message no ring of this capacity accepts.
    @inlinable @inline(__always)
    func checkMessage(typeId: Int32, length: Int) throws(RingBufferError) {
        guard RecordDescriptor.isValidTypeId(typeId) else {
            throw .invalidTypeId(typeId: typeId)
        }
        guard length >= 0 else {
            throw .negativeLength(length: length)
        }
        guard length <= maxMessageLength else {
            throw .messageTooLong(length: length, maxMessageLength: maxMessageLength)
        }
    }

    // MARK: - Producer side (the producer that owns the claimed space)

    /// Publishes a padding record filling [index, capacity): the consumer
    /// skips it and continues at index 0. Type first, length last (release).
    @inlinable @inline(__always)
    func storePaddingRecord(at recordIndex: Int, length: Int) {
        let record = buffer + recordIndex
        baton_store_plain_i32(record + RecordDescriptor.typeIdOffset, RecordDescriptor.paddingTypeId)
        baton_store_release_i32(record + RecordDescriptor.lengthOffset, Int32(truncatingIfNeeded: length))
    }

    /// Marks a freshly claimed record as claimed-but-not-committed: the type
    /// id, then the negated record length (release), which stops the consumer
    /// here and lets `commit`/`abort` find the length again.
    @inlinable @inline(__always)
    func storeClaimedHeader(at recordIndex: Int, typeId: Int32, recordLength: Int) {
        let record = buffer + recordIndex
        baton_store_plain_i32(record + RecordDescriptor.typeIdOffset, typeId)
        baton_store_release_i32(record + RecordDescriptor.lengthOffset, Int32(truncatingIfNeeded: 0 &- recordLength))
    }

    /// Copies the payload, then stores the type id and, last and with release
    /// ordering, the positive record length: the record is now readable.
    @inlinable @inline(__always)
    func storeRecord(at recordIndex: Int, typeId: Int32, source: UnsafeRawPointer, length: Int) {
        let record = buffer + recordIndex
        copyPayload(to: record + RecordDescriptor.headerLength, from: source, length: length)
        baton_store_plain_i32(record + RecordDescriptor.typeIdOffset, typeId)
        baton_store_release_i32(
            record + RecordDescriptor.lengthOffset,
            Int32(truncatingIfNeeded: length &+ RecordDescriptor.headerLength)
        )
    }

    /// Copies a payload into the ring. Up to 64 bytes inline with two
    /// overlapping unaligned moves (head and tail) of the largest width that
    /// fits, as memcpy does internally but without the call: measured ~10%
    /// more SPSC throughput for 64-byte messages than `copyMemory` (a PLT
    /// call to memmove/memcpy). Longer payloads go to memcpy.
    @inlinable @inline(__always)
    func copyPayload(to destination: UnsafeMutableRawPointer, from source: UnsafeRawPointer, length: Int) {
        if length > 64 {
            destination.copyMemory(from: source, byteCount: length)
        } else if length > 32 {
            let head = source.loadUnaligned(as: SIMD32<UInt8>.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 32, as: SIMD32<UInt8>.self)
            destination.storeBytes(of: head, as: SIMD32<UInt8>.self)
            destination.storeBytes(of: tail, toByteOffset: length &- 32, as: SIMD32<UInt8>.self)
        } else if length > 16 {
            let head = source.loadUnaligned(as: SIMD16<UInt8>.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 16, as: SIMD16<UInt8>.self)
            destination.storeBytes(of: head, as: SIMD16<UInt8>.self)
            destination.storeBytes(of: tail, toByteOffset: length &- 16, as: SIMD16<UInt8>.self)
        } else if length >= 8 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 8, as: UInt64.self)
            destination.storeBytes(of: head, as: UInt64.self)
            destination.storeBytes(of: tail, toByteOffset: length &- 8, as: UInt64.self)
        } else if length >= 4 {
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 4, as: UInt32.self)
            destination.storeBytes(of: head, as: UInt32.self)
            destination.storeBytes(of: tail, toByteOffset: length &- 4, as: UInt32.self)
        } else if length >= 2 {
            let head = source.loadUnaligned(as: UInt16.self)
            let tail = source.loadUnaligned(fromByteOffset: length &- 2, as: UInt16.self)
            destination.storeBytes(of: head, as: UInt16.self)
            destination.storeBytes(of: tail, toByteOffset: length &- 2, as: UInt16.self)
        } else if length == 1 {
            destination.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
        }
    }

    /// The claimed record whose payload is at `index`, checked: in range,
    /// aligned, and still claimed (negative length). Returns the record
    /// address and its (positive) record length.
    @inlinable @inline(__always)
    func claimedRecord(payloadIndex index: Int, operation: StaticString) -> (UnsafeMutableRawPointer, Int32) {
        let recordIndex = index &- RecordDescriptor.headerLength
        precondition(
            UInt(bitPattern: recordIndex) < UInt(bitPattern: capacity) && recordIndex & (RecordDescriptor.alignment &- 1) == 0,
            "\(operation): index \(index) is not a claimed payload index of this ring buffer"
        )
        let record = buffer + recordIndex
        // Plain load: this producer wrote the negative length itself.
        let negatedLength = baton_load_plain_i32(record + RecordDescriptor.lengthOffset)
        precondition(
            negatedLength < 0,
            "\(operation): the record at index \(index) is not claimed (already committed or aborted?)"
        )
        return (record, 0 &- negatedLength)
    }

    /// Makes a claimed record readable (release store of its positive length).
    @inlinable @inline(__always)
    func commit(index: Int) {
        let (record, recordLength) = claimedRecord(payloadIndex: index, operation: "commit")
        baton_store_release_i32(record + RecordDescriptor.lengthOffset, recordLength)
    }

    /// Turns a claimed record into padding: the consumer skips its bytes.
    @inlinable @inline(__always)
    func abort(index: Int) {
        let (record, recordLength) = claimedRecord(payloadIndex: index, operation: "abort")
        baton_store_plain_i32(record + RecordDescriptor.typeIdOffset, RecordDescriptor.paddingTypeId)
        baton_store_release_i32(record + RecordDescriptor.lengthOffset, recordLength)
    }

    // MARK: - Consumer side (one thread)

    /// Reads up to `limit` committed records in order, skipping padding,
    /// continuing across the end of the data region. Stops at the first
    /// record not yet committed (length <= 0). The consumed bytes are zeroed
    /// and the head advanced ONCE, with release ordering, when the batch ends
    /// (also when the handler throws: the record it threw on counts as read).
    @inlinable @inline(__always)
    func read<E: Error>(
        limit: Int,
        _ handler: (_ typeId: Int32, _ payload: UnsafeMutableRawPointer, _ length: Int) throws(E) -> Void
    ) throws(E) -> Int {
        let buffer = self.buffer
        let capacity = self.capacity
        let mask = capacity &- 1
        // Plain load: only this (consumer) thread writes the head.
        let head = Int(baton_load_plain_i64(headPositionAddress))
        var bytesRead = 0
        var messagesRead = 0
        defer {
            if bytesRead != 0 {
                consume(head: head, bytesRead: bytesRead)
            }
        }
        // bytesRead < capacity: the producers never write past the head, which
        // this batch does not move, so at most `capacity` bytes are readable.
        while messagesRead < limit && bytesRead < capacity {
            let record = buffer + ((head &+ bytesRead) & mask)
            let recordLength = Int(baton_load_acquire_i32(record + RecordDescriptor.lengthOffset))
            if recordLength <= 0 {
                break
            }
            bytesRead &+= RecordDescriptor.align(recordLength)
            let typeId = baton_load_plain_i32(record + RecordDescriptor.typeIdOffset)
            if typeId == RecordDescriptor.paddingTypeId {
                continue
            }
            messagesRead &+= 1
            try handler(typeId, record + RecordDescriptor.headerLength, recordLength &- RecordDescriptor.headerLength)
        }
        return messagesRead
    }

    /// Zeroes [head, head + bytesRead) (in two pieces when it wraps) so the
    /// producers find length 0 where they claim next, then publishes the new
    /// head with release ordering: the zeroes are visible before the space is.
    @inlinable @inline(__always)
    func consume(head: Int, bytesRead: Int) {
        let headIndex = head & (capacity &- 1)
        let toBufferEnd = capacity &- headIndex
        if bytesRead <= toBufferEnd {
            memset(buffer + headIndex, 0, bytesRead)
        } else {
            memset(buffer + headIndex, 0, toBufferEnd)
            memset(buffer, 0, bytesRead &- toBufferEnd)
        }
        baton_store_release_i64(headPositionAddress, Int64(head &+ bytesRead))
    }

    // MARK: - Statistics (any thread)

    /// Bytes between head and tail (claimed, committed or padding), read as
    /// a consistent pair: the head is re-read until it did not move across
    /// the tail read.
    @inlinable
    var size: Int {
        var headBefore = baton_load_acquire_i64(headPositionAddress)
        while true {
            let tail = baton_load_acquire_i64(tailPositionAddress)
            let headAfter = baton_load_acquire_i64(headPositionAddress)
            if headAfter == headBefore {
                return min(max(Int(tail &- headAfter), 0), capacity)
            }
            headBefore = headAfter
        }
    }

    @inlinable
    var producerPosition: Int64 { baton_load_acquire_i64(tailPositionAddress) }

    @inlinable
    var consumerPosition: Int64 { baton_load_acquire_i64(headPositionAddress) }
}
