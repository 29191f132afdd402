import BatonBench
import Foundation
import Histogram
import XCTest

/// The `--json` summary parses as JSON and carries the figures; the human
/// table and the live lines read as documented.
final class ReportTests: XCTestCase {
    func testLatencyJSONParsesAndCarriesTheFigures() throws {
        var configuration = OpenLoopConfiguration(ratePerSecond: 2_000, warmupNanos: millis(100), durationNanos: millis(500))
        configuration.keepsIntervalLog = false
        var target = StallingTarget(stallAtIndex: Int64.max, stallNanos: 0)
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        let json = LatencyReport.json(result, config: [("target", .string("fake \"stalling\"\n")), ("tuning", .null)])
        let text = json.rendered()
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["benchmark"] as? String, "latency")
        let config = try XCTUnwrap(parsed["config"] as? [String: Any])
        XCTAssertEqual(config["target"] as? String, "fake \"stalling\"\n")
        XCTAssertTrue(config["tuning"] is NSNull)
        let rate = try XCTUnwrap(parsed["rate"] as? [String: Any])
        XCTAssertEqual(rate["target_msgs_per_s"] as? Int, 2_000)
        // The figure the run measured (below 2,000/s when a busy machine made sends late; never above).
        XCTAssertEqual(try XCTUnwrap(rate["achieved_msgs_per_s"] as? Double), result.achievedRatePerSecond, accuracy: 0.05)
        XCTAssertLessThanOrEqual(result.achievedRatePerSecond, 2_000 * 1.001)
        for key in ["ack", "delivery"] {
            let section = try XCTUnwrap(parsed[key] as? [String: Any])
            for variant in ["corrected", "uncorrected"] {
                let summary = try XCTUnwrap(section[variant] as? [String: Any], "\(key).\(variant)")
                XCTAssertEqual(summary["count"] as? Int, 1_000)
                let percentiles = try XCTUnwrap(summary["percentiles_us"] as? [String: Double])
                XCTAssertEqual(Set(percentiles.keys), ["50", "90", "99", "99.9", "99.99", "99.999"])
                let series: LatencySeries = key == "ack" ? (variant == "corrected" ? .ackCorrected : .ackUncorrected)
                    : (variant == "corrected" ? .deliveryCorrected : .deliveryUncorrected)
                XCTAssertEqual(try XCTUnwrap(percentiles["99"]), Double(result.histograms[series].valueAtPercentile(99)) / 1_000,
                               accuracy: 0.0005)
                XCTAssertEqual(try XCTUnwrap(summary["max_us"] as? Double), Double(result.histograms[series].max) / 1_000,
                               accuracy: 0.0005)
            }
        }
        XCTAssertEqual(parsed["complete"] as? Bool, true)
        let intervals = try XCTUnwrap(parsed["intervals"] as? [[String: Any]])
        XCTAssertEqual(intervals.reduce(0) { $0 + ($1["acked"] as? Int ?? 0) }, 1_000)
    }

    func testJSONValueRendersScalarsSafely() throws {
        let value = JSONValue.object([
            ("nan", .number(.nan)), ("whole", .number(3)), ("fraction", .number(0.125)), ("tiny", .number(1e-7)),
            ("control", .string("a\u{1}b\tc")), ("empty", .array([])), ("nested", .array([.object([("k", .bool(false))])])),
        ])
        let parsed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(value.rendered().utf8)) as? [String: Any])
        XCTAssertTrue(parsed["nan"] is NSNull)
        XCTAssertEqual(parsed["whole"] as? Int, 3)
        XCTAssertEqual(parsed["fraction"] as? Double, 0.125)
        XCTAssertEqual(parsed["tiny"] as? Double, 1e-7)
        XCTAssertEqual(parsed["control"] as? String, "a\u{1}b\tc")
        XCTAssertEqual(value["whole"], .number(3))
    }

    func testTableAndLiveLines() {
        var histograms = LatencyHistograms()
        for value in stride(from: UInt64(10_000), through: 1_000_000, by: 10_000) { histograms.ackCorrected.record(value) }
        let table = LatencyTable.render(LatencyTable.rows(histograms, includeDelivery: false)).split(separator: "\n")
        XCTAssertEqual(table.count, 3, "a header and the two ack rows")
        XCTAssertTrue(table[0].hasPrefix("latency in µs"))
        XCTAssertTrue(table[1].hasPrefix("publish→ack (corrected)"))
        XCTAssertTrue(table[1].contains("     100 "), "the count")
        XCTAssertTrue(table[1].contains(" 1,000."), "the max at histogram precision, in µs: \(table[1])")
        let progress = LatencyProgress(elapsedSeconds: 3, intervalSeconds: 1, isWarmup: false, sentPerSecond: 20_000.4,
                                       ackedPerSecond: 19_999.6,
                                       deliveredPerSecond: 20_001, ackP99SoFarNanos: 210_431, deliveryP99SoFarNanos: nil)
        XCTAssertEqual(progress.line, "[   3.0 s] sent 20,000/s acked 20,000/s delivered 20,001/s | p99 so far: ack 210.4 µs, delivery -")
        var last = progress
        last.intervalSeconds = 0.004
        last.isWarmup = true
        XCTAssertEqual(last.line, "[   3.0 s] last 4.00 ms: sent 80 acked 80 delivered 80 (warm-up)")
        XCTAssertEqual(DecimalText.fixed(-0.04, 1), "0.0")
        XCTAssertEqual(DecimalText.fixed(-1.25, 1), "-1.3")
        XCTAssertEqual(DecimalText.grouped(-1_234_567), "-1,234,567")
        XCTAssertEqual(BenchDuration.parse("10"), 10_000_000_000)
        XCTAssertEqual(BenchDuration.parse("2.5s"), 2_500_000_000)
        XCTAssertEqual(BenchDuration.parse("500ms"), 500_000_000)
        XCTAssertEqual(BenchDuration.parse("1m"), 60_000_000_000)
        XCTAssertEqual(BenchDuration.parse("250us"), 250_000)
        XCTAssertNil(BenchDuration.parse("-1s"))
        XCTAssertNil(BenchDuration.parse("s"))
        XCTAssertNil(BenchDuration.parse("10 parsecs"))
        XCTAssertEqual(BenchDuration.format(nanos: 2_500_000_000), "2.500s")
    }
}
