/// A bounds-checked cursor that writes little-endian integers, byte strings,
/// flyweights and whole messages into a buffer (a send buffer, a ring slot).
///
/// Every write checks its size against the space remaining and throws
/// `CodecError.writePastEnd` (or `.lengthOverLimit`) instead of writing
/// outside the buffer. A failed write writes nothing and moves nothing.
///
/// Invariant: `0 <= offset <= buffer.count`; `[0, offset)` holds what was
/// written. Holds the buffer and an offset (no allocation, no ARC).
/// Threading: a value owned by one thread; as safe as the memory it writes.
@frozen
public struct ByteWriter {
    /// The space being written.
    public let buffer: UnsafeMutableRawBufferPointer
    @usableFromInline var offsetStorage: Int

    /// A writer at the start of `buffer`.
    @inlinable
    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
        self.offsetStorage = 0
    }

    /// Bytes written (or reserved) so far.
    @inlinable public var offset: Int { offsetStorage }
    /// Bytes of space left.
    @inlinable public var remaining: Int { buffer.count &- offsetStorage }
    /// The bytes written so far: `[0, offset)`.
    @inlinable public var written: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[0..<offsetStorage]) }

    /// Throws unless `count` bytes (`count >= 0`) of space remain.
    @inlinable @inline(__always)
    func require(_ count: Int) throws(CodecError) {
        // One unsigned compare also rejects a negative count.
        if _slowPath(UInt(bitPattern: count) > UInt(bitPattern: remaining)) { throw overrun(count) }
    }

    /// The error for a write of `count` bytes that does not fit; out of line, off the hot path.
    @usableFromInline @inline(never)
    func overrun(_ count: Int) -> CodecError {
        .writePastEnd(offset: offsetStorage, needed: count, remaining: remaining)
    }

    /// Writes a little-endian integer.
    @inlinable @inline(__always)
    public mutating func write<T: FixedWidthInteger>(_ value: T) throws(CodecError) {
        try require(MemoryLayout<T>.size)
        // `require` passed with a size of at least 1, so the buffer is not empty.
        buffer.baseAddress.unsafelyUnwrapped.storeLittleEndian(value, toByteOffset: offsetStorage)
        offsetStorage &+= MemoryLayout<T>.size
    }

    /// Copies `bytes` in.
    @inlinable @inline(__always)
    public mutating func write(bytes: UnsafeRawBufferPointer) throws(CodecError) {
        try require(bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            (buffer.baseAddress.unsafelyUnwrapped + offsetStorage).copyMemory(from: source, byteCount: bytes.count)
        }
        offsetStorage &+= bytes.count
    }

    /// Writes `bytes.count` as a little-endian `Prefix`, then the bytes.
    /// Throws `lengthOverLimit` when the count does not fit in `Prefix`,
    /// `writePastEnd` when prefix and bytes do not both fit; either way
    /// nothing is written.
    @inlinable
    public mutating func writeLengthPrefixed<Prefix: FixedWidthInteger & UnsignedInteger>(
        bytes: UnsafeRawBufferPointer, prefix: Prefix.Type
    ) throws(CodecError) {
        guard let length = Prefix(exactly: bytes.count) else {
            throw .lengthOverLimit(length: UInt64(bytes.count), limit: UInt64(truncatingIfNeeded: Prefix.max))
        }
        try require(MemoryLayout<Prefix>.size &+ bytes.count)
        try write(length)
        try write(bytes: bytes)
    }

    /// Writes a string's UTF-8 bytes with a little-endian `Prefix` length
    /// (an Error text). Not for the hot path: a non-native string is copied.
    @inlinable
    public mutating func writeLengthPrefixed<Prefix: FixedWidthInteger & UnsignedInteger>(
        utf8 string: String, prefix: Prefix.Type
    ) throws(CodecError) {
        var string = string
        let result: Result<Void, CodecError> = string.withUTF8 { utf8 in
            do throws(CodecError) {
                try writeLengthPrefixed(bytes: UnsafeRawBufferPointer(utf8), prefix: Prefix.self)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Reserves `count` bytes to be filled in place (a length to patch once a
    /// batch is complete, a payload to copy straight in) and returns their
    /// first byte.
    @inlinable @inline(__always)
    public mutating func reserve(_ count: Int) throws(CodecError) -> UnsafeMutableRawPointer {
        try require(count)
        guard let base = buffer.baseAddress else { throw .writePastEnd(offset: offsetStorage, needed: count, remaining: 0) }
        let start = base + offsetStorage
        offsetStorage &+= count
        return start
    }

    /// Reserves a fixed-length flyweight's bytes and returns it, to be filled.
    @inlinable
    public mutating func writeFlyweight<F: FixedLengthFlyweight>(_ type: F.Type) throws(CodecError) -> F {
        F(try reserve(F.encodedLength))
    }

    /// Writes the message header for `M` under `schema` (template id, block
    /// length, schema id and written version), reserves the root block and
    /// returns it to be filled. Variable-length fields follow with more writes.
    /// Nothing is written unless header and block both fit.
    @inlinable
    public mutating func beginMessage<M: MessageFlyweight>(_ type: M.Type, schema: MessageSchema) throws(CodecError) -> M {
        guard let blockLength = UInt16(exactly: M.encodedLength) else {
            preconditionFailure("\(M.self).encodedLength \(M.encodedLength) does not fit the header's UInt16 blockLength")
        }
        try require(MessageHeaderDescriptor.length &+ M.encodedLength)
        let header = MessageHeader(try reserve(MessageHeaderDescriptor.length))
        header.write(blockLength: blockLength, templateId: M.templateId, schema: schema)
        return M(try reserve(M.encodedLength))
    }
}
