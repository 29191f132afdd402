import BatonTestSupport
import BatonLog
import BatonTime
import XCTest

/// `LogRestart.startAfresh`: the old log renamed aside (nothing deleted), an
/// empty log at the new position, idempotent after a crash part-way, refused
/// clearly at a position that is not a segment boundary.
final class LogRestartTests: XCTestCase {
    func testTheLogStartsAfreshAtASegmentBoundaryAndKeepsTheOldFilesAside() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let segment = Int64(configuration.segmentBytes)
        do {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
            try writer.onStart()
            var random = SplitMix64(seed: 7)
            while log.appender.position < 3 * segment {
                _ = appendFrames(log, writer: writer, count: 40, random: &random, firstSequence: 0)
                _ = try? writer.doWork()
            }
            let end = log.appender.position
            drive(writer) { log.durablePosition == end }
            try writer.onClose()
        }
        let restartAt = 8 * segment
        XCTAssertThrowsError(try LogRestart.startAfresh(at: restartAt + 32, configuration: configuration, fileSystem: SystemFileSystem())) {
            XCTAssertTrue("\($0)".contains("not a multiple of its segment size"), "\($0)")
        }
        let renamed = try LogRestart.startAfresh(at: restartAt, configuration: configuration, fileSystem: SystemFileSystem())
        XCTAssertGreaterThanOrEqual(renamed, 4, "the old segments and the checkpoint")
        // Again, as after a crash part-way: the empty segment is renamed too, numbered, nothing overwritten.
        XCTAssertEqual(try LogRestart.startAfresh(at: restartAt, configuration: configuration, fileSystem: SystemFileSystem()), 1)
        let names = try SystemFileSystem().list(directory.path)
        XCTAssertTrue(names.contains(SegmentLayout.fileName(base: 0) + LogRestart.archiveSuffix), "\(names)")
        XCTAssertTrue(names.contains(SegmentLayout.fileName(base: restartAt) + LogRestart.archiveSuffix), "\(names)")

        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(log.startPosition, restartAt)
        XCTAssertEqual(log.appendedPosition, restartAt)
        XCTAssertEqual(log.durablePosition, restartAt)
        // Appending goes on from the new start and survives a reopen.
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        var random = SplitMix64(seed: 8)
        _ = appendFrames(log, writer: writer, count: 20, random: &random, firstSequence: 0)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        try writer.onClose()
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(reopened.startPosition, restartAt)
        XCTAssertEqual(reopened.appendedPosition, end)
        XCTAssertEqual(try readAll(reopened).count, 20)
    }
}
