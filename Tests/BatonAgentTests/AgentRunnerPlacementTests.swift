import BatonAgent
import XCTest

/// Pinning to CPUs and binding to NUMA nodes, seen from inside the agent.
final class AgentRunnerPlacementTests: XCTestCase {
    struct Placement: Sendable, Equatable {
        var affinity: [Int]
        var cpu: Int?
    }

    /// Runs one duty cycle on a runner with `options` and returns where it ran.
    func placementSeen(with options: AgentRunnerOptions) throws -> Placement? {
        let seen = Recorder<Placement?>(nil)
        let agent = ProbeAgent("pinned") { _ in
            let placement = Placement(affinity: CPUTopology.affinityOfCurrentThread(),
                                      cpu: CPUTopology.currentCPU())
            seen.update { $0 = placement }
            throw AgentTermination("seen")
        }
        let runner = AgentRunner(agent: agent, idleStrategy: NoOpIdleStrategy(), options: options)
        try runner.start()
        XCTAssertTrue(waitUntil { runner.threadState == .closed })
        runner.stop()
        return seen.value
    }

    func testPinnedAgentRunsOnlyOnItsCPU() throws {
        for cpu in [0, 1] where CPUTopology.isOnline(cpu) {
            let placement = try placementSeen(with: AgentRunnerOptions(cpu: cpu))
            XCTAssertEqual(placement, Placement(affinity: [cpu], cpu: cpu), "pinned to CPU \(cpu)")
        }
    }

    func testUnpinnedAgentMayRunAnywhere() throws {
        let placement = try XCTUnwrap(try placementSeen(with: AgentRunnerOptions()))
        XCTAssertEqual(placement.affinity, CPUTopology.affinityOfCurrentThread())
    }

    func testPinningToAMissingCPUIsRefusedBeforeStart() {
        let agent = ProbeAgent("order")
        let runner = AgentRunner(agent: agent, idleStrategy: NoOpIdleStrategy(),
                                 options: AgentRunnerOptions(cpu: 4096))
        XCTAssertThrowsError(try runner.start()) { error in
            guard case .cpuNotAvailable(let role, let cpu, let available)? = error as? AgentRunnerError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(role, "order")
            XCTAssertEqual(cpu, 4096)
            XCTAssertEqual(available, CPUTopology.onlineCPUs)
            let message = "\(error)"
            XCTAssertTrue(message.contains("CPU 4096"), message)
            XCTAssertTrue(message.contains("CPUs available: \(CPUTopology.listText(CPUTopology.onlineCPUs))"), message)
            XCTAssertTrue(message.contains("'order'"), message)
        }
        XCTAssertEqual(runner.threadState, .notStarted)
        XCTAssertFalse(runner.isStarted)
        XCTAssertEqual(agent.starts, 0)
        XCTAssertThrowsError(try AgentRunner(agent: ProbeAgent("neg"), idleStrategy: NoOpIdleStrategy(),
                                             options: AgentRunnerOptions(cpu: -1)).start())
    }

    func testNumaNodeBindsThreadAndMemory() throws {
        try XCTSkipUnless(NumaTopology.isAvailable, "libnuma reports NUMA unavailable")
        let node = try XCTUnwrap(NumaTopology.node(ofCPU: 0))
        let nodeOnly = try XCTUnwrap(try placementSeen(with: AgentRunnerOptions(numaNode: node)))
        XCTAssertFalse(nodeOnly.affinity.isEmpty)
        XCTAssertTrue(nodeOnly.affinity.allSatisfy { NumaTopology.node(ofCPU: $0) == node })

        let both = try placementSeen(with: AgentRunnerOptions(cpu: 0, numaNode: node))
        XCTAssertEqual(both, Placement(affinity: [0], cpu: 0), "the CPU pin survives the NUMA binding")
    }

    func testMissingNumaNodeIsRefusedBeforeStart() {
        let runner = AgentRunner(agent: ProbeAgent("log"), idleStrategy: NoOpIdleStrategy(),
                                 options: AgentRunnerOptions(numaNode: 64))
        XCTAssertThrowsError(try runner.start()) { error in
            guard case .numaNotAvailable(let role, _)? = error as? AgentRunnerError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(role, "log")
            let message = "\(error)"
            XCTAssertTrue(message.contains("NUMA node 64"), message)
            if NumaTopology.isAvailable {
                XCTAssertTrue(message.contains("nodes available: 0...\(NumaTopology.nodeCount - 1)"), message)
            } else {
                XCTAssertTrue(message.contains("unavailable"), message)
            }
        }
        XCTAssertEqual(runner.threadState, .notStarted)
    }

    func testCPUListText() {
        XCTAssertEqual(CPUTopology.listText([0, 1, 2, 5, 7, 8]), "0-2,5,7-8")
        XCTAssertEqual(CPUTopology.listText([3]), "3")
        XCTAssertEqual(CPUTopology.listText([]), "none")
        XCTAssertTrue(CPUTopology.isOnline(0))
        XCTAssertFalse(CPUTopology.isOnline(4096))
        XCTAssertEqual(CPUTopology.onlineCPUs.first, 0)
    }
}
