import BatonBench
import Histogram
import XCTest

/// The harness's reason to exist: at 10,000 msgs/s against a target that
/// stalls 100 ms once, latency measured from the schedule (corrected) shows
/// the stall at p99.9 — the ~1,000 messages that were due during it all
/// waited — while latency measured from the actual sends (uncorrected, what
/// a closed-loop tool reports) hides it: the delayed messages went out late
/// and were answered at once. Runs the same `OpenLoopRunner` as `baton
/// bench latency`, for 3 seconds.
final class CoordinatedOmissionTests: XCTestCase {
    func testCorrectedP999ShowsAStallThatUncorrectedHides() throws {
        let rate = 10_000
        var configuration = OpenLoopConfiguration(ratePerSecond: rate, warmupNanos: millis(500), durationNanos: millis(2_500))
        configuration.drainTimeoutNanos = seconds(2)
        // The stall begins 1 s into the measured period.
        var target = StallingTarget(stallAtIndex: Int64(rate) * 3 / 2, stallNanos: millis(100))
        let result = try OpenLoopRunner.run(&target, configuration: configuration)

        XCTAssertTrue(result.isComplete)
        XCTAssertEqual(result.histograms.ackCorrected.totalCount, 25_000)
        XCTAssertEqual(result.histograms.deliveryCorrected.totalCount, 25_000)
        XCTAssertGreaterThan(result.lateSends, 500, "the messages due during the stall went out late")

        for (corrected, uncorrected, what) in [
            (result.histograms.ackCorrected, result.histograms.ackUncorrected, "ack"),
            (result.histograms.deliveryCorrected, result.histograms.deliveryUncorrected, "delivery"),
        ] {
            let correctedP999 = corrected.valueAtPercentile(99.9)
            let uncorrectedP999 = uncorrected.valueAtPercentile(99.9)
            // About 1,000 of 25,000 values lie between 0 and 100 ms: p99.9 is near 97.5 ms.
            XCTAssertGreaterThanOrEqual(correctedP999, 50_000_000, "\(what): corrected p99.9 \(correctedP999) ns should show the stall")
            XCTAssertLessThan(uncorrectedP999, 10_000_000, "\(what): uncorrected p99.9 \(uncorrectedP999) ns should not")
            XCTAssertGreaterThanOrEqual(corrected.max, 95_000_000)
            XCTAssertGreaterThan(corrected.count(within: 10_000_000...60_000_000_000), 800,
                                 "\(what): most messages due during the stall waited over 10 ms")
            XCTAssertEqual(uncorrected.count(within: 10_000_000...60_000_000_000), 1,
                           "\(what): only the message in flight through the stall waited, as measured from its send")
        }
    }
}
