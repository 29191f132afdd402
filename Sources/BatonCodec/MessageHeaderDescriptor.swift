/// The layout of the message header that starts every protocol message (client
/// and replication), in the manner of SBE's `messageHeader` composite: it says
/// which message follows, under which schema and version, and how long the
/// fixed root block is, so old and new peers can talk.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-------------------------------+-------------------------------+  0
/// |      blockLength (UInt16)     |      templateId (UInt16)      |
/// +-------------------------------+-------------------------------+  4
/// |       schemaId (UInt16)       |        version (UInt16)       |
/// +-------------------------------+-------------------------------+  8
/// |              root block: blockLength bytes of fixed           |
/// |              fields, read through a MessageFlyweight          |
/// +---------------------------------------------------------------+
/// |     variable-length fields (length-prefixed byte strings,     |
/// |     batches), read and written with ByteReader/ByteWriter     |
/// +---------------------------------------------------------------+
/// ```
///
/// All fields little-endian.
/// - `blockLength`: bytes of the root block that follows the header. A newer
///   peer may send a longer block than this build knows; the reader uses its
///   own fields and skips the rest, so variable-length fields start at
///   `length + blockLength` whatever the version.
/// - `templateId`: which message this is, within the schema.
/// - `schemaId`: which protocol (client, replication); a mismatch is rejected.
/// - `version`: the schema version the sender wrote.
///
/// The header does not say how long the whole message is: the transport frames
/// messages (a length prefix on TCP, the datagram on UDP) and the decoder is
/// given exactly one message's bytes.
public enum MessageHeaderDescriptor {
    @inlinable public static var blockLengthOffset: Int { 0 }
    @inlinable public static var templateIdOffset: Int { 2 }
    @inlinable public static var schemaIdOffset: Int { 4 }
    @inlinable public static var versionOffset: Int { 6 }

    /// Bytes of header before the root block.
    @inlinable public static var length: Int { 8 }
}
