import BatonAgent
import CBatonSys
import Dispatch
import Foundation
import XCTest

final class AgentRunnerTests: XCTestCase {
    /// An agent that always returns 0 lets a backoff strategy reach park, and
    /// its thread then costs almost no CPU.
    func testIdleAgentWithBackoffParksAndCostsLittleCPU() throws {
        let agent = ProbeAgent("idle")
        let runner = AgentRunner(agent: agent, idleStrategy: BackoffIdleStrategy())
        XCTAssertEqual(runner.threadState, .notStarted)
        XCTAssertEqual(runner.cpuTimeNanos, 0)
        try runner.start()
        XCTAssertTrue(runner.isStarted)
        // 10 spins + 5 yields, then parking: 100 cycles means well into parking.
        XCTAssertTrue(waitUntil { runner.dutyCycles > 100 }, "the agent never cycled")
        XCTAssertEqual(runner.threadState, .running)

        let cpuBefore = runner.cpuTimeNanos
        let cyclesBefore = runner.dutyCycles
        sleepForMeasurement(nanos: 1_000_000_000)
        let cpuUsed = runner.cpuTimeNanos - cpuBefore
        let cycles = runner.dutyCycles - cyclesBefore
        print("idle agent with backoff: \(cpuUsed) ns of CPU and \(cycles) duty cycles in 1 s of wall time")
        XCTAssertLessThan(cpuUsed, 250_000_000, "idle thread used \(cpuUsed) ns of CPU in 1 s")
        // Parking up to 1 ms: about 1 000 cycles per second, never millions.
        XCTAssertLessThan(cycles, 100_000, "idle thread ran \(cycles) duty cycles in 1 s")

        XCTAssertNil(runner.idleStrategyAfterStop, "the strategy belongs to the thread while it runs")
        runner.stop()
        let strategy = try XCTUnwrap(runner.idleStrategyAfterStop)
        XCTAssertEqual(strategy.phase, .parking)
        XCTAssertGreaterThan(strategy.parkCount, 50)
        XCTAssertEqual(strategy.parkPeriodNanos, strategy.maxParkNanos)
        XCTAssertEqual(runner.workCount, 0)
        XCTAssertEqual(runner.errorCount, 0)
        XCTAssertGreaterThan(runner.cpuTimeNanos, 0, "the final CPU time is kept after the join")
    }

    /// Errors from doWork go to the handler on the agent thread and are
    /// counted; the agent keeps running; AgentTermination stops it and
    /// onClose runs.
    func testErrorsAreReportedAndCountedAndTerminationStops() throws {
        let agent = ProbeAgent("faulty") { cycle in
            if cycle <= 3 { throw TestFailure(text: "cycle \(cycle)") }
            if cycle == 10 { throw AgentTermination("done") }
            return 1
        }
        let reported = Recorder<[String]>([])
        let handlerThreads = Recorder<Set<Int32>>([])
        let runner = AgentRunner(agent: agent, idleStrategy: NoOpIdleStrategy()) { error in
            reported.update { $0.append("\(error)") }
            let thread = baton_gettid()
            handlerThreads.update { $0.insert(thread) }
        }
        try runner.start()
        XCTAssertTrue(waitUntil { runner.threadState == .closed }, "the agent did not terminate")

        XCTAssertEqual(reported.value, ["test failure: cycle 1", "test failure: cycle 2", "test failure: cycle 3"])
        XCTAssertEqual(runner.errorCount, 3)
        XCTAssertEqual(agent.cycles, 10, "the agent kept running after its errors, until the termination")
        XCTAssertEqual(runner.dutyCycles, 10)
        XCTAssertEqual(runner.workCount, 6, "cycles 4...9 did 1 each")
        XCTAssertEqual(agent.starts, 1)
        XCTAssertEqual(agent.closes, 1)
        let agentThread = Int32(agent.onStartThreadID.load(ordering: .sequentiallyConsistent))
        XCTAssertEqual(handlerThreads.value, [agentThread], "the handler runs on the agent's thread")
        XCTAssertNotEqual(agentThread, baton_gettid())

        runner.stop()
        XCTAssertEqual(agent.closes, 1, "onClose runs once")
        XCTAssertEqual(runner.threadState, .closed)
    }

    /// A failing onStart is reported and counted; doWork never runs; onClose does.
    func testFailingOnStartReportsAndCloses() throws {
        let agent = ProbeAgent("bad-start", startError: TestFailure(text: "no disk"))
        let reported = Recorder<[String]>([])
        let runner = AgentRunner(agent: agent, idleStrategy: BusySpinIdleStrategy()) { error in
            reported.update { $0.append("\(error)") }
        }
        try runner.start()
        XCTAssertTrue(waitUntil { runner.threadState == .closed })
        runner.stop()
        XCTAssertEqual(reported.value, ["test failure: no disk"])
        XCTAssertEqual(runner.errorCount, 1)
        XCTAssertEqual(agent.cycles, 0)
        XCTAssertEqual(agent.closes, 1)
        XCTAssertEqual(runner.dutyCycles, 0)
    }

    /// stop() joins: afterwards onClose has run on the agent thread and no
    /// duty cycle runs any more.
    func testStopJoinsTheThread() throws {
        let agent = ProbeAgent("busy") { _ in 1 }
        let runner = AgentRunner(agent: agent, idleStrategy: BusySpinIdleStrategy())
        try runner.start()
        XCTAssertTrue(waitUntil { runner.dutyCycles > 1_000 })
        runner.stop()

        XCTAssertFalse(runner.isStarted)
        XCTAssertEqual(runner.threadState, .closed)
        XCTAssertEqual(agent.closes, 1)
        let cyclesAtStop = agent.cycles
        XCTAssertEqual(Int64(cyclesAtStop), runner.dutyCycles)
        XCTAssertEqual(Int64(cyclesAtStop), runner.workCount)
        sleepForMeasurement(nanos: 20_000_000)
        XCTAssertEqual(agent.cycles, cyclesAtStop, "no duty cycle after stop()")

        let startThread = agent.onStartThreadID.load(ordering: .sequentiallyConsistent)
        XCTAssertEqual(agent.onCloseThreadID.load(ordering: .sequentiallyConsistent), startThread)
        XCTAssertNotEqual(startThread, Int(baton_gettid()))

        runner.stop()  // idempotent
        XCTAssertEqual(agent.closes, 1)
        XCTAssertThrowsError(try runner.start()) { error in
            XCTAssertEqual(error as? AgentRunnerError, .alreadyStopped(roleName: "busy"))
        }
    }

    func testConcurrentStopsJoinOnce() throws {
        let agent = ProbeAgent("shared") { _ in 0 }
        let runner = AgentRunner(agent: agent, idleStrategy: YieldingIdleStrategy())
        try runner.start()
        XCTAssertTrue(waitUntil { runner.dutyCycles > 10 })
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            runner.stop()
            XCTAssertEqual(agent.closes, 1, "every stop() returns after the join")
        }
        XCTAssertEqual(agent.closes, 1)
    }

    func testStartTwiceAndStopBeforeStart() throws {
        let runner = AgentRunner(agent: ProbeAgent("twice"), idleStrategy: SleepingIdleStrategy(periodNanos: 100_000))
        try runner.start()
        XCTAssertThrowsError(try runner.start()) { error in
            XCTAssertEqual(error as? AgentRunnerError, .alreadyStarted(roleName: "twice"))
        }
        runner.stop()

        let agent = ProbeAgent("never")
        let unstarted = AgentRunner(agent: agent, idleStrategy: NoOpIdleStrategy())
        unstarted.stop()
        XCTAssertEqual(agent.starts, 0)
        XCTAssertEqual(agent.closes, 0, "an agent never started is never closed")
        XCTAssertThrowsError(try unstarted.start())
    }

    func testDeinitStopsAndJoins() throws {
        let agent = ProbeAgent("scoped") { _ in 0 }
        do {
            let runner = AgentRunner(agent: agent, idleStrategy: BackoffIdleStrategy())
            try runner.start()
            XCTAssertTrue(waitUntil { runner.dutyCycles > 0 })
        }
        XCTAssertEqual(agent.closes, 1, "dropping the runner joins its thread")
    }

    func testThreadIsNamedAfterTheRole() throws {
        let agent = ProbeAgent("transmit-chain-follower") { _ in 0 }
        let runner = AgentRunner(agent: agent, idleStrategy: BackoffIdleStrategy())
        try runner.start()
        XCTAssertTrue(waitUntil { runner.threadState == .running })
        let thread = agent.onStartThreadID.load(ordering: .sequentiallyConsistent)
        let name = try String(contentsOfFile: "/proc/self/task/\(thread)/comm", encoding: .utf8)
        runner.stop()
        XCTAssertEqual(name.trimmingCharacters(in: .newlines), "transmit-chain-")
    }

    /// A strategy chosen from text still drives a generic runner.
    func testRunnerWithConfiguredStrategy() throws {
        let configuration = try IdleStrategyConfiguration(parsing: "backoff(spins=2,yields=2,minPark=1us,maxPark=100us)")
        let agent = ProbeAgent("configured") { cycle in cycle % 10 == 0 ? 1 : 0 }
        let runner = AgentRunner(agent: agent, idleStrategy: ConfiguredIdleStrategy(configuration))
        try runner.start()
        XCTAssertTrue(waitUntil { runner.workCount >= 20 })
        runner.stop()
        let backoff = try XCTUnwrap(runner.idleStrategyAfterStop?.backoff)
        XCTAssertGreaterThan(backoff.parkCount, 0)
        XCTAssertEqual(backoff.maxParkNanos, 100_000)
    }
}
