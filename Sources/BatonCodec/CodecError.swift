/// Why bytes could not be decoded (or encoded): the error every checked codec
/// operation throws with typed throws, `throws(CodecError)`, so the hot path
/// never boxes an existential error and never allocates to fail.
///
/// Each case carries the numbers a reader of a log line needs, and
/// `description` spells them out ("message header needs 8 bytes, 5 available").
/// A `CodecError` means untrusted input was bad: the caller rejects the input
/// (an Error to the client, a dropped datagram) and carries on. Programmer
/// errors (a negative payload length passed to an encoder) trap instead.
///
/// A plain value: `Sendable`, no references.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than `MessageHeaderDescriptor.length` (8) bytes: no whole message header.
    case headerTruncated(available: Int)
    /// The header's `blockLength` runs past the end of the buffer.
    /// `available` counts the bytes after the header.
    case blockBeyondBuffer(blockLength: Int, available: Int)
    /// The header names a schema this decoder does not speak.
    case wrongSchema(found: UInt16, expected: UInt16)
    /// The header's schema version is outside the versions this build reads.
    case unsupportedVersion(found: UInt16, supported: ClosedRange<UInt16>)
    /// The message is a different template from the one asked for.
    case unexpectedTemplate(found: UInt16, expected: UInt16)
    /// The message's root block is shorter than the fields this build reads.
    case blockTooShort(templateId: UInt16, blockLength: Int, minimum: Int)
    /// A read of `needed` bytes at `offset` would pass the end (`remaining` bytes left).
    /// A negative `needed` (a length computed from bad input) lands here too.
    case readPastEnd(offset: Int, needed: Int, remaining: Int)
    /// A write of `needed` bytes at `offset` would pass the end (`remaining` bytes of space left).
    case writePastEnd(offset: Int, needed: Int, remaining: Int)
    /// A length (a prefix read from the wire, or bytes given to a writer) is above
    /// the limit: the caller's maximum, or what the prefix type can express.
    case lengthOverLimit(length: UInt64, limit: UInt64)

    public var description: String {
        switch self {
        case let .headerTruncated(available):
            return "message header needs \(MessageHeaderDescriptor.length) bytes, \(available) available"
        case let .blockBeyondBuffer(blockLength, available):
            return "message block length \(blockLength) runs past the buffer: \(available) bytes after the header"
        case let .wrongSchema(found, expected):
            return "schema id \(found), expected \(expected)"
        case let .unsupportedVersion(found, supported):
            return "schema version \(found) not supported (this build reads versions \(supported.lowerBound) to \(supported.upperBound))"
        case let .unexpectedTemplate(found, expected):
            return "template id \(found), expected \(expected)"
        case let .blockTooShort(templateId, blockLength, minimum):
            return "template \(templateId) block of \(blockLength) bytes is shorter than the \(minimum) bytes this build reads"
        case let .readPastEnd(offset, needed, remaining):
            return "read of \(needed) bytes at offset \(offset) passes the end: \(remaining) bytes remain"
        case let .writePastEnd(offset, needed, remaining):
            return "write of \(needed) bytes at offset \(offset) passes the end: \(remaining) bytes of space remain"
        case let .lengthOverLimit(length, limit):
            return "length \(length) exceeds the limit of \(limit) bytes"
        }
    }
}
