import CBatonSys
#if canImport(Glibc)
import Glibc
#endif

/// Runs one agent on its own OS thread, in the manner of Agrona's
/// `AgentRunner`: `onStart`, then duty cycles (`doWork`, then the idle
/// strategy) until `stop()` or an `AgentTermination`, then `onClose`.
///
/// - The thread is named after the agent's `roleName` (first 15 bytes), pinned
///   to `options.cpu` from its first instruction, and bound to
///   `options.numaNode` before `onStart`. Bad placements are refused by
///   `start()` before the thread exists.
/// - Errors thrown by `onStart` (fatal: the loop never runs) or `doWork`
///   (counted, the loop goes on, that cycle counts as idle) go to the error
///   handler on the agent thread, then to `errorCount`. An `AgentTermination`
///   ends the loop without being reported.
/// - `onClose` runs on the agent thread whenever the thread was started, also
///   after a failed `onStart`.
///
/// Generic over the agent and the idle strategy, so the loop is specialized
/// for both (create runners where `A` and `I` are concrete). For a strategy
/// chosen at run time use `ConfiguredIdleStrategy`.
///
/// Invariant: one-shot — notStarted → started → stopped; the thread is joined
/// exactly once, by the first `stop()` (or `deinit`).
/// Threading: `start()`, `stop()` and every property may be used from any
/// thread, concurrently, except `stop()` from the agent's own thread (it
/// would join itself: a precondition failure; throw `AgentTermination` from
/// `doWork` instead). The agent itself belongs to the runner's thread once
/// passed in (`sending`).
public final class AgentRunner<A: Agent, I: IdleStrategy>: Sendable {
    /// The agent's role name, read once when the runner was made.
    public let roleName: String
    /// Where the thread runs.
    public let options: AgentRunnerOptions

    @usableFromInline let state: AgentRunnerState<A, I>
    @usableFromInline let entry: AgentThreadEntry
    @usableFromInline let lifecycle: PthreadLocked<AgentRunnerLifecycle>

    /// - Parameters:
    ///   - agent: the agent; from now on only the runner's thread calls it.
    ///   - idleStrategy: its initial state; the runner's thread owns it.
    ///   - options: CPU and NUMA placement, checked by `start()`.
    ///   - errorHandler: called on the agent's thread with each error thrown
    ///     by `onStart`/`doWork` (not `AgentTermination`); nil writes one line
    ///     to standard error. It must not call `stop()`.
    @inlinable
    public init(agent: sending A, idleStrategy: I, options: AgentRunnerOptions = AgentRunnerOptions(),
                errorHandler: (@Sendable (any Error) -> Void)? = nil) {
        let roleName = agent.roleName
        let state = AgentRunnerState(agent: agent, idleStrategy: idleStrategy, roleName: roleName,
                                     options: options, errorHandler: errorHandler)
        self.roleName = roleName
        self.options = options
        self.state = state
        self.entry = AgentThreadEntry { state.runOnAgentThread() }
        self.lifecycle = PthreadLocked(.notStarted)
    }

    deinit {
        // Join like a scoped thread. If the last reference goes away on the
        // agent's own thread, it cannot join itself: detach instead.
        let state = self.state
        lifecycle.withLock { lifecycle in
            guard case .started(let thread) = lifecycle else { return }
            state.counters.setRunningRelease(false)
            if pthread_equal(thread, pthread_self()) != 0 {
                pthread_detach(thread)
            } else {
                _ = baton_thread_join(thread)
            }
            lifecycle = .stopped(wasStarted: true)
        }
    }

    /// Starts the agent's thread.
    ///
    /// Checks the placement first and throws, with no thread started, when
    /// the CPU is not online (naming it and the CPUs available), NUMA is
    /// unavailable or the node does not exist, the CPU is not on the node,
    /// or the runner was already started or stopped.
    public func start() throws(AgentRunnerError) {
        try lifecycle.withLock { lifecycle throws(AgentRunnerError) in
            switch lifecycle {
            case .notStarted: break
            case .started: throw AgentRunnerError.alreadyStarted(roleName: roleName)
            case .stopped: throw AgentRunnerError.alreadyStopped(roleName: roleName)
            }
            try AgentPlacement.validate(options, roleName: roleName)
            state.counters.setRunningRelease(true)
            let context = Unmanaged.passRetained(entry).toOpaque()
            var thread = pthread_t()
            let threadName = AgentSystemText.truncated(roleName, utf8Limit: 15)
            let result = threadName.withCString { name in
                baton_thread_start(&thread, agentThreadMain, context, Int32(options.cpu ?? -1), name)
            }
            guard result == 0 else {
                Unmanaged<AgentThreadEntry>.fromOpaque(context).release()
                state.counters.setRunningRelease(false)
                throw AgentRunnerError.threadStartFailed(roleName: roleName, cpu: options.cpu,
                                                         errorNumber: result)
            }
            lifecycle = .started(thread)
        }
    }

    /// Asks the loop to end and joins the thread: when `stop()` returns,
    /// `onClose` has run and no duty cycle will run again. Idempotent; a
    /// concurrent second call returns once the first has joined. Stopping a
    /// runner that was never started only forbids starting it later.
    ///
    /// Waits for the current duty cycle and idle step to end (up to the idle
    /// strategy's longest sleep). Never call it on the agent's own thread.
    public func stop() {
        let state = self.state
        lifecycle.withLock { lifecycle in
            switch lifecycle {
            case .notStarted:
                lifecycle = .stopped(wasStarted: false)
            case .started(let thread):
                precondition(pthread_equal(thread, pthread_self()) == 0,
                             "AgentRunner.stop() called on agent '\(roleName)''s own thread; "
                             + "throw AgentTermination from doWork() instead")
                state.counters.setRunningRelease(false)
                let result = baton_thread_join(thread)
                precondition(result == 0, "joining agent '\(roleName)' failed: errno \(result)")
                lifecycle = .stopped(wasStarted: true)
            case .stopped:
                break
            }
        }
    }

    // MARK: statistics, readable from any thread

    /// Where the agent's thread is in its life.
    public var threadState: AgentThreadState {
        AgentThreadState(rawValue: state.counters.loadAcquire(AgentRunnerCounters.threadStateSlot))
            ?? .notStarted
    }

    /// Whether the thread was started and has not been stopped (it may have
    /// ended on its own: see `threadState`).
    public var isStarted: Bool {
        lifecycle.withLock { lifecycle in
            if case .started = lifecycle { return true }
            return false
        }
    }

    /// Duty cycles completed (a cycle that threw counts).
    public var dutyCycles: Int64 { state.counters.loadAcquire(AgentRunnerCounters.dutyCyclesSlot) }

    /// Sum of the positive work counts `doWork` returned.
    public var workCount: Int64 { state.counters.loadAcquire(AgentRunnerCounters.workCountSlot) }

    /// Errors reported to the handler (from `onStart`, placement and `doWork`).
    public var errorCount: Int64 { state.counters.loadAcquire(AgentRunnerCounters.errorCountSlot) }

    /// CPU time the agent's thread has used, in nanoseconds (0 before start;
    /// its final value once the thread has ended).
    public var cpuTimeNanos: Int64 {
        let state = self.state
        return lifecycle.withLock { lifecycle in
            if case .started(let thread) = lifecycle {
                let nanos = baton_thread_cputime_ns(thread)
                if nanos >= 0 { return nanos }
            }
            return state.counters.loadAcquire(AgentRunnerCounters.cpuTimeAtExitSlot)
        }
    }

    /// The idle strategy as the thread left it (e.g. a backoff's phase and park
    /// count), or nil while the thread may still be using it (between
    /// `start()` and `stop()`).
    public var idleStrategyAfterStop: I? {
        let state = self.state
        return lifecycle.withLock { lifecycle in
            if case .started = lifecycle { return nil }
            return state.idleStrategy
        }
    }
}

/// The owner-side life of an `AgentRunner`; guarded by its `PthreadLocked`.
@usableFromInline
enum AgentRunnerLifecycle: Sendable {
    case notStarted
    case started(pthread_t)
    case stopped(wasStarted: Bool)
}
