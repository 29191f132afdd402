/// The layout of a log frame: the unit of the log, on disk, in the log buffer
/// and on the replication wire (one format everywhere, so bytes are never
/// re-encoded between stages).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+  0
/// |                     frameLength (UInt32)                      |
/// +---------------------------------------------------------------+  4
/// |                       checksum (CRC32C)                       |
/// +---------------+---------------+-------------------------------+  8
/// |    version    |     flags     |          type (UInt16)        |
/// +---------------+---------------+-------------------------------+ 12
/// |                       streamId (UInt32)                       |
/// +---------------------------------------------------------------+ 16
/// |                    position (Int64, 8 bytes)                  |
/// +---------------------------------------------------------------+ 24
/// |                   producerId (UInt64, 8 bytes)                |
/// +---------------------------------------------------------------+ 32
/// |                    sequence (UInt64, 8 bytes)                 |
/// +---------------------------------------------------------------+ 40
/// |                 timestampNanos (Int64, 8 bytes)               |
/// +---------------------------------------------------------------+ 48
/// |                         payload ...                           |
/// +---------------------------------------------------------------+
/// |                padding to a 32-byte boundary                  |
/// +---------------------------------------------------------------+
/// ```
///
/// All fields little-endian.
/// - `frameLength`: header + payload bytes, not counting alignment padding.
///   0 means "nothing written here yet" (preallocated segments read as zeros).
/// - `checksum`: CRC32C over bytes `[8, frameLength)` of a data frame, or over
///   `[8, 32)` and then bytes `[0, 4)` (its `frameLength`) of a padding frame
///   (its body is not meaningful). Covering `position` means a frame copied to
///   the wrong place, or a stale frame from an earlier use of the same bytes,
///   fails the check. A data frame's length is covered implicitly (it bounds
///   the checksummed range); a padding frame's must be covered explicitly, or
///   a flipped length bit would pass the check and send a reader to the wrong
///   place — into the zeros of the padding body, read as the end of the log.
/// - `type`: `data` (1) or `padding` (2). A padding frame fills the gap to a
///   boundary no frame may cross (the end of a log-buffer lap or of a segment);
///   its `frameLength` is the whole gap (a multiple of 32, at least 32).
/// - `position`: the frame's own log position (the byte offset of its first byte).
/// - `producerId` + `sequence`: the publisher's identity and its message number,
///   used to drop resent duplicates.
/// - `timestampNanos`: when the ordering stage took the message (wall clock, ns since 1970).
public enum FrameDescriptor {
    public static let frameLengthOffset = 0
    public static let checksumOffset = 4
    public static let versionOffset = 8
    public static let flagsOffset = 9
    public static let typeOffset = 10
    public static let streamIdOffset = 12
    public static let positionOffset = 16
    public static let producerIdOffset = 24
    public static let sequenceOffset = 32
    public static let timestampOffset = 40

    /// Bytes of header before the payload.
    public static let headerLength = 48
    /// Every frame starts on a multiple of this.
    public static let alignment = 32
    /// The smallest frame there is (a padding frame of one alignment unit).
    public static let minimumFrameLength = 32
    /// The checksum of a frame covers its bytes from here on.
    public static let checksumStart = 8
    /// A padding frame's checksum covers `[checksumStart, paddingChecksumEnd)`,
    /// then its 4 `frameLength` bytes.
    public static let paddingChecksumEnd = 32
    /// The current frame format version.
    public static let currentVersion: UInt8 = 1
    /// Hard upper bound on one frame (header + payload), whatever the configuration says.
    public static let maximumFrameLength = 16 * 1024 * 1024

    /// `length` rounded up to the frame alignment.
    @inlinable @inline(__always)
    public static func aligned(_ length: Int) -> Int {
        (length &+ (alignment &- 1)) & ~(alignment &- 1)
    }

    /// The aligned log space a data frame with `payloadLength` bytes takes.
    @inlinable @inline(__always)
    public static func alignedFrameLength(payloadLength: Int) -> Int {
        aligned(headerLength &+ payloadLength)
    }
}

/// The kind of a frame (`FrameDescriptor.typeOffset`). A plain value: `Sendable`.
public enum FrameType: UInt16, Sendable {
    /// A message: header + payload.
    case data = 1
    /// Filler up to a boundary no frame may cross.
    case padding = 2
}
