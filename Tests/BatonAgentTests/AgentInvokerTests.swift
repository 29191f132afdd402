import BatonAgent
import XCTest

final class AgentInvokerTests: XCTestCase {
    func testLifecycleAndCounters() {
        let agent = ProbeAgent("sim") { cycle in cycle == 2 ? 0 : cycle }
        let invoker = AgentInvoker(agent: agent)
        XCTAssertFalse(invoker.isRunning)
        XCTAssertEqual(invoker.invoke(), 0, "not started: no duty cycle")
        XCTAssertEqual(agent.cycles, 0)

        invoker.start()
        XCTAssertTrue(invoker.isStarted)
        XCTAssertTrue(invoker.isRunning)
        XCTAssertEqual(invoker.invoke(), 1)
        XCTAssertEqual(invoker.invoke(), 0)
        XCTAssertEqual(invoker.invoke(), 3)
        XCTAssertEqual(invoker.dutyCycles, 3)
        XCTAssertEqual(invoker.workCount, 4)

        invoker.close()
        invoker.close()
        XCTAssertTrue(invoker.isClosed)
        XCTAssertFalse(invoker.isRunning)
        XCTAssertEqual(agent.closes, 1)
        XCTAssertEqual(invoker.invoke(), 0)
        XCTAssertEqual(agent.cycles, 3)
        invoker.start()
        XCTAssertEqual(agent.starts, 1, "a closed invoker does not start again")
    }

    func testErrorsAndTermination() {
        let agent = ProbeAgent("sim") { cycle in
            if cycle == 1 { throw TestFailure(text: "first") }
            if cycle == 3 { throw AgentTermination("third") }
            return 7
        }
        var errors: [String] = []
        let invoker = AgentInvoker(agent: agent) { errors.append("\($0)") }
        invoker.start()
        XCTAssertEqual(invoker.invoke(), 0)
        XCTAssertEqual(invoker.errorCount, 1)
        XCTAssertTrue(invoker.isRunning, "an error does not stop the agent")
        XCTAssertEqual(invoker.invoke(), 7)
        XCTAssertEqual(invoker.invoke(), 0)
        XCTAssertTrue(invoker.isClosed, "AgentTermination closes")
        XCTAssertEqual(agent.closes, 1)
        XCTAssertEqual(errors, ["test failure: first"])
        XCTAssertEqual(invoker.dutyCycles, 3)
    }

    func testCloseBeforeStart() {
        let agent = ProbeAgent("sim")
        let invoker = AgentInvoker(agent: agent)
        invoker.close()
        invoker.start()
        XCTAssertEqual(agent.starts, 0)
        XCTAssertEqual(agent.closes, 0)
    }
}
