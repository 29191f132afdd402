/// A bounds-checked cursor that reads little-endian integers, byte strings
/// and flyweights from untrusted bytes (the variable-length part of a
/// message: Publish and Deliver batches, Error texts).
///
/// Every read checks its size against the bytes remaining and throws
/// `CodecError.readPastEnd` (or `.lengthOverLimit`) instead of reading
/// outside the buffer or trapping, whatever the bytes say. A failed read moves
/// nothing: the offset stays where it was.
///
/// Invariant: `0 <= offset <= buffer.count`. Holds the buffer and an offset
/// (no allocation, no ARC); byte strings it returns point into the buffer.
/// Threading: a value owned by one thread; as safe as the memory it reads.
@frozen
public struct ByteReader {
    /// The bytes being read.
    public let buffer: UnsafeRawBufferPointer
    @usableFromInline var offsetStorage: Int

    /// A reader at the start of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
        self.offsetStorage = 0
    }

    /// Bytes read (or skipped) so far.
    @inlinable public var offset: Int { offsetStorage }
    /// Bytes left to read.
    @inlinable public var remaining: Int { buffer.count &- offsetStorage }
    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { offsetStorage == buffer.count }
    /// The bytes not yet read.
    @inlinable public var remainingBytes: UnsafeRawBufferPointer { view(at: offsetStorage, count: remaining) }

    /// Throws unless `count` bytes (`count >= 0`) remain from `offset`.
    @inlinable @inline(__always)
    func require(_ count: Int) throws(CodecError) {
        // One unsigned compare also rejects a negative count.
        if _slowPath(UInt(bitPattern: count) > UInt(bitPattern: remaining)) { throw overrun(count) }
    }

    /// The error for a read of `count` bytes that does not fit; out of line, off the hot path.
    @usableFromInline @inline(never)
    func overrun(_ count: Int) -> CodecError {
        .readPastEnd(offset: offsetStorage, needed: count, remaining: remaining)
    }

    /// `count` bytes at `start`, already checked in bounds.
    @inlinable @inline(__always)
    func view(at start: Int, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + start }, count: count)
    }

    /// Reads a little-endian integer.
    @inlinable @inline(__always)
    public mutating func read<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(CodecError) -> T {
        let value: T = try peek(T.self)
        offsetStorage &+= MemoryLayout<T>.size
        return value
    }

    /// The little-endian integer at the offset, without moving past it.
    @inlinable @inline(__always)
    public func peek<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(CodecError) -> T {
        try require(MemoryLayout<T>.size)
        // `require` passed with a size of at least 1, so the buffer is not empty.
        return buffer.baseAddress.unsafelyUnwrapped.loadLittleEndian(fromByteOffset: offsetStorage, as: T.self)
    }

    /// The next `count` bytes, in place (no copy).
    @inlinable @inline(__always)
    public mutating func readBytes(count: Int) throws(CodecError) -> UnsafeRawBufferPointer {
        try require(count)
        let bytes = view(at: offsetStorage, count: count)
        offsetStorage &+= count
        return bytes
    }

    /// Moves past `count` bytes.
    @inlinable @inline(__always)
    public mutating func skip(_ count: Int) throws(CodecError) {
        try require(count)
        offsetStorage &+= count
    }

    /// A byte string written as a little-endian `Prefix` length and then that
    /// many bytes; returns the bytes in place. Throws `lengthOverLimit` when the
    /// length is above `maximumLength`, `readPastEnd` when the prefix or the
    /// bytes are not all there; either way the offset does not move.
    @inlinable
    public mutating func readLengthPrefixedBytes<Prefix: FixedWidthInteger & UnsignedInteger>(
        prefix: Prefix.Type, maximumLength: Int = Int.max
    ) throws(CodecError) -> UnsafeRawBufferPointer {
        let prefixLength = MemoryLayout<Prefix>.size
        let prefixValue = try peek(Prefix.self)
        let limit = UInt64(max(maximumLength, 0))
        // `exactly`: a prefix wider than 64 bits must not be truncated into a small length.
        guard let rawLength = UInt64(exactly: prefixValue), rawLength <= limit else {
            throw .lengthOverLimit(length: UInt64(clamping: prefixValue), limit: limit)
        }
        let length = Int(truncatingIfNeeded: rawLength) // <= maximumLength <= Int.max
        if length > remaining &- prefixLength {
            throw .readPastEnd(offset: offsetStorage &+ prefixLength, needed: length, remaining: remaining &- prefixLength)
        }
        let bytes = view(at: offsetStorage &+ prefixLength, count: length)
        offsetStorage &+= prefixLength &+ length
        return bytes
    }

    /// Wraps a fixed-length flyweight at the offset and moves past it, after
    /// checking its bytes are all there. Read from it; write through it only
    /// if the memory is yours to write.
    @inlinable
    public mutating func readFlyweight<F: FixedLengthFlyweight>(_ type: F.Type) throws(CodecError) -> F {
        let length = F.encodedLength
        try require(length)
        // A zero-length flyweight over an empty buffer has no address to take.
        guard let base = buffer.baseAddress else { throw .readPastEnd(offset: offsetStorage, needed: length, remaining: 0) }
        let flyweight = F(UnsafeMutableRawPointer(mutating: base + offsetStorage))
        offsetStorage &+= length
        return flyweight
    }
}
