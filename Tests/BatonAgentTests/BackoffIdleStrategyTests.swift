import BatonAgent
import XCTest

final class BackoffIdleStrategyTests: XCTestCase {
    func testDefaultsAreAgronas() {
        let strategy = BackoffIdleStrategy()
        XCTAssertEqual(strategy.maxSpins, 10)
        XCTAssertEqual(strategy.maxYields, 5)
        XCTAssertEqual(strategy.minParkNanos, 1_000)
        XCTAssertEqual(strategy.maxParkNanos, 1_000_000)
        XCTAssertEqual(strategy.phase, .notIdle)
        XCTAssertEqual(strategy.parkCount, 0)
        XCTAssertEqual(strategy.name, "backoff")
    }

    func testPhasesSpinThenYieldThenParkWithDoublingPeriod() {
        var strategy = BackoffIdleStrategy(maxSpins: 3, maxYields: 2, minParkNanos: 1_000, maxParkNanos: 8_000)
        for step in 1...3 {
            strategy.idle(workCount: 0)
            XCTAssertEqual(strategy.phase, .spinning, "step \(step)")
            XCTAssertEqual(strategy.spinCount, step)
        }
        for step in 1...2 {
            strategy.idle(workCount: 0)
            XCTAssertEqual(strategy.phase, .yielding, "yield \(step)")
            XCTAssertEqual(strategy.yieldCount, step)
        }
        XCTAssertEqual(strategy.parkCount, 0)
        var periods: [Int64] = []
        for _ in 1...5 {
            strategy.idle(workCount: 0)
            XCTAssertEqual(strategy.phase, .parking)
            periods.append(strategy.parkPeriodNanos)
        }
        // Next period after each park: doubled from min, capped at max.
        XCTAssertEqual(periods, [2_000, 4_000, 8_000, 8_000, 8_000])
        XCTAssertEqual(strategy.parkCount, 5)
    }

    func testWorkResetsToSpinningAndParkingRestartsFromMin() {
        var strategy = BackoffIdleStrategy(maxSpins: 1, maxYields: 1, minParkNanos: 1_000, maxParkNanos: 64_000)
        for _ in 1...6 { strategy.idle() }
        XCTAssertEqual(strategy.phase, .parking)
        XCTAssertEqual(strategy.parkPeriodNanos, 16_000)

        strategy.idle(workCount: 3)
        XCTAssertEqual(strategy.phase, .notIdle)
        XCTAssertEqual(strategy.spinCount, 0)
        XCTAssertEqual(strategy.yieldCount, 0)

        strategy.idle(workCount: 0)
        XCTAssertEqual(strategy.phase, .spinning)
        strategy.idle(workCount: 0)
        XCTAssertEqual(strategy.phase, .yielding)
        strategy.idle(workCount: 0)
        XCTAssertEqual(strategy.phase, .parking)
        XCTAssertEqual(strategy.parkPeriodNanos, 2_000, "parking restarts at minPark after a reset")
        XCTAssertEqual(strategy.parkCount, 5, "the park count is never reset")
    }

    func testNoSpinsNoYieldsParksAtOnce() {
        var strategy = BackoffIdleStrategy(maxSpins: 0, maxYields: 0, minParkNanos: 1_000, maxParkNanos: 1_000)
        strategy.idle()
        XCTAssertEqual(strategy.phase, .parking)
        XCTAssertEqual(strategy.parkCount, 1)
        XCTAssertEqual(strategy.parkPeriodNanos, 1_000)
    }

    func testParkingSleeps() {
        var strategy = BackoffIdleStrategy(maxSpins: 0, maxYields: 0, minParkNanos: 2_000_000, maxParkNanos: 2_000_000)
        let elapsed = measureNanos {
            for _ in 1...5 { strategy.idle() }
        }
        XCTAssertGreaterThanOrEqual(elapsed, 10_000_000, "5 parks of 2 ms sleep at least 10 ms")
    }
}
