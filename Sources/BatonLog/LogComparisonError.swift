/// Why `LogComparison.compare` could not compare (as opposed to finding
/// that the logs differ, which is a result, not an error). Each case names
/// the directory or the argument at fault.
/// Threading: an immutable value.
public enum LogComparisonError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than two directories were given.
    case tooFewLogs(count: Int)
    /// `upTo` is negative.
    case invalidLimit(Int64)
    /// `directory` is missing, unreadable or not a log directory; `reason` is the underlying `LogError`'s text.
    case unreadable(directory: String, reason: String)

    public var description: String {
        switch self {
        case let .tooFewLogs(count):
            return "comparing needs at least two log directories; \(count) given"
        case let .invalidLimit(limit):
            return "--up-to \(limit) is not a log position (must be 0 or more)"
        case let .unreadable(directory, reason):
            return "cannot read the log in '\(directory)': \(reason)"
        }
    }
}
