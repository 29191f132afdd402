/// A flyweight over the 8-byte header that starts every protocol message. See
/// `MessageHeaderDescriptor` for the layout.
///
/// Encode: `wrapForEncode(_:)` checks the space, `write(...)` fills the fields
/// (or `ByteWriter.beginMessage(_:schema:)` does both and reserves the block).
/// Decode: `decode(_:schema:)` checks everything the header claims against the
/// bytes and the schema and returns a `DecodedMessage`; it never traps and
/// never reads outside the buffer, whatever the bytes say.
///
/// Invariant: holds only the address (no allocation, no ARC); the fields are
/// read and written in place, unchecked, once the wrapper has checked there
/// are 8 bytes. Threading: as safe as the memory it views.
@frozen
public struct MessageHeader: FixedLengthFlyweight {
    public let address: UnsafeMutableRawPointer

    @inlinable @inline(__always)
    public init(_ address: UnsafeMutableRawPointer) { self.address = address }

    @inlinable public static var encodedLength: Int { MessageHeaderDescriptor.length }

    /// Bytes of the root block after the header.
    @inlinable public var blockLength: UInt16 {
        get { load(at: MessageHeaderDescriptor.blockLengthOffset) }
        nonmutating set { store(newValue, at: MessageHeaderDescriptor.blockLengthOffset) }
    }
    /// Which message of the schema follows.
    @inlinable public var templateId: UInt16 {
        get { load(at: MessageHeaderDescriptor.templateIdOffset) }
        nonmutating set { store(newValue, at: MessageHeaderDescriptor.templateIdOffset) }
    }
    /// Which protocol the message belongs to.
    @inlinable public var schemaId: UInt16 {
        get { load(at: MessageHeaderDescriptor.schemaIdOffset) }
        nonmutating set { store(newValue, at: MessageHeaderDescriptor.schemaIdOffset) }
    }
    /// The schema version the sender wrote.
    @inlinable public var version: UInt16 {
        get { load(at: MessageHeaderDescriptor.versionOffset) }
        nonmutating set { store(newValue, at: MessageHeaderDescriptor.versionOffset) }
    }

    /// Writes all four fields.
    @inlinable @inline(__always)
    public func write(blockLength: UInt16, templateId: UInt16, schemaId: UInt16, version: UInt16) {
        self.blockLength = blockLength
        self.templateId = templateId
        self.schemaId = schemaId
        self.version = version
    }

    /// Writes all four fields for a message of `templateId` under `schema`'s id and written version.
    @inlinable @inline(__always)
    public func write(blockLength: UInt16, templateId: UInt16, schema: MessageSchema) {
        write(blockLength: blockLength, templateId: templateId, schemaId: schema.id, version: schema.version)
    }

    /// Wraps the start of `buffer` for encoding, after checking it has room for
    /// the header (`CodecError.writePastEnd` if not). Writes nothing.
    @inlinable
    public static func wrapForEncode(_ buffer: UnsafeMutableRawBufferPointer) throws(CodecError) -> MessageHeader {
        let length = MessageHeaderDescriptor.length
        guard buffer.count >= length, let base = buffer.baseAddress else {
            throw .writePastEnd(offset: 0, needed: length, remaining: buffer.count)
        }
        return MessageHeader(base)
    }

    /// Checks that `buffer` (exactly one message's bytes, from an untrusted
    /// peer) starts with a header of `schema` in a supported version whose root
    /// block fits, and returns the decoded view.
    ///
    /// Checked in this order, the first failure thrown: the header fits
    /// (`headerTruncated`), the schema id (`wrongSchema`), the version
    /// (`unsupportedVersion`), the block fits (`blockBeyondBuffer`). Reads only
    /// the 8 header bytes; never traps.
    @inlinable
    public static func decode(_ buffer: UnsafeRawBufferPointer, schema: MessageSchema) throws(CodecError) -> DecodedMessage {
        let headerLength = MessageHeaderDescriptor.length
        guard buffer.count >= headerLength, let base = buffer.baseAddress else {
            throw .headerTruncated(available: buffer.count)
        }
        let header = MessageHeader(UnsafeMutableRawPointer(mutating: base))
        let schemaId = header.schemaId
        guard schemaId == schema.id else { throw .wrongSchema(found: schemaId, expected: schema.id) }
        let version = header.version
        guard schema.supportedVersions.contains(version) else {
            throw .unsupportedVersion(found: version, supported: schema.supportedVersions)
        }
        let blockLength = Int(header.blockLength)
        let available = buffer.count &- headerLength
        guard blockLength <= available else { throw .blockBeyondBuffer(blockLength: blockLength, available: available) }
        return DecodedMessage(base: base, count: buffer.count)
    }
}
