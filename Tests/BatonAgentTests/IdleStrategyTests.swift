import BatonAgent
import XCTest

/// The simple strategies and the run-time-chosen `ConfiguredIdleStrategy`.
final class IdleStrategyTests: XCTestCase {
    // "Never sleeps" is a count of voluntary context switches (0), not a
    // bound on elapsed time: a busy machine stretches any loop, but only a
    // sleep or a block makes a thread give up the CPU voluntarily.
    func testBusySpinNeverSleeps() {
        var strategy = BusySpinIdleStrategy()
        XCTAssertEqual(strategy.name, "busy-spin")
        let switches = voluntarySwitches {
            for _ in 0..<100_000 { strategy.idle(workCount: 0) }
        }
        XCTAssertEqual(switches, 0, "100,000 idle steps of busy-spin gave up the CPU")
    }

    func testYieldingNeverSleeps() {
        var strategy = YieldingIdleStrategy()
        XCTAssertEqual(strategy.name, "yielding")
        // sched_yield(2) may switch to another thread, but that switch is involuntary.
        let switches = voluntarySwitches {
            for _ in 0..<1_000 { strategy.idle() }
        }
        XCTAssertEqual(switches, 0, "1,000 yields slept")
    }

    func testNoOpDoesNothing() {
        var strategy = NoOpIdleStrategy()
        XCTAssertEqual(strategy.name, "no-op")
        let switches = voluntarySwitches {
            for _ in 0..<100_000 { strategy.idle() }
        }
        XCTAssertEqual(switches, 0)
    }

    func testSleepingSleepsItsPeriodOnlyWhenIdle() {
        var strategy = SleepingIdleStrategy(periodNanos: 1_000_000)
        XCTAssertEqual(strategy.name, "sleeping")
        XCTAssertEqual(SleepingIdleStrategy().periodNanos, 1_000)
        var idle: Int64 = 0
        let idleSwitches = voluntarySwitches {
            idle = measureNanos {
                for _ in 0..<20 { strategy.idle(workCount: 0) }
            }
        }
        // Lower bounds only: a sleep can be longer on a busy machine, never shorter.
        XCTAssertGreaterThanOrEqual(idle, 20_000_000, "20 idle steps of 1 ms sleep at least 20 ms")
        XCTAssertGreaterThanOrEqual(idleSwitches, 20, "every idle step slept")
        let busySwitches = voluntarySwitches {
            for _ in 0..<1_000 { strategy.idle(workCount: 1) }
        }
        XCTAssertEqual(busySwitches, 0, "a step after work does not sleep")
    }

    func testConfiguredStrategyForwardsToItsCase() {
        var backoff = ConfiguredIdleStrategy(.backoff(maxSpins: 1, maxYields: 1, minParkNanos: 1_000, maxParkNanos: 4_000))
        XCTAssertEqual(backoff.name, "backoff")
        backoff.idle(workCount: 0)
        XCTAssertEqual(backoff.backoff?.phase, .spinning)
        backoff.idle(workCount: 0)
        XCTAssertEqual(backoff.backoff?.phase, .yielding)
        backoff.idle(workCount: 0)
        backoff.idle(workCount: 0)
        XCTAssertEqual(backoff.backoff?.phase, .parking)
        XCTAssertEqual(backoff.backoff?.parkCount, 2)
        XCTAssertEqual(backoff.backoff?.parkPeriodNanos, 4_000)
        backoff.idle(workCount: 5)
        XCTAssertEqual(backoff.backoff?.phase, .notIdle)
        backoff.idle()
        XCTAssertEqual(backoff.backoff?.phase, .spinning)
        backoff.reset()
        XCTAssertEqual(backoff.backoff?.phase, .notIdle)

        let names = IdleStrategyConfiguration.allowedNames.map { name in
            ConfiguredIdleStrategy(try! IdleStrategyConfiguration(parsing: name)).name
        }
        XCTAssertEqual(names, ["busy-spin", "yielding", "backoff", "sleeping", "no-op"])
        XCTAssertNil(ConfiguredIdleStrategy(.busySpin).backoff)

        var sleeping = ConfiguredIdleStrategy(.sleeping(periodNanos: 1_000_000))
        let elapsed = measureNanos {
            for _ in 0..<10 { sleeping.idle() }
        }
        XCTAssertGreaterThanOrEqual(elapsed, 10_000_000)
    }
}
