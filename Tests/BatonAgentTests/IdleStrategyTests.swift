import BatonAgent
import XCTest

/// The simple strategies and the run-time-chosen `ConfiguredIdleStrategy`.
final class IdleStrategyTests: XCTestCase {
    func testBusySpinNeverSleeps() {
        var strategy = BusySpinIdleStrategy()
        XCTAssertEqual(strategy.name, "busy-spin")
        // 100 000 idle steps: a single park each (>= 1 us, ~50 us with Linux
        // timer slack) would take seconds; pause hints take well under one.
        let elapsed = measureNanos {
            for _ in 0..<100_000 { strategy.idle(workCount: 0) }
        }
        XCTAssertLessThan(elapsed, 2_000_000_000)
    }

    func testYieldingNeverSleeps() {
        var strategy = YieldingIdleStrategy()
        XCTAssertEqual(strategy.name, "yielding")
        let elapsed = measureNanos {
            for _ in 0..<10_000 { strategy.idle() }
        }
        XCTAssertLessThan(elapsed, 5_000_000_000)
    }

    func testNoOpDoesNothing() {
        var strategy = NoOpIdleStrategy()
        XCTAssertEqual(strategy.name, "no-op")
        let elapsed = measureNanos {
            for _ in 0..<100_000 { strategy.idle() }
        }
        XCTAssertLessThan(elapsed, 1_000_000_000)
    }

    func testSleepingSleepsItsPeriodOnlyWhenIdle() {
        var strategy = SleepingIdleStrategy(periodNanos: 1_000_000)
        XCTAssertEqual(strategy.name, "sleeping")
        XCTAssertEqual(SleepingIdleStrategy().periodNanos, 1_000)
        let idle = measureNanos {
            for _ in 0..<20 { strategy.idle(workCount: 0) }
        }
        XCTAssertGreaterThanOrEqual(idle, 20_000_000, "20 idle steps of 1 ms sleep at least 20 ms")
        let busy = measureNanos {
            for _ in 0..<1_000 { strategy.idle(workCount: 1) }
        }
        XCTAssertLessThan(busy, 500_000_000, "a step after work does not sleep")
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
