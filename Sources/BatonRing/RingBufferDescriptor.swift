/// Layout of a ring buffer's memory: a data region of power-of-two `capacity`
/// bytes followed by a trailer of three progress positions, each alone on its
/// own 128-byte region.
///
/// ```
///  0                                                              capacity
///  +----------------------------------------------------------------+
///  | data: records (RecordDescriptor), 8-byte aligned, contiguous   |
///  +----------------------------------------------------------------+
///  trailer (offsets below are relative to `capacity`):
///  0               8                                              128
///  +---------------+------------------------------------------------+
///  | tail position | padding (written by producers)                 |
///  +---------------+------------------------------------------------+
///  128             136                                            256
///  +---------------+------------------------------------------------+
///  | head cache    | padding (written by producers)                 |
///  +---------------+------------------------------------------------+
///  256             264                                            384
///  +---------------+------------------------------------------------+
///  | head position | padding (written by the consumer)              |
///  +---------------+------------------------------------------------+
/// ```
///
/// Positions are Int64 byte counts that only grow; `position & (capacity - 1)`
/// is the index in the data region.
///
/// - tail position: where the next record will be claimed. Producers advance
///   it (SPSC: a release store; MPSC: compare-and-set).
/// - head cache: the producers' last-seen copy of the head, so a producer
///   reads the consumer's line only when the cache says the ring looks full.
/// - head position: everything before it has been read and zeroed. Only the
///   consumer writes it, once per read batch, with release ordering.
///
/// False sharing: each position owns 128 bytes (two cache lines), so the
/// adjacent-line prefetcher, which fetches 128-byte aligned pairs, never drags
/// the consumer's head into a producer's cache or the other way round. The
/// tail and the head cache are written by the same side but sit apart as
/// well: in the MPSC ring the tail is CAS-hot while the head cache is read by
/// every claim, and a separate line keeps those reads from being invalidated
/// by every CAS. The data region is 128-byte aligned and a multiple of 128
/// bytes, so the trailer never shares a line with records.
public enum RingBufferDescriptor {
    /// Bytes per trailer slot: two cache lines.
    @inlinable public static var slotLength: Int { 128 }

    /// Offset of the tail position from the start of the trailer.
    @inlinable public static var tailPositionOffset: Int { 0 }

    /// Offset of the producers' head cache from the start of the trailer.
    @inlinable public static var headCachePositionOffset: Int { 128 }

    /// Offset of the head (consumer) position from the start of the trailer.
    @inlinable public static var headPositionOffset: Int { 256 }

    /// Length of the trailer that follows the data region.
    @inlinable public static var trailerLength: Int { 384 }

    /// Required alignment of the ring's memory.
    @inlinable public static var memoryAlignment: Int { 128 }

    /// Smallest data capacity accepted (a multiple of the memory alignment).
    @inlinable public static var minimumCapacity: Int { 128 }

    /// Largest data capacity accepted: record lengths are Int32.
    @inlinable public static var maximumCapacity: Int { 1 << 30 }

    /// True when `capacity` is a power of two in [minimumCapacity, maximumCapacity].
    @inlinable
    public static func isValidCapacity(_ capacity: Int) -> Bool {
        capacity >= minimumCapacity && capacity <= maximumCapacity && capacity & (capacity &- 1) == 0
    }

    /// Bytes of memory a ring of `capacity` data bytes needs: data plus trailer.
    @inlinable
    public static func totalLength(capacity: Int) -> Int {
        capacity &+ trailerLength
    }

    /// The longest payload a ring of `capacity` accepts: an eighth of it, so
    /// one message can never starve the ring for long.
    @inlinable
    public static func maxMessageLength(capacity: Int) -> Int {
        capacity / 8
    }
}

/// Layout of one record in a ring buffer's data region.
///
/// ```
///  0                4                8                        recordLength
///  +----------------+----------------+-----------------------------+-----+
///  | length (Int32) | type id (Int32)| payload                     | pad |
///  +----------------+----------------+-----------------------------+-----+
///                                                  aligned to 8 bytes ^
/// ```
///
/// - length: the record length, header included (`8 + payload length`), not
///   aligned. It is stored LAST, with release ordering, and the consumer
///   loads it with acquire ordering: a positive length means the type id and
///   the payload are complete. 0 means nothing written yet (the consumer
///   zeroes what it has read). Negative (`-recordLength`) means claimed but
///   not committed (`tryClaim` in both rings; also `write` in the MPSC ring
///   while it copies, as in Agrona; the SPSC `write` goes from 0 to positive
///   in one store): the consumer stops there until `commit` or `abort`.
/// - type id: the message type, >= 1; `paddingTypeId` (-1) marks a record the
///   consumer skips: the filler at the end of the data region when the next
///   record does not fit before it (so every record is contiguous), or an
///   aborted claim.
///
/// The next record starts at the current one rounded up to `alignment`.
/// Every field is little-endian native memory (the ring never leaves the host).
public enum RecordDescriptor {
    /// Length of the record header.
    @inlinable public static var headerLength: Int { 8 }

    /// Records start on multiples of this.
    @inlinable public static var alignment: Int { 8 }

    /// Offset of the Int32 record length within a record.
    @inlinable public static var lengthOffset: Int { 0 }

    /// Offset of the Int32 type id within a record.
    @inlinable public static var typeIdOffset: Int { 4 }

    /// Type id of a padding record (the consumer skips it). Reserved.
    @inlinable public static var paddingTypeId: Int32 { -1 }

    /// Bytes a record of `payloadLength` occupies in the ring, header and
    /// alignment included.
    @inlinable @inline(__always)
    public static func alignedRecordLength(payloadLength: Int) -> Int {
        (payloadLength &+ headerLength &+ (alignment &- 1)) & ~(alignment &- 1)
    }

    /// Rounds a record length up to the record alignment.
    @inlinable @inline(__always)
    public static func align(_ recordLength: Int) -> Int {
        (recordLength &+ (alignment &- 1)) & ~(alignment &- 1)
    }

    /// True for type ids an application may use (>= 1).
    @inlinable @inline(__always)
    public static func isValidTypeId(_ typeId: Int32) -> Bool {
        typeId >= 1
    }
}
