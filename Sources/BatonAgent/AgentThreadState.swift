/// Where an `AgentRunner`'s thread is in its life, as published by the thread.
///
/// Only grows: notStarted → starting → running → closing → closed (`running`
/// is skipped when `onStart` failed). Threading: read from any thread through
/// `AgentRunner.threadState`; written only by the agent's thread.
@frozen
public enum AgentThreadState: Int64, Sendable, Equatable, Comparable, CustomStringConvertible {
    /// `start()` has not started the thread.
    case notStarted = 0
    /// The thread is applying its NUMA placement and running `onStart`.
    case starting = 1
    /// Duty cycles are running.
    case running = 2
    /// The loop has ended; `onClose` is running.
    case closing = 3
    /// `onClose` has returned; the thread is ending (join it with `stop()`).
    case closed = 4

    public static func < (lhs: AgentThreadState, rhs: AgentThreadState) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String {
        switch self {
        case .notStarted: return "not-started"
        case .starting: return "starting"
        case .running: return "running"
        case .closing: return "closing"
        case .closed: return "closed"
        }
    }
}
