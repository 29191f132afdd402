/// One message whose header `MessageHeader.decode(_:schema:)` has checked:
/// the header fits, names the expected schema in a supported version, and its
/// root block fits in the bytes. The layout is in `MessageHeaderDescriptor`.
///
/// Invariant: `count >= MessageHeaderDescriptor.length + blockLength`, so
/// `block` and `trailing` are in bounds. Only `decode` makes one.
/// Holds a pointer and a count (no allocation, no ARC); threading: as safe as
/// the memory it views, which must outlive it.
@frozen
public struct DecodedMessage {
    /// The first byte of the message (its header).
    public let base: UnsafeRawPointer
    /// Bytes of the whole message: header, root block, variable-length fields.
    public let count: Int

    @usableFromInline
    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
    }

    /// The checked header. Read it; do not write through it unless the
    /// memory is yours to write.
    @inlinable public var header: MessageHeader { MessageHeader(UnsafeMutableRawPointer(mutating: base)) }
    @inlinable public var templateId: UInt16 { header.templateId }
    @inlinable public var version: UInt16 { header.version }
    @inlinable public var blockLength: Int { Int(header.blockLength) }

    /// The whole message.
    @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The root block: `blockLength` bytes after the header.
    @inlinable public var block: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + MessageHeaderDescriptor.length, count: blockLength)
    }

    /// The variable-length fields: everything after the root block.
    @inlinable public var trailing: UnsafeRawBufferPointer {
        let start = MessageHeaderDescriptor.length &+ blockLength
        return UnsafeRawBufferPointer(start: base + start, count: count &- start)
    }

    /// A cursor over the variable-length fields.
    @inlinable public func trailingReader() -> ByteReader { ByteReader(trailing) }

    /// The root block as `M`, after checking the template id
    /// (`unexpectedTemplate`) and that the block holds all of `M`'s fields
    /// (`blockTooShort`). A longer block, from a newer peer, is accepted.
    @inlinable
    public func block<M: MessageFlyweight>(as type: M.Type) throws(CodecError) -> M {
        let templateId = self.templateId
        guard templateId == M.templateId else { throw .unexpectedTemplate(found: templateId, expected: M.templateId) }
        let blockLength = self.blockLength
        guard blockLength >= M.encodedLength else {
            throw .blockTooShort(templateId: templateId, blockLength: blockLength, minimum: M.encodedLength)
        }
        return M(UnsafeMutableRawPointer(mutating: base + MessageHeaderDescriptor.length))
    }
}
