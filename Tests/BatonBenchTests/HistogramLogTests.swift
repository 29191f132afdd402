import BatonBench
import Histogram
import XCTest

/// The `.hlog` text: HdrHistogram's header lines, one line per interval and
/// series, readable back (here by `HistogramLogReader`; `scripts/check-hlog.py`
/// checks the same files with the Python reference), and the log of a real
/// run decodes to intervals that add up to the run's totals.
final class HistogramLogTests: XCTestCase {
    func testHeaderAndLinesAreLaidOutAsTheReferenceWriterDoes() throws {
        var writer = HistogramLogWriter(baseWallNanos: 1_700_000_000_123_456_789, comment: "Logged with a test")
        let histogram = HistogramV2EncodingTests.referenceHistogram()
        let encoded = try HistogramV2.encodeCompressedBase64(histogram)
        writer.append(HistogramLogEntry(tag: nil, startSeconds: 0, lengthSeconds: 1.0004, maxValue: histogram.max,
                                        encodedHistogram: encoded))
        writer.append(HistogramLogEntry(tag: "delivery", startSeconds: 1.0004, lengthSeconds: 0.5, maxValue: 734_208,
                                        encodedHistogram: encoded))
        let lines = writer.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "#[Logged with a test]")
        XCTAssertEqual(lines[1], "#[Histogram log format version 1.3]")
        XCTAssertTrue(lines[2].hasPrefix("#[StartTime: 1700000000.123 (seconds since epoch), "), lines[2])
        XCTAssertTrue(lines[2].hasSuffix(" 2023]"), lines[2])
        XCTAssertEqual(lines[3], "#[BaseTime: 1700000000.123 (seconds since epoch)]")
        XCTAssertEqual(lines[4], "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"")
        XCTAssertEqual(lines[5], "0.000,1.000,59022.246," + encoded)
        XCTAssertEqual(lines[6], "Tag=delivery,1.000,0.500,0.734," + encoded)
        XCTAssertEqual(lines[7], "")
        XCTAssertEqual(lines.count, 8)

        let reader = try HistogramLogReader(text: writer.text)
        XCTAssertEqual(reader.startTimeSeconds, 1_700_000_000.123)
        XCTAssertEqual(reader.baseTimeSeconds, 1_700_000_000.123)
        XCTAssertEqual(reader.entries.map(\.tag), [nil, "delivery"])
        XCTAssertEqual(try HistogramV2.decodeCompressedBase64(reader.entries[0].encodedHistogram), histogram)
    }

    func testAMalformedLineIsReportedWithItsNumber() {
        let text = "#[Histogram log format version 1.3]\n0.000,1.000,HISTFAAAA\n"
        XCTAssertThrowsError(try HistogramLogReader(text: text)) { error in
            XCTAssertEqual(error as? HistogramCodecError, .badLogLine(line: 2, text: "0.000,1.000,HISTFAAAA"))
        }
    }

    func testTheIntervalsOfARunAddUpToItsTotals() throws {
        var configuration = OpenLoopConfiguration(ratePerSecond: 5_000, warmupNanos: millis(200), durationNanos: millis(700))
        configuration.intervalNanos = millis(250)
        var target = StallingTarget(stallAtIndex: Int64.max, stallNanos: 0)
        let result = try OpenLoopRunner.run(&target, configuration: configuration)
        XCTAssertTrue(result.isComplete)
        var writer = HistogramLogWriter(baseWallNanos: result.measureStartWallNanos)
        for entry in result.log { writer.append(entry) }
        let reader = try HistogramLogReader(text: writer.text)
        XCTAssertEqual(reader.entries.count, result.log.count)
        XCTAssertEqual(reader.entries.count, result.intervals.count * 4, "four series per interval")
        XCTAssertGreaterThanOrEqual(result.intervals.count, 3)
        var sums = LatencyHistograms()
        var previousStart = -1.0
        for entry in reader.entries {
            let series = LatencySeries.allCases.first { $0.logTag == entry.tag }!
            let histogram = try HistogramV2.decodeCompressedBase64(entry.encodedHistogram)
            XCTAssertEqual(entry.maxValue, histogram.max)
            XCTAssertGreaterThanOrEqual(entry.startSeconds, previousStart, "intervals in time order")
            previousStart = entry.startSeconds
            sums[series].add(histogram)
        }
        // The first interval starts with measurement: not before it, and before the next interval (how
        // soon after the boundary depends on when a busy machine ran the sender, so no tighter bound).
        let firstStart = try XCTUnwrap(reader.entries.first?.startSeconds)
        XCTAssertGreaterThanOrEqual(firstStart, 0, "the first interval starts with measurement")
        XCTAssertLessThan(firstStart, reader.entries[4].startSeconds, "the first interval is first")
        for series in LatencySeries.allCases {
            XCTAssertNil(histogramDifference(sums[series], result.histograms[series]), "\(series)")
            XCTAssertEqual(sums[series].totalCount, 3_500)
        }
        let maxColumn = HistogramLogReader.maxColumn(of: writer.text)
        for (written, entry) in zip(maxColumn, reader.entries) {
            XCTAssertEqual(written, Double(entry.maxValue) / 1e6, accuracy: 0.0005, "Interval_Max is the max in ms")
        }
    }
}
