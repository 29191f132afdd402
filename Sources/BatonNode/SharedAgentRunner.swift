import BatonAgent
import Logging

/// Runs every agent of `nodes` (built with `runsOwnThreads == false`) on one
/// pinned-or-not thread, with the first node's idle strategy, CPU and NUMA
/// node — how `baton cluster` and `baton bench --embedded` run a local chain
/// on a small machine. Returns the stop function (joins the thread); call it
/// before stopping the nodes.
///
/// Threading: the nodes' set-up thread, after they started; the nodes must
/// outlive the runner.
public func runOnOneThread<Environment>(_ nodes: [GenericNode<Environment>], logger: Logger) throws -> () -> Void {
    var agents: [any Agent] = []
    for node in nodes {
        if let agent = node.takeAgent() { agents.append(agent) }
    }
    let first = nodes[0].configuration
    let runner = AgentRunner(agent: AnyCompositeAgent(agents), idleStrategy: ConfiguredIdleStrategy(first.idleStrategy),
                             options: AgentRunnerOptions(cpu: first.cpus.first ?? nil, numaNode: first.numaNode),
                             errorHandler: { logger.error("agent error: \($0)") })
    try runner.start()
    return { runner.stop() }
}
