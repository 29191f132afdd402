/// Why an `AgentRunner` could not start. Every case names the agent's role
/// and what was asked; `description` also says what is available.
///
/// Threading: an immutable value; use it from any thread.
public enum AgentRunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The CPU to pin to does not exist or is offline.
    case cpuNotAvailable(roleName: String, cpu: Int, availableCPUs: [Int])
    /// Both a CPU and a NUMA node were given, and the CPU is on another node.
    case cpuNotOnNode(roleName: String, cpu: Int, cpuNode: Int, numaNode: Int)
    /// The NUMA node cannot be used (NUMA unavailable, or no such node).
    case numaNotAvailable(roleName: String, NumaError)
    /// `pthread_create` (through `baton_thread_start`) refused; `errorNumber` is its errno.
    case threadStartFailed(roleName: String, cpu: Int?, errorNumber: Int32)
    /// `start()` was called on a runner that was already started.
    case alreadyStarted(roleName: String)
    /// `start()` was called on a runner that was stopped (runners are one-shot).
    case alreadyStopped(roleName: String)

    public var description: String {
        switch self {
        case let .cpuNotAvailable(roleName, cpu, availableCPUs):
            return "agent '\(roleName)': cannot pin to CPU \(cpu): no such CPU online; "
                + "CPUs available: \(CPUTopology.listText(availableCPUs))"
        case let .cpuNotOnNode(roleName, cpu, cpuNode, numaNode):
            return "agent '\(roleName)': CPU \(cpu) is on NUMA node \(cpuNode), not on the "
                + "requested node \(numaNode)"
        case let .numaNotAvailable(roleName, error):
            return "agent '\(roleName)': \(error.message)"
        case let .threadStartFailed(roleName, cpu, errorNumber):
            let placement = cpu.map { " pinned to CPU \($0)" } ?? ""
            return "agent '\(roleName)': cannot start a thread\(placement): "
                + "\(AgentSystemText.errorText(errorNumber))"
                + (cpu != nil && errorNumber == 22 ? " (is the CPU outside this process's allowed CPUs?)" : "")
        case let .alreadyStarted(roleName):
            return "agent '\(roleName)': runner already started"
        case let .alreadyStopped(roleName):
            return "agent '\(roleName)': runner already stopped; a runner runs once"
        }
    }
}
