import BatonBench
import Histogram
import XCTest

/// The open-loop runner's rules other than the correction itself: the
/// schedule, warm-up, the window, the drain timeout, failures, and that its
/// steady-state loop allocates nothing.
final class OpenLoopRunnerTests: XCTestCase {
    func testScheduleIsExactAndDriftFree() {
        let schedule = OpenLoopSchedule(startNanos: 1_000, ratePerSecond: 30_000, warmupMessages: 60_000, messageCount: 90_000)
        XCTAssertEqual(schedule.intendedNanos(0), 1_000)
        XCTAssertEqual(schedule.intendedNanos(1), 1_000 + 33_333)
        XCTAssertEqual(schedule.intendedNanos(30_000), 1_000 + 1_000_000_000, "a whole second after rate messages")
        XCTAssertEqual(schedule.measureStartNanos, 1_000 + 2_000_000_000)
        let big = OpenLoopSchedule(startNanos: 0, ratePerSecond: 7, warmupMessages: 0, messageCount: 1 << 40)
        XCTAssertEqual(big.intendedNanos(7 << 36), 1_000_000_000 << 36, "no overflow far out")
    }

    func testWarmupIsSentButNotMeasured() throws {
        var configuration = OpenLoopConfiguration(ratePerSecond: 4_000, warmupNanos: millis(250), durationNanos: millis(500))
        configuration.keepsIntervalLog = false
        var target = StallingTarget(stallAtIndex: Int64.max, stallNanos: 0)
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertEqual(result.scheduled, 3_000)
        XCTAssertEqual(result.sent, 3_000)
        XCTAssertEqual(result.acked, 3_000)
        XCTAssertEqual(result.delivered, 3_000)
        XCTAssertEqual(result.sentMeasured, 2_000)
        for series in LatencySeries.allCases { XCTAssertEqual(result.histograms[series].totalCount, 2_000, "\(series)") }
        XCTAssertTrue(result.log.isEmpty)
        // Measured sends only: with the 1,000 warm-up sends counted the rate would read 6,000/s. Only an
        // upper bound: a send can be late on a busy machine (a lower rate), never early.
        XCTAssertLessThanOrEqual(result.achievedRatePerSecond, 4_000 * 1.001)
        XCTAssertGreaterThanOrEqual(result.measuredSendSeconds, 0.5, "2,000 sends at 4,000/s take half a second at least")
        XCTAssertEqual(result.intervals.reduce(0) { $0 + $1.acked }, 2_000, "intervals count the measured acks")
    }

    func testWarmupStragglersAreInNoMeasuredInterval() throws {
        // Acks (and deliveries) held until 20 ms into the measurement: every
        // warm-up message completes inside a measured interval, as they do
        // when a busy machine delays them. Measured intervals must still count
        // the measured messages only (they counted the stragglers too, and a
        // test that assumed prompt acks failed under load: issue 10).
        struct LateCompletions: OpenLoopTarget {
            var offered: Int64 = 0
            var acknowledged: Int64 = 0
            var intended: [Int64] = []
            var sent: [Int64] = []
            var deliveriesPerMessage: Int { 1 }
            mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
                intended.append(intendedNanos)
                sent.append(sentNanos)
                offered = index + 1
                return true
            }
            mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
                let now = BenchClock.monotonicNanos()
                guard offered > acknowledged, now >= completions.schedule.measureStartNanos + millis(20) else { return 0 }
                completions.acked(through: offered - 1, completedNanos: now)
                for index in Int(acknowledged)..<Int(offered) {
                    completions.delivered(intendedNanos: intended[index], sentNanos: sent[index], completedNanos: now)
                }
                acknowledged = offered
                return 1
            }
        }
        var configuration = OpenLoopConfiguration(ratePerSecond: 2_000, warmupNanos: millis(100), durationNanos: millis(200))
        configuration.keepsIntervalLog = false
        configuration.intervalNanos = millis(50)
        var target = LateCompletions()
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertTrue(result.isComplete)
        XCTAssertEqual(result.sentMeasured, 400)
        XCTAssertEqual(result.intervals.reduce(0) { $0 + $1.acked }, 400, "measured acks only")
        XCTAssertEqual(result.intervals.reduce(0) { $0 + $1.delivered }, 400, "measured deliveries only")
        XCTAssertEqual(result.intervals.reduce(0) { $0 + $1.sent }, 400, "measured sends only")
        XCTAssertEqual(result.histograms.ackCorrected.totalCount, 400)
    }

    func testAFullWindowDelaysSendsAndTheDelayIsMeasured() throws {
        // A window of 8 at 20,000 msgs/s with acks that arrive only 5 ms after
        // a poll: the sender is held back, so most sends are late, and the
        // corrected latencies grow well beyond the uncorrected.
        struct SlowAcks: OpenLoopTarget {
            var offered: Int64 = 0
            var acknowledged: Int64 = 0
            var nextAckNanos: Int64 = 0
            var deliveriesPerMessage: Int { 0 }
            mutating func offer(index: Int64, intendedNanos: Int64, sentNanos: Int64) throws -> Bool {
                offered = index + 1
                return true
            }
            mutating func poll(_ completions: inout OpenLoopCompletions) throws -> Int {
                let now = BenchClock.monotonicNanos()
                guard offered > acknowledged else { nextAckNanos = now + 5_000_000; return 0 }
                guard now >= nextAckNanos else { return 0 }
                completions.acked(through: offered - 1, completedNanos: now)
                acknowledged = offered
                nextAckNanos = now + 5_000_000
                return 1
            }
        }
        var configuration = OpenLoopConfiguration(ratePerSecond: 20_000, warmupNanos: 0, durationNanos: millis(100))
        configuration.windowMessages = 8
        configuration.drainTimeoutNanos = seconds(10)
        var target = SlowAcks()
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertTrue(result.isComplete)
        XCTAssertGreaterThan(result.windowFullRounds, 0)
        XCTAssertGreaterThan(result.lateSends, 1_500)
        XCTAssertLessThan(result.achievedRatePerSecond, 5_000, "8 messages per 5 ms at most")
        XCTAssertGreaterThan(result.histograms.ackCorrected.valueAtPercentile(50), 100_000_000, "corrected: queueing behind the window")
        // Uncorrected: just the 5 ms ack delay (plus whatever a busy machine adds to both series): a fraction of the corrected.
        XCTAssertLessThan(result.histograms.ackUncorrected.valueAtPercentile(50) * 4, result.histograms.ackCorrected.valueAtPercentile(50),
                          "uncorrected latencies omit the queueing behind the window")
    }

    func testADeadTargetEndsAtTheDrainTimeoutWithEverythingMissing() throws {
        var configuration = OpenLoopConfiguration(ratePerSecond: 1_000, warmupNanos: 0, durationNanos: millis(200))
        configuration.drainTimeoutNanos = millis(200)
        var target = SilentTarget()
        let started = BenchClock.monotonicNanos()
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertLessThan(BenchClock.monotonicNanos() - started, seconds(3))
        XCTAssertFalse(result.isComplete)
        XCTAssertEqual(result.sent, 200)
        XCTAssertEqual(result.missingAcks, 200)
        XCTAssertEqual(result.histograms.ackCorrected.totalCount, 0)
    }

    func testATargetFailureEndsTheRunWithThatError() {
        let configuration = OpenLoopConfiguration(ratePerSecond: 10_000, warmupNanos: 0, durationNanos: seconds(1))
        var target = FailingTarget(failAt: 500)
        XCTAssertThrowsError(try OpenLoopRunner.run(&target, configuration: configuration)) { error in
            XCTAssertEqual(error as? BenchError, BenchError("the fake target failed at message 500"))
        }
    }

    func testBadSettingsAreRefusedNamingTheField() {
        var configuration = OpenLoopConfiguration(ratePerSecond: 0, warmupNanos: 0, durationNanos: seconds(1))
        XCTAssertThrowsError(try configuration.validate()) { XCTAssertTrue("\($0)".contains("rate")) }
        configuration = OpenLoopConfiguration(ratePerSecond: 10, warmupNanos: 0, durationNanos: millis(10))
        XCTAssertThrowsError(try configuration.validate()) { XCTAssertTrue("\($0)".contains("duration")) }
        configuration = OpenLoopConfiguration(ratePerSecond: 10, warmupNanos: 0, durationNanos: seconds(1))
        configuration.windowMessages = 0
        XCTAssertThrowsError(try configuration.validate()) { XCTAssertTrue("\($0)".contains("window")) }
    }

    func testTheSenderLoopAllocatesNothingOnceRunning() throws {
        guard let counter = mallocCounter() else { throw XCTSkip("the CMallocCounter interposer is not active") }
        try skipUnlessOptimized()
        // 20,000 msgs/s with 50 ms intervals: the counted stretch (0.2 s to
        // 0.8 s) spans about a dozen interval hand-offs.
        var configuration = OpenLoopConfiguration(ratePerSecond: 20_000, warmupNanos: millis(100), durationNanos: millis(900))
        configuration.intervalNanos = millis(50)
        var target = AllocationCountingTarget(inner: StallingTarget(stallAtIndex: Int64.max, stallNanos: 0),
                                              from: 4_000, to: 16_000, counter: counter)
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertTrue(result.isComplete)
        XCTAssertGreaterThanOrEqual(result.intervals.count, 15)
        XCTAssertEqual(target.result.allocations, 0, "sending, polling, recording and hand-offs allocate nothing")
    }
}
