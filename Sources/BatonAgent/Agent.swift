/// A unit of work driven by a duty cycle on one thread, in the manner of Agrona's `Agent`.
///
/// Contract:
/// - `doWork()` does a bounded amount of work and returns how much it did
///   (messages, bytes, completions — any positive count), and **0 when it found
///   nothing to do**. The idle strategy relies on that 0: an agent that never
///   returns 0 burns its core at idle.
/// - `onStart()` runs once on the agent's thread before the first `doWork()`;
///   `onClose()` runs once on the same thread after the last one, also when
///   `onStart()` or `doWork()` threw a fatal error.
/// - An error thrown from `doWork()` is reported to the runner's error handler
///   and counted; the agent keeps running unless the error is an `AgentTermination`.
///
/// Threading: an agent is confined to the thread of the runner that drives it;
/// no method is called concurrently with another. Agents are classes so their
/// state has one stable address. The metatype is `Sendable` (no
/// actor-isolated conformances): runners name `A` on the agent's thread.
public protocol Agent: AnyObject, SendableMetatype {
    /// A short name for the agent's role (`order`, `log`, ...). Used as the OS
    /// thread name (first 15 bytes) and in logs.
    var roleName: String { get }
    /// Called once on the agent's thread before the first duty cycle.
    func onStart() throws
    /// One duty cycle. Returns the amount of work done; 0 means idle.
    func doWork() throws -> Int
    /// Called once on the agent's thread after the last duty cycle.
    func onClose()
}

extension Agent {
    public func onStart() throws {}
    public func onClose() {}
}

/// Thrown from `doWork()` to stop the agent's runner in an orderly way
/// (the runner then calls `onClose()` and its thread ends). Not counted or
/// reported as an error. Threading: an immutable value; use it from any thread.
public struct AgentTermination: Error, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "agent terminated: \(reason)" }
}
