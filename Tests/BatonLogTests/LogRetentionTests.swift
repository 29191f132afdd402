import BatonTestSupport
import BatonCodec
import BatonLog
import BatonRing
import BatonTime
import XCTest

final class LogRetentionTests: XCTestCase {
    private func segmentFiles(_ directory: String) throws -> [String] {
        try SystemFileSystem().list(directory).filter { $0.hasSuffix(".log") }.sorted()
    }

    /// By size: whole segments are deleted from the start, never at or above
    /// the retention floor; reads below the new start are refused clearly.
    func testRetentionBySizeRespectsFloor() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        let segment = Int64(configuration.segmentBytes)
        configuration.retention = RetentionPolicy(maximumBytes: 4 * segment)
        configuration.retention.checkIntervalNanos = 1_000_000
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let floors = CounterSet(capacity: 1)
        let floor = floors.allocate(label: "replica")
        floor.setPlain(3 * segment + 100)   // a lagging replica still needs segment 3 onwards
        log.addRetentionFloor(floor)
        let clock = ManualClock()
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: clock)
        try writer.onStart()
        var random = SplitMix64(seed: 41)
        var positions: [Int64] = []
        while log.appender.position < 12 * segment {
            positions += appendFrames(log, writer: writer, count: 50, random: &random, firstSequence: UInt64(positions.count))
            _ = try? writer.doWork()
        }
        let end = log.appender.position
        drive(writer) {
            clock.advance(nanos: 2_000_000)
            return log.durablePosition == end
        }
        for _ in 0..<10 {
            clock.advance(nanos: 2_000_000)
            _ = try writer.doWork()
        }
        // The floor holds segment 3: only 0, 1, 2 may go although the size limit wants more.
        XCTAssertEqual(log.startPosition, 3 * segment)
        XCTAssertEqual(try segmentFiles(directory.path).first, SegmentLayout.fileName(base: 3 * segment))

        // The replica catches up: retention now trims to the size limit.
        floor.setRelease(end)
        for _ in 0..<10 {
            clock.advance(nanos: 2_000_000)
            _ = try writer.doWork()
        }
        let files = try segmentFiles(directory.path)
        XCTAssertLessThanOrEqual(Int64(files.count) * segment, 4 * segment)
        XCTAssertGreaterThan(log.startPosition, 3 * segment)
        XCTAssertEqual(files.first, SegmentLayout.fileName(base: log.startPosition))
        XCTAssertGreaterThan(writer.segmentsDeleted, 3)

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 8192, alignment: 64)
        defer { buffer.deallocate() }
        XCTAssertThrowsError(try log.makeReader().read(from: 0, into: buffer)) { error in
            guard case LogError.belowStart = error else { return XCTFail("\(error)") }
        }
        // Frames from the new start on are all there.
        let remaining = try readAll(log).map(\.position)
        XCTAssertEqual(remaining, positions.filter { $0 >= log.startPosition })
        writer.onClose()

        // Reopen: the log starts at the first remaining segment.
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(reopened.startPosition, log.startPosition)
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// By age: segments older than the limit go, the active one never.
    func testRetentionByAgeKeepsActiveSegment() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        let segment = Int64(configuration.segmentBytes)
        configuration.retention = RetentionPolicy(maximumAgeNanos: 3_600_000_000_000)
        configuration.retention.checkIntervalNanos = 1_000_000
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let clock = ManualClock()
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: clock)
        try writer.onStart()
        var random = SplitMix64(seed: 42)
        while log.appender.position < 5 * segment + 1000 {
            _ = appendFrames(log, writer: writer, count: 50, random: &random)
            _ = try? writer.doWork()
        }
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        clock.advance(nanos: 2_000_000)
        _ = try writer.doWork()
        XCTAssertEqual(log.startPosition, 0, "nothing is an hour old yet")
        clock.advance(nanos: 2 * 3_600_000_000_000)
        _ = try writer.doWork()
        XCTAssertEqual(log.startPosition, 5 * segment, "all but the active segment are old")
        XCTAssertTrue(try segmentFiles(directory.path).contains(SegmentLayout.fileName(base: 5 * segment)))
        writer.onClose()
    }
}
