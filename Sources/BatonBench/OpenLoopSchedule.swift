/// The send schedule of an open-loop run, fixed before the first send:
/// message `i` is due at `startNanos + i / rate` seconds, whatever happened
/// to the messages before it. The first `warmupMessages` are not measured;
/// measurement starts at the due time of the first measured message.
///
/// A plain value: `Sendable`; `intendedNanos` is exact integer arithmetic
/// (no drift, no overflow for any count a run can have).
public struct OpenLoopSchedule: Equatable, Sendable {
    public let startNanos: Int64
    public let ratePerSecond: Int64
    public let warmupMessages: Int64
    public let messageCount: Int64

    public init(startNanos: Int64, ratePerSecond: Int64, warmupMessages: Int64, messageCount: Int64) {
        precondition(ratePerSecond > 0 && warmupMessages >= 0 && messageCount > warmupMessages,
                     "a schedule needs a positive rate and more messages than warm-up messages")
        self.startNanos = startNanos
        self.ratePerSecond = ratePerSecond
        self.warmupMessages = warmupMessages
        self.messageCount = messageCount
    }

    /// When message `index` is due (monotonic nanoseconds).
    @inline(__always)
    public func intendedNanos(_ index: Int64) -> Int64 {
        let (seconds, rest) = index.quotientAndRemainder(dividingBy: ratePerSecond)
        return startNanos &+ seconds &* 1_000_000_000 &+ rest &* 1_000_000_000 / ratePerSecond
    }

    /// When measurement starts: the due time of the first measured message.
    public var measureStartNanos: Int64 { intendedNanos(warmupMessages) }

    /// The due time of the last message.
    public var lastIntendedNanos: Int64 { intendedNanos(messageCount - 1) }

    /// Nanoseconds between two sends (rounded down).
    public var periodNanos: Int64 { 1_000_000_000 / ratePerSecond }
}
