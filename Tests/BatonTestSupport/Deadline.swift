/// A wall-clock bound for a test loop: every loop that waits checks one, so
/// a bug fails the test instead of hanging it. Not a sleep: a loop returns as
/// soon as its condition is seen.
///
/// Threading: a value; any thread.
public struct Deadline: Sendable {
    public let end: ContinuousClock.Instant

    public init(seconds: Int) { end = .now + .seconds(seconds) }

    public var hasPassed: Bool { ContinuousClock.now >= end }

    /// Milliseconds left, at most `cap` (an epoll timeout slice).
    public func millisLeft(cap: Int32 = 100) -> Int32 {
        let left = end - .now
        let millis = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, min(Int64(cap), millis)))
    }
}

/// A test step that could not complete (thrown, so XCTest reports it as a failure).
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
