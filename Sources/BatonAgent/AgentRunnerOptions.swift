/// Where an `AgentRunner` puts its thread.
///
/// Both are checked by `AgentRunner.start()` before the thread starts: a CPU
/// that is not online, a NUMA node that does not exist, NUMA requested where
/// libnuma is unavailable, or a CPU outside the requested node is a thrown
/// `AgentRunnerError`, never a silent fallback.
///
/// Threading: a plain value; use it from any thread.
public struct AgentRunnerOptions: Sendable, Equatable, Hashable {
    /// Pin the thread to this CPU (affinity set before the thread starts, so it
    /// never runs elsewhere). nil: the scheduler may use any CPU.
    public var cpu: Int?
    /// Run the thread on this NUMA node's CPUs and prefer this node for the
    /// memory it allocates. With `cpu` as well, the CPU must be on this node and
    /// only the memory preference is applied. nil: no NUMA policy.
    public var numaNode: Int?

    public init(cpu: Int? = nil, numaNode: Int? = nil) {
        self.cpu = cpu
        self.numaNode = numaNode
    }
}
