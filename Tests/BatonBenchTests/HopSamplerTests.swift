import BatonBench
import XCTest

/// The per-hop breakdown's bookkeeping without a cluster: samples start when
/// the first stage moves, finish when the last reaches them, and split the
/// time between consecutive stages.
final class HopSamplerTests: XCTestCase {
    func testASampleFollowsOnePositionThroughEveryStage() {
        var sampler = HopSampler(stageCount: 3)
        sampler.observe([0, 0, 0], now: 100)
        XCTAssertEqual(sampler.position, -1, "nothing appended yet")
        sampler.observe([500, 0, 0], now: 200)
        XCTAssertEqual(sampler.position, 500)
        sampler.observe([900, 400, 0], now: 300)   // stage 1 not there yet
        sampler.observe([900, 600, 0], now: 450)   // stage 1 passes 500 at 450
        sampler.observe([1200, 900, 500], now: 700) // stage 2 reaches 500 at 700
        XCTAssertEqual(sampler.durations, [[250], [250]])
        XCTAssertEqual(sampler.totals, [500])
        XCTAssertEqual(sampler.position, -1)
        sampler.observe([1200, 1200, 900], now: 800)
        XCTAssertEqual(sampler.position, 1200, "the next sample starts where the first stage is")
    }

    func testStagesSeenInOnePollCountZeroAndNeverNegative() {
        var sampler = HopSampler(stageCount: 4)
        sampler.observe([100, 0, 0, 0], now: 10)
        sampler.observe([100, 0, 0, 100], now: 50)  // the last stage seen first (a poll missed the others)
        XCTAssertEqual(sampler.durations, [[40], [0], [0]])
        XCTAssertEqual(sampler.totals, [40])
    }

    func testQuantiles() {
        XCTAssertEqual(HopSampler.quantile([], 0.5), 0)
        XCTAssertEqual(HopSampler.quantile([5, 1, 3, 2, 4], 0.5), 3)
        XCTAssertEqual(HopSampler.quantile(Array(1...100), 0.99), 99)
        XCTAssertEqual(HopSampler.quantile(Array(1...100), 1), 100)
    }
}
