/// Several agents on one thread, chosen at run time (a tuning file's map of
/// stages to threads): an array of `any Agent`.
///
/// Same contract as `CompositeAgent` (`+`-joined role name, `onStart` in
/// order, `doWork` sums every agent's work and throws after the cycle,
/// `onClose` in reverse for every started agent). The cost over the variadic
/// `CompositeAgent` is one dynamic call and one retain/release per agent per
/// duty cycle — never per message.
///
/// Invariant: `agents` never changes and is not empty; `startedCount` only
/// grows, up to `agents.count`.
/// Threading: like any agent, confined to the thread that drives it.
public final class AnyCompositeAgent: Agent {
    public let roleName: String
    /// The agents, in the order they run.
    public let agents: [any Agent]
    /// How many agents have had `onStart` called.
    @usableFromInline var startedCount = 0

    public init(_ agents: [any Agent]) {
        precondition(!agents.isEmpty, "a composite agent needs at least one agent")
        self.agents = agents
        self.roleName = agents.map(\.roleName).joined(separator: "+")
    }

    public func onStart() throws {
        for agent in agents {
            startedCount += 1
            try agent.onStart()
        }
    }

    public func doWork() throws -> Int {
        var workCount = 0
        var errors: CompositeErrorCollector? = nil
        for agent in agents {
            do {
                workCount &+= try agent.doWork()
            } catch {
                if errors == nil { errors = CompositeErrorCollector() }
                errors!.add(error)
            }
        }
        if let errors { try errors.throwIfAny() }
        return workCount
    }

    public func onClose() {
        for agent in agents[0..<startedCount].reversed() {
            agent.onClose()
        }
    }
}
