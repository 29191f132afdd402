/// The verdict of `FrameHeader.check`: a valid frame, or exactly what is wrong,
/// with the numbers (`description` spells them out for a log line). Returned,
/// not thrown: on the read path an invalid frame is an expected outcome (the
/// end of the log, a torn write), not an error. A plain value: `Sendable`.
public enum FrameCheck: Equatable, Sendable, CustomStringConvertible {
    /// A whole, valid frame of `frameLength` bytes (not counting alignment padding).
    case valid(frameLength: Int, type: FrameType)
    /// `frameLength` is 0: nothing has been written here (the end of the log).
    case empty
    /// Fewer bytes are available than the frame needs.
    case truncated(needed: Int, available: Int)
    /// `frameLength` is below the header or above the limit.
    case badLength(Int)
    /// The version byte is not one this build reads.
    case unsupportedVersion(UInt8)
    /// The type code is neither data nor padding.
    case unknownType(UInt16)
    /// The stored CRC32C does not match the bytes.
    case badChecksum(stored: UInt32, computed: UInt32)
    /// A valid-looking frame that claims another position (misplaced or stale).
    case wrongPosition(found: Int64, expected: Int64)

    /// True for `.valid`.
    @inlinable public var isValid: Bool { if case .valid = self { return true } else { return false } }

    public var description: String {
        switch self {
        case let .valid(length, type): return "valid \(type) frame of \(length) bytes"
        case .empty: return "no frame (length 0)"
        case let .truncated(needed, available): return "truncated frame: needs \(needed) bytes, \(available) available"
        case let .badLength(length): return "invalid frame length \(length)"
        case let .unsupportedVersion(version): return "unsupported frame version \(version) (this build reads \(FrameDescriptor.currentVersion))"
        case let .unknownType(code): return "unknown frame type \(code)"
        case let .badChecksum(stored, computed):
            return "checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16))"
        case let .wrongPosition(found, expected): return "frame claims position \(found), expected \(expected)"
        }
    }
}
