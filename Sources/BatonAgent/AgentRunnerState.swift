import CBatonSys

/// Everything an agent thread needs, in one box: the agent, its idle
/// strategy, the error handler and the shared counters. This is the single
/// place where the agent crosses from the owner's thread to its own.
///
/// Why `@unchecked Sendable`: the agent (not `Sendable`) and the idle
/// strategy are touched by exactly one thread at a time, and the hand-overs
/// are ordered by `pthread_create` (owner → agent thread: before `start()`
/// returns nothing else touches them) and `pthread_join` (agent thread →
/// owner: `idleStrategy` is read back only after `stop()` joined). The
/// counters are atomics.
///
/// Invariant: `agent`, `roleName`, `options` and `errorHandler` never change;
/// `idleStrategy` is written only by the agent thread while it runs.
@usableFromInline
final class AgentRunnerState<A: Agent, I: IdleStrategy>: @unchecked Sendable {
    @usableFromInline let agent: A
    @usableFromInline var idleStrategy: I
    @usableFromInline let counters: AgentRunnerCounters
    @usableFromInline let roleName: String
    @usableFromInline let options: AgentRunnerOptions
    @usableFromInline let errorHandler: (@Sendable (any Error) -> Void)?

    @inlinable
    init(agent: A, idleStrategy: I, roleName: String, options: AgentRunnerOptions,
         errorHandler: (@Sendable (any Error) -> Void)?) {
        self.agent = agent
        self.idleStrategy = idleStrategy
        self.counters = AgentRunnerCounters()
        self.roleName = roleName
        self.options = options
        self.errorHandler = errorHandler
    }

    deinit {
        counters.deallocate()
    }

    /// The agent thread's whole life: placement and `onStart`, the duty-cycle
    /// loop, `onClose`.
    ///
    /// The loop keeps the agent, the idle strategy and the statistics in
    /// locals (no ARC, no exclusivity checks, no existential: `A` and `I` are
    /// concrete once specialized), loads the running flag with acquire once per
    /// cycle and publishes the statistics with release stores.
    @inlinable
    final func runOnAgentThread() {
        if startOnAgentThread() {
            let agent = self.agent
            let counters = self.counters
            var idleStrategy = self.idleStrategy
            var dutyCycles: Int64 = 0
            var workCountTotal: Int64 = 0
            while counters.isRunningAcquire() {
                var workCount = 0
                var terminated = false
                do {
                    workCount = try agent.doWork()
                } catch {
                    terminated = handleDutyCycleError(error)
                }
                dutyCycles &+= 1
                workCountTotal &+= Int64(Swift.max(workCount, 0))
                counters.storeDutyCyclesRelease(dutyCycles)
                counters.storeWorkCountRelease(workCountTotal)
                if terminated { break }
                idleStrategy.idle(workCount: workCount)
            }
            self.idleStrategy = idleStrategy
        }
        closeOnAgentThread()
    }

    /// Applies the NUMA placement and runs `onStart`. False when either threw
    /// (the error is reported unless it is an `AgentTermination`).
    @usableFromInline
    final func startOnAgentThread() -> Bool {
        counters.storeThreadStateRelease(.starting)
        do {
            if let node = options.numaNode {
                try NumaTopology.bindCurrentThread(toNode: node, keepCPUAffinity: options.cpu != nil)
            }
            try agent.onStart()
        } catch {
            if !(error is AgentTermination) { report(error) }
            return false
        }
        counters.storeThreadStateRelease(.running)
        return true
    }

    /// Reports an error thrown by `doWork`; true when it ends the loop.
    @usableFromInline @inline(never)
    final func handleDutyCycleError(_ error: any Error) -> Bool {
        if error is AgentTermination { return true }
        report(error)
        return false
    }

    /// Calls the error handler (or writes to standard error), then counts the
    /// error: a reader that sees the count also sees the handler's effects.
    @usableFromInline
    final func report(_ error: any Error) {
        if let errorHandler {
            errorHandler(error)
        } else {
            AgentSystemText.writeLineToStandardError("baton agent '\(roleName)': error: \(error)")
        }
        counters.incrementErrorCountRelease()
    }

    @usableFromInline
    final func closeOnAgentThread() {
        counters.storeThreadStateRelease(.closing)
        agent.onClose()
        counters.storeCPUTimeAtExitRelease(baton_thread_cputime_ns(pthread_self()))
        counters.storeThreadStateRelease(.closed)
    }
}
