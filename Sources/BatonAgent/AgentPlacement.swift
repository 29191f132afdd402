/// Checks an `AgentRunnerOptions` against this machine before a thread starts.
/// Threading: call from any thread.
enum AgentPlacement {
    static func validate(_ options: AgentRunnerOptions, roleName: String) throws(AgentRunnerError) {
        if let cpu = options.cpu, !CPUTopology.isOnline(cpu) {
            throw AgentRunnerError.cpuNotAvailable(roleName: roleName, cpu: cpu,
                                                   availableCPUs: CPUTopology.onlineCPUs)
        }
        guard let node = options.numaNode else { return }
        do {
            try NumaTopology.validate(node: node)
        } catch {
            throw AgentRunnerError.numaNotAvailable(roleName: roleName, error)
        }
        if let cpu = options.cpu, let cpuNode = NumaTopology.node(ofCPU: cpu), cpuNode != node {
            throw AgentRunnerError.cpuNotOnNode(roleName: roleName, cpu: cpu, cpuNode: cpuNode,
                                                numaNode: node)
        }
    }
}
