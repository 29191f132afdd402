/// Drives an agent on the caller's thread, one duty cycle per `invoke()`:
/// for tests, deterministic simulation, and embedding an agent in a loop that
/// already exists. No thread, no idle strategy, no clock.
///
/// Same contract as `AgentRunner`: `start()` runs `onStart` (an error is
/// reported and counted and the invoker closes at once); `invoke()` runs
/// `doWork` while running, reporting and counting errors and treating the
/// cycle as idle; an `AgentTermination` (from either) closes it; `close()`
/// runs `onClose` exactly once if `start()` was called.
///
/// Invariant: notStarted → running → closed, never back; `onClose` at most once.
/// Threading: confined to one thread (not `Sendable`); the agent is called
/// only from inside these methods.
public final class AgentInvoker<A: Agent> {
    /// The agent being driven.
    public let agent: A
    @usableFromInline let errorHandler: ((any Error) -> Void)?

    /// `start()` has been called.
    public private(set) var isStarted = false
    /// `close()` has run (or an error/termination closed it).
    public private(set) var isClosed = false
    /// Started and not closed: `invoke()` will call `doWork`.
    @usableFromInline var isRunningStorage = false
    @inlinable public var isRunning: Bool { isRunningStorage }

    /// Duty cycles run (a cycle that threw counts).
    @inlinable public var dutyCycles: Int64 { dutyCyclesTotal }
    /// Sum of the positive work counts returned.
    @inlinable public var workCount: Int64 { workCountTotal }
    /// Errors reported (from `onStart` and `doWork`, not `AgentTermination`).
    public private(set) var errorCount: Int64 = 0

    @usableFromInline var dutyCyclesTotal: Int64 = 0
    @usableFromInline var workCountTotal: Int64 = 0

    /// - Parameter errorHandler: called with each reported error on the
    ///   caller's thread; nil writes one line to standard error.
    public init(agent: A, errorHandler: ((any Error) -> Void)? = nil) {
        self.agent = agent
        self.errorHandler = errorHandler
    }

    /// Runs `onStart` once. Calling it again, or after `close()`, does nothing.
    public func start() {
        guard !isStarted, !isClosed else { return }
        isStarted = true
        isRunningStorage = true
        do {
            try agent.onStart()
        } catch {
            if !(error is AgentTermination) { report(error) }
            close()
        }
    }

    /// One duty cycle: returns the work `doWork` did (0 when idle, when it
    /// threw, or when not running).
    @inlinable
    @discardableResult
    public func invoke() -> Int {
        guard isRunning else { return 0 }
        var work = 0
        do {
            work = try agent.doWork()
        } catch {
            handleDutyCycleError(error)
        }
        dutyCyclesTotal &+= 1
        workCountTotal &+= Int64(Swift.max(work, 0))
        return work
    }

    /// Runs `onClose` if the agent was started and not yet closed; idempotent.
    /// Closing before `start()` forbids starting.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        isRunningStorage = false
        if isStarted { agent.onClose() }
    }

    @usableFromInline @inline(never)
    func handleDutyCycleError(_ error: any Error) {
        if error is AgentTermination {
            close()
        } else {
            report(error)
        }
    }

    func report(_ error: any Error) {
        if let errorHandler {
            errorHandler(error)
        } else {
            AgentSystemText.writeLineToStandardError("baton agent '\(agent.roleName)': error: \(error)")
        }
        errorCount &+= 1
    }
}

@available(*, unavailable, message: "an AgentInvoker is confined to one thread")
extension AgentInvoker: Sendable {}
