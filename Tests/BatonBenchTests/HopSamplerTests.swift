import BatonBench
import XCTest

/// The per-hop breakdown's bookkeeping without a cluster: samples start when
/// the first stage moves, finish when the last reaches them, and split the
/// time between consecutive stages (histograms of microsecond precision, so
/// the times here are whole microseconds).
final class HopSamplerTests: XCTestCase {
    private let micro: Int64 = 1_000

    func testASampleFollowsOnePositionThroughEveryStage() {
        var sampler = HopSampler(stageCount: 3)
        sampler.observe([0, 0, 0], now: 100 * micro)
        XCTAssertEqual(sampler.position, -1, "nothing appended yet")
        sampler.observe([500, 0, 0], now: 200 * micro)
        XCTAssertEqual(sampler.position, 500)
        sampler.observe([900, 400, 0], now: 300 * micro)    // stage 1 not there yet
        sampler.observe([900, 600, 0], now: 450 * micro)    // stage 1 passes 500 at 450
        sampler.observe([1200, 900, 500], now: 700 * micro) // stage 2 reaches 500 at 700
        XCTAssertEqual(sampler.hops.map(\.totalCount), [1, 1])
        XCTAssertEqual(sampler.hops.map { $0.valueAtPercentile(50) }, [250_000, 250_000])
        XCTAssertEqual(sampler.total.totalCount, 1)
        XCTAssertEqual(sampler.total.valueAtPercentile(50), 500_000)
        XCTAssertEqual(sampler.position, -1)
        sampler.observe([1200, 1200, 900], now: 800 * micro)
        XCTAssertEqual(sampler.position, 1200, "the next sample starts where the first stage is")
    }

    func testStagesSeenInOnePollCountZeroAndNeverNegative() {
        var sampler = HopSampler(stageCount: 4)
        sampler.observe([100, 0, 0, 0], now: 10 * micro)
        sampler.observe([100, 0, 0, 100], now: 50 * micro)  // the last stage seen first (a poll missed the others)
        XCTAssertEqual(sampler.hops.map { $0.valueAtPercentile(100) }, [40_000, 0, 0])
        XCTAssertEqual(sampler.total.valueAtPercentile(100), 40_000)
        XCTAssertEqual(sampler.clamped, 0)
    }
}
