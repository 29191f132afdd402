import BatonAgent
import XCTest

/// `CompositeAgent` (variadic, static) and `AnyCompositeAgent` (array, dynamic)
/// share one contract; every test runs against both.
final class CompositeAgentTests: XCTestCase {
    func testRoleNameAndSummedWork() {
        let a = ProbeAgent("a") { _ in 1 }
        let b = ProbeAgent("b") { _ in 2 }
        let c = ProbeAgent("c") { _ in 3 }
        let composite = CompositeAgent(a, b, c)
        XCTAssertEqual(composite.roleName, "a+b+c")
        XCTAssertEqual(composite.count, 3)
        let invoker = AgentInvoker(agent: composite)
        invoker.start()
        XCTAssertEqual(invoker.invoke(), 6)
        XCTAssertEqual(invoker.invoke(), 6)
        XCTAssertEqual([a.cycles, b.cycles, c.cycles], [2, 2, 2])

        let any = AnyCompositeAgent([ProbeAgent("x") { _ in 4 }, ProbeAgent("y") { _ in 5 }])
        XCTAssertEqual(any.roleName, "x+y")
        XCTAssertEqual(try any.doWork(), 9)
    }

    func testStartInOrderCloseInReverse() {
        func check<C: Agent>(_ makeComposite: ([ProbeAgent]) -> C) {
            let events = Recorder<[String]>([])
            let composite = makeComposite([ProbeAgent("a", events: events), ProbeAgent("b", events: events),
                                           ProbeAgent("c", events: events)])
            let invoker = AgentInvoker(agent: composite)
            invoker.start()
            invoker.invoke()
            invoker.close()
            XCTAssertEqual(events.value, ["start:a", "start:b", "start:c", "close:c", "close:b", "close:a"])
        }
        check(makeCompositeAgent)
        check(makeAnyCompositeAgent)
    }

    func testFailedStartClosesOnlyTheStarted() {
        func check<C: Agent>(_ makeComposite: ([ProbeAgent]) -> C) {
            let events = Recorder<[String]>([])
            let c = ProbeAgent("c", events: events)
            let composite = makeComposite([ProbeAgent("a", events: events),
                                           ProbeAgent("b", startError: TestFailure(text: "b"), events: events), c])
            let errors = Recorder<[String]>([])
            let invoker = AgentInvoker(agent: composite) { error in errors.update { $0.append("\(error)") } }
            invoker.start()
            XCTAssertTrue(invoker.isClosed)
            XCTAssertEqual(errors.value, ["test failure: b"])
            XCTAssertEqual(events.value, ["start:a", "start:b", "close:b", "close:a"])
            XCTAssertEqual(c.starts, 0)
        }
        check(makeCompositeAgent)
        check(makeAnyCompositeAgent)
    }

    func testAFailingAgentDoesNotStarveTheOthers() {
        func check<C: Agent>(_ makeComposite: ([ProbeAgent]) -> C) {
            let a = ProbeAgent("a") { _ in 1 }
            let b = ProbeAgent("b") { cycle in throw TestFailure(text: "b\(cycle)") }
            let c = ProbeAgent("c") { _ in 1 }
            let errors = Recorder<[String]>([])
            let invoker = AgentInvoker(agent: makeComposite([a, b, c])) { error in
                errors.update { $0.append("\(error)") }
            }
            invoker.start()
            for _ in 0..<3 { invoker.invoke() }
            XCTAssertEqual([a.cycles, b.cycles, c.cycles], [3, 3, 3])
            XCTAssertEqual(errors.value, ["test failure: b1", "test failure: b2", "test failure: b3"])
            XCTAssertEqual(invoker.errorCount, 3)
            XCTAssertTrue(invoker.isRunning)
        }
        check(makeCompositeAgent)
        check(makeAnyCompositeAgent)
    }

    func testSeveralErrorsAndTerminationInOneCycle() {
        let twoErrors = AnyCompositeAgent([ProbeAgent("a") { _ in throw TestFailure(text: "a") },
                                           ProbeAgent("b") { _ in throw TestFailure(text: "b") }])
        XCTAssertThrowsError(try twoErrors.doWork()) { error in
            let errors = (error as? CompositeAgentErrors)?.errors.compactMap { $0 as? TestFailure }
            XCTAssertEqual(errors, [TestFailure(text: "a"), TestFailure(text: "b")])
        }
        let c = ProbeAgent("c") { _ in 1 }
        let ending = CompositeAgent(ProbeAgent("a") { _ in throw TestFailure(text: "a") },
                                    ProbeAgent("b") { _ in throw AgentTermination("b is done") }, c)
        XCTAssertThrowsError(try ending.doWork()) { error in
            XCTAssertEqual((error as? AgentTermination)?.reason, "b is done", "a termination wins")
        }
        XCTAssertEqual(c.cycles, 1, "agents after the terminating one still had their turn")
    }

    /// On a real runner thread: all agents run and their work is summed.
    func testCompositeOnARunner() throws {
        let agents = (ProbeAgent("order") { _ in 1 }, ProbeAgent("log") { _ in 2 }, ProbeAgent("send") { _ in 0 })
        let runner = AgentRunner(agent: CompositeAgent(agents.0, agents.1, agents.2),
                                 idleStrategy: BackoffIdleStrategy())
        XCTAssertEqual(runner.roleName, "order+log+send")
        try runner.start()
        XCTAssertTrue(waitUntil { runner.workCount >= 3_000 })
        runner.stop()
        let cycles = agents.0.cycles
        XCTAssertEqual([agents.1.cycles, agents.2.cycles], [cycles, cycles])
        XCTAssertEqual(runner.workCount, Int64(3 * cycles))
        XCTAssertEqual(runner.dutyCycles, Int64(cycles))
        XCTAssertEqual([agents.0.closes, agents.1.closes, agents.2.closes], [1, 1, 1])
    }

    private func makeCompositeAgent(_ agents: [ProbeAgent]) -> CompositeAgent<ProbeAgent, ProbeAgent, ProbeAgent> {
        CompositeAgent(agents[0], agents[1], agents[2])
    }

    private func makeAnyCompositeAgent(_ agents: [ProbeAgent]) -> AnyCompositeAgent {
        AnyCompositeAgent(agents)
    }
}
