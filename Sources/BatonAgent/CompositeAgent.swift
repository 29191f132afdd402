/// Several agents on one thread, chosen in code: `CompositeAgent(order, log,
/// transmit)` is itself an `Agent` (Baton's `shared` threading mode).
///
/// - `roleName` is the agents' names joined with `+`.
/// - `onStart` calls each agent's `onStart` in order, stopping at the first
///   that throws (the error is rethrown).
/// - `doWork` calls every agent's `doWork` once, in order, and returns the sum.
///   An agent that throws does not rob the others of their turn; the errors
///   are thrown after the cycle (see `CompositeErrorCollector`: an
///   `AgentTermination` wins), and that cycle's work is not counted.
/// - `onClose` calls `onClose` in reverse order on every agent whose
///   `onStart` was called (including one whose `onStart` threw).
///
/// Why variadic generics: with `CompositeAgent<each A: Agent>` the agents are
/// stored as a tuple of concrete types, so each `doWork` is a static call the
/// optimizer can inline — no existential per agent per cycle. (Swift 6.3
/// copies pack elements out of a stored tuple with a retain each; `doWork`
/// walks a second tuple of `Unmanaged` references instead, which measured
/// free of ARC in the specialized code.) When the set of agents is decided at
/// run time (a tuning file's thread map), use `AnyCompositeAgent`, which pays
/// one dynamic call and one retain/release per agent per cycle.
///
/// Invariant: the agents never change; `startedCount` only grows, up to the
/// number of agents.
/// Threading: like any agent, confined to the thread that drives it.
public final class CompositeAgent<each A: Agent>: Agent {
    public let roleName: String
    @usableFromInline let agents: (repeat each A)
    /// The same agents without reference counting, for `doWork`: `agents`
    /// keeps them alive for as long as `self` lives.
    @usableFromInline let unretainedAgents: (repeat Unmanaged<each A>)
    /// How many agents have had `onStart` called.
    @usableFromInline var startedCount = 0

    public init(_ agents: repeat each A) {
        var names: [String] = []
        for agent in repeat each agents {
            names.append(agent.roleName)
        }
        precondition(!names.isEmpty, "a composite agent needs at least one agent")
        self.roleName = names.joined(separator: "+")
        self.agents = (repeat each agents)
        self.unretainedAgents = (repeat Unmanaged.passUnretained(each agents))
    }

    /// The number of agents in the composite.
    public var count: Int {
        var count = 0
        for _ in repeat each agents { count += 1 }
        return count
    }

    public func onStart() throws {
        for agent in repeat each agents {
            startedCount += 1
            try agent.onStart()
        }
    }

    @inlinable
    public func doWork() throws -> Int {
        var workCount = 0
        var errors: CompositeErrorCollector? = nil
        for agent in repeat each unretainedAgents {
            do {
                // +0 access: `agents` keeps every agent alive while `self` lives.
                workCount &+= try agent._withUnsafeGuaranteedRef { try $0.doWork() }
            } catch {
                if errors == nil { errors = CompositeErrorCollector() }
                errors!.add(error)
            }
        }
        if let errors { try errors.throwIfAny() }
        return workCount
    }

    public func onClose() {
        // Packs cannot be walked backwards: collect the started ones, then close
        // them in reverse (one small allocation, once per thread lifetime).
        var started: [any Agent] = []
        for agent in repeat each agents {
            if started.count < startedCount { started.append(agent) }
        }
        for agent in started.reversed() {
            agent.onClose()
        }
    }
}
