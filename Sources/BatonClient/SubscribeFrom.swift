import BatonProtocol

/// Where a subscription starts. A plain value: `Sendable`.
public enum SubscribeFrom: Equatable, Sendable, CustomStringConvertible {
    /// The first frame still in the log.
    case earliest
    /// The broker's commit position when it takes the Subscribe: only new messages.
    case latest
    /// The frame at this log position (a frame boundary at or below the end of the log).
    case position(Int64)
    /// The first frame stamped at or after this time (nanoseconds since 1970).
    case timestamp(nanos: Int64)

    /// The Subscribe fields (`from`, `start`).
    var wire: (SubscribeStart, Int64) {
        switch self {
        case .earliest: return (.earliest, 0)
        case .latest: return (.latest, 0)
        case .position(let position): return (.position, position)
        case .timestamp(let nanos): return (.timestamp, nanos)
        }
    }

    public var description: String {
        switch self {
        case .earliest: return "earliest"
        case .latest: return "latest"
        case .position(let position): return "position \(position)"
        case .timestamp(let nanos): return "timestamp \(nanos)"
        }
    }
}
