#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong in the durable log, each case naming the
/// path, the position and the OS error text where there is one.
public enum LogError: Error, Equatable, CustomStringConvertible {
    /// A configuration value breaks a rule; `key` names it.
    case invalidConfiguration(key: String, reason: String)
    /// The data directory does not exist or is not a directory.
    case missingDirectory(path: String)
    /// The data directory (or a file in it) cannot be written.
    case unwritableDirectory(path: String, errno: Int32)
    /// A system call failed on `path`.
    case io(operation: String, path: String, errno: Int32)
    /// The disk is full (`ENOSPC`) while writing `path` at log `position`.
    case noSpace(path: String, position: Int64)
    /// A segment file has the wrong size.
    case wrongSegmentSize(path: String, size: Int64, expected: Int64)
    /// Segment files are not contiguous (a base position is missing).
    case missingSegment(path: String)
    /// The metadata file is unreadable or disagrees with the configuration.
    case badMetadata(path: String, reason: String)
    /// A frame at or below the durable mark is invalid: the log refuses to open.
    case corruptDurableFrame(segment: String, position: Int64, reason: String)
    /// A read asked for a position that is not the start of a frame.
    case notFrameBoundary(position: Int64, reason: String)
    /// A read asked for a position beyond the end of the log.
    case pastEnd(position: Int64, end: Int64)
    /// A read asked for a position that retention has already deleted.
    case belowStart(position: Int64, start: Int64)
    /// A frame in a segment file is invalid where a valid one must be.
    case corruptFrame(segment: String, position: Int64, reason: String)
    /// The caller's buffer cannot hold the frame at `position`.
    case readBufferTooSmall(position: Int64, needed: Int)
    /// A small state file beside the segments (Raft's `raft-state`) is
    /// damaged: a bad magic, version, length or CRC, or values that break its
    /// invariant. Its contents must not be used.
    case corruptStateFile(path: String, reason: String)
    /// A state file cannot be written as asked: the state breaks a limit of
    /// the file's format (`reason` says which). Nothing was written.
    case unwritableStateFile(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(key, reason):
            return "invalid log configuration '\(key)': \(reason)"
        case let .missingDirectory(path):
            return "data directory \(path) does not exist or is not a directory"
        case let .unwritableDirectory(path, errno):
            return "data directory \(path) is not writable: \(errnoText(errno))"
        case let .io(operation, path, errno):
            return "\(operation) failed on \(path): \(errnoText(errno))"
        case let .noSpace(path, position):
            return "disk full (ENOSPC) writing \(path) at log position \(position); nothing durable was lost, writes are retried"
        case let .wrongSegmentSize(path, size, expected):
            return "segment file \(path) is \(size) bytes, expected \(expected)"
        case let .missingSegment(path):
            return "segment file \(path) is missing (segments must be contiguous)"
        case let .badMetadata(path, reason):
            return "log metadata \(path): \(reason)"
        case let .corruptDurableFrame(segment, position, reason):
            return "refusing to open: durable frame at position \(position) in \(segment) is corrupt (\(reason))"
        case let .notFrameBoundary(position, reason):
            return "position \(position) is not the start of a frame (\(reason))"
        case let .pastEnd(position, end):
            return "position \(position) is past the end of the log (\(end))"
        case let .belowStart(position, start):
            return "position \(position) is below the start of the log (\(start)); retention deleted it"
        case let .corruptFrame(segment, position, reason):
            return "corrupt frame at position \(position) in \(segment): \(reason)"
        case let .readBufferTooSmall(position, needed):
            return "the frame at position \(position) needs a read buffer of at least \(needed) bytes"
        case let .corruptStateFile(path, reason):
            return "state file \(path) is corrupt: \(reason)"
        case let .unwritableStateFile(path, reason):
            return "cannot write state file \(path): \(reason)"
        }
    }
}

/// `strerror` text with the number, e.g. "No space left on device (errno 28)".
public func errnoText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return "\(String(cString: text)) (errno \(code))"
}
