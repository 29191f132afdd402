import BatonTestSupport
import BatonCodec
import BatonLog
import BatonTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class LogRecoveryTests: XCTestCase {
    /// Writes `count` frames that reach the files but are not covered by a
    /// checkpoint (a manual clock that never moves, no roll, no close): the
    /// state a crash leaves. Returns the frame positions and the end.
    private func writeUncheckpointedFrames(_ configuration: LogConfiguration, count: Int, seed: UInt64) throws -> (positions: [Int64], end: Int64) {
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        var random = SplitMix64(seed: seed)
        let positions = appendFrames(log, writer: writer, count: count, random: &random, maximumPayload: 300)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        XCTAssertLessThan(end, Int64(configuration.segmentBytes), "stay inside one segment: no roll checkpoint")
        return (positions, end)
        // The writer is dropped without onClose: no final checkpoint.
    }

    /// Writes `count` frames, all durable, and closes the writer (its final
    /// checkpoint covers every one). Returns the frame positions.
    private func writeCheckpointedFrames(_ configuration: LogConfiguration, count: Int, seed: UInt64) throws -> [Int64] {
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        var random = SplitMix64(seed: seed)
        let positions = appendFrames(log, writer: writer, count: count, random: &random)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        writer.onClose()   // final checkpoint: everything is below it
        return positions
    }

    private func overwrite(_ path: String, at offset: Int64, bytes: [UInt8]) {
        let fd = open(path, O_RDWR)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        bytes.withUnsafeBytes { raw in XCTAssertEqual(pwrite(fd, raw.baseAddress, raw.count, off_t(offset)), raw.count) }
    }

    private func segmentPath(_ configuration: LogConfiguration, _ position: Int64) -> String {
        SegmentLayout(directory: configuration.directory, segmentBytes: configuration.segmentBytes).path(ofSegmentHolding: position)
    }

    /// Garbage over the tail of the last segment is cut back to the last valid frame.
    func testTornTailGarbageIsCutBackToLastValidFrame() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        let (positions, end) = try writeUncheckpointedFrames(configuration, count: 300, seed: 21)
        let victim = positions[positions.count - 3]
        var random = SplitMix64(seed: 22)
        let garbage = (0..<3000).map { _ in UInt8(truncatingIfNeeded: random.next() | 1) }
        overwrite(segmentPath(configuration, victim), at: victim + 20, bytes: garbage)

        let before = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(before.problemIsTornTail, "\(String(describing: before.problem))")
        XCTAssertEqual(before.endPosition, victim)

        let (logger, lines) = capturingLogger()
        let log = try DurableLog.open(configuration, logger: logger)
        XCTAssertEqual(log.recovery.cutPosition, victim)
        XCTAssertEqual(log.recovery.endPosition, victim)
        XCTAssertGreaterThanOrEqual(log.recovery.cutBytes, Int64(max(3000 + 20, Int(end - victim))))
        XCTAssertEqual(log.appendedPosition, victim)
        XCTAssertEqual(log.durablePosition, victim)
        XCTAssertEqual(lines.all.filter { $0.contains("CUT") && $0.contains("\(victim)") }.count, 1, "\(lines.all)")
        XCTAssertEqual(try readAll(log).map(\.position), Array(positions.prefix(positions.count - 3)))
        let after = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(after.isClean, "\(String(describing: after.problem))")
        XCTAssertEqual(after.trailingBytes, 0)

        // Appends continue from the cut.
        let writer = try log.makeWriter()
        try writer.onStart()
        var more = SplitMix64(seed: 23)
        let next = appendFrames(log, writer: writer, count: 50, random: &more, firstSequence: 1000)
        XCTAssertEqual(next.first, victim)
        let newEnd = log.appender.position
        drive(writer) { log.durablePosition == newEnd }
        writer.onClose()
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// A truncated last frame (its second half never reached the disk) is cut.
    func testTruncatedLastFrameIsCut() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        let (positions, end) = try writeUncheckpointedFrames(configuration, count: 200, seed: 24)
        let last = positions[positions.count - 1]
        let lastLength = end - last
        XCTAssertGreaterThan(lastLength, 64)
        let cutAt = last + 48
        overwrite(segmentPath(configuration, last), at: cutAt, bytes: [UInt8](repeating: 0, count: Int(end - cutAt)))
        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(log.recovery.endPosition, last)
        XCTAssertEqual(log.recovery.cutPosition, last)
        XCTAssertEqual(try readAll(log).map(\.position), Array(positions.dropLast()))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 64)
        defer { buffer.deallocate() }
        XCTAssertThrowsError(try log.makeReader().read(from: last + 32, into: buffer))
    }

    /// A corrupt frame below the checkpoint: open refuses, naming segment and position.
    func testCorruptDurableFrameBelowCheckpointRefusesToOpen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        let positions = try writeCheckpointedFrames(configuration, count: 200, seed: 25)
        let victim = positions[150]
        let path = segmentPath(configuration, victim)
        overwrite(path, at: victim + Int64(FrameDescriptor.headerLength) - 1, bytes: [0x5A])
        XCTAssertThrowsError(try DurableLog.open(configuration, logger: quietLogger())) { error in
            guard case let LogError.corruptDurableFrame(segment, position, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(segment, path)
            XCTAssertEqual(position, victim)
            XCTAssertTrue("\(error)".contains(path) && "\(error)".contains("\(victim)"), "\(error)")
        }
        // Nothing was changed: verify still sees the same corruption, not durable-looking data cut.
        let report = try LogVerifier.verify(directory: directory.path)
        XCTAssertFalse(report.problemIsTornTail)
        XCTAssertEqual(report.endPosition, victim)
    }

    /// A chain follower's log (`repairsFromReplicas`): the same corrupt durable
    /// frame is cut with everything after it, the open says where the chain
    /// must send again from, and the log reopens clean there.
    func testARepairingLogCutsACorruptDurableFrameAndSaysWhere() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        let positions = try writeCheckpointedFrames(configuration, count: 200, seed: 25)
        let victim = positions[150]
        overwrite(segmentPath(configuration, victim), at: victim + Int64(FrameDescriptor.headerLength) - 1, bytes: [0x5A])
        configuration.repairsFromReplicas = true
        do {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            XCTAssertEqual(log.recovery.repairedPosition, victim)
            XCTAssertEqual(log.appendedPosition, victim)
            XCTAssertEqual(log.durablePosition, victim)
            var frames = 0
            try log.makeReader().forEachFrame(from: 0) { _ in frames += 1 }
            XCTAssertEqual(frames, 150, "every frame before the corrupt one is kept")
        }
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertNil(reopened.recovery.repairedPosition, "the checkpoint went back to the cut: the next open is clean")
        XCTAssertNil(reopened.recovery.cutPosition)
        XCTAssertEqual(reopened.appendedPosition, victim)
    }

    /// No checkpoint covers the corrupt frame, but a valid frame lies more than
    /// maxInFlightBytes beyond it: it must have been durable, so open refuses.
    func testValidFrameBeyondInFlightWindowProvesDurability() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10, bufferBytes: 256 << 10)
        configuration.maxInFlightBytes = 16 << 10
        let (positions, end) = try writeUncheckpointedFrames(configuration, count: 600, seed: 26)
        XCTAssertGreaterThan(end - positions[10], 3 * 16 << 10)
        let victim = positions[10]
        overwrite(segmentPath(configuration, victim), at: victim + 4, bytes: [0xFF, 0xFF])
        XCTAssertThrowsError(try DurableLog.open(configuration, logger: quietLogger())) { error in
            guard case let LogError.corruptDurableFrame(_, position, reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(position, victim)
            XCTAssertTrue(reason.contains("maxInFlightBytes"), reason)
        }
    }

    /// Opening errors name the path: missing directory, a file instead of a
    /// directory, a segment of the wrong size, a missing segment in the middle.
    func testOpenErrorsNameThePath() throws {
        let missing = "/tmp/baton-log-does-not-exist-\(getpid())"
        XCTAssertThrowsError(try DurableLog.open(LogConfiguration(directory: missing), logger: quietLogger())) { error in
            XCTAssertEqual(error as? LogError, .missingDirectory(path: missing))
            XCTAssertTrue("\(error)".contains(missing))
        }

        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        do {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let writer = try log.makeWriter()
            try writer.onStart()
            var random = SplitMix64(seed: 27)
            _ = appendFrames(log, writer: writer, count: 600, random: &random)
            let end = log.appender.position
            drive(writer) { log.durablePosition == end }
            writer.onClose()
        }
        let layout = SegmentLayout(directory: directory.path, segmentBytes: configuration.segmentBytes)
        let second = layout.path(base: Int64(configuration.segmentBytes))
        XCTAssertEqual(truncate(second, 1000), 0)
        XCTAssertThrowsError(try DurableLog.open(configuration, logger: quietLogger())) { error in
            XCTAssertEqual(error as? LogError, .wrongSegmentSize(path: second, size: 1000, expected: Int64(configuration.segmentBytes)))
            XCTAssertTrue("\(error)".contains(second))
        }
        XCTAssertEqual(unlink(second), 0)
        XCTAssertThrowsError(try DurableLog.open(configuration, logger: quietLogger())) { error in
            XCTAssertEqual(error as? LogError, .missingSegment(path: second))
        }
        var changed = configuration
        changed.segmentBytes = configuration.segmentBytes * 2
        XCTAssertThrowsError(try DurableLog.open(changed, logger: quietLogger())) { error in
            guard case LogError.invalidConfiguration(key: "segmentBytes", _) = error else { return XCTFail("\(error)") }
        }
    }

    /// An unwritable data directory (immutable, so even root cannot write) is
    /// a clear error naming it. Skipped where `chattr` is unavailable.
    func testUnwritableDirectoryIsAClearError() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        guard runTool("/usr/bin/chattr", ["+i", directory.path]) == 0 else { throw XCTSkip("chattr +i not available") }
        defer { _ = runTool("/usr/bin/chattr", ["-i", directory.path]) }
        XCTAssertThrowsError(try DurableLog.open(smallConfiguration(directory.path), logger: quietLogger())) { error in
            guard case LogError.unwritableDirectory(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasPrefix(directory.path), path)
        }
    }

    /// Recovery loads the tail of the log into the log buffer.
    func testRecoveryLoadsTailIntoLogBuffer() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        var end: Int64 = 0
        do {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let writer = try log.makeWriter()
            try writer.onStart()
            var random = SplitMix64(seed: 28)
            _ = appendFrames(log, writer: writer, count: 1500, random: &random)
            end = log.appender.position
            drive(writer) { log.durablePosition == end }
            writer.onClose()
        }
        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(log.recovery.endPosition, end)
        // Walk the buffer's window from the first frame boundary at or after end - bufferBytes.
        var checked = 0
        try log.makeReader().forEachFrame(from: 0) { frame in
            guard frame.position >= end - Int64(configuration.bufferBytes) else { return }
            let inBuffer = FrameHeader(log.buffer.address(of: frame.position))
            XCTAssertEqual(inBuffer.checksum, frame.checksum)
            XCTAssertEqual(inBuffer.position, frame.position)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100)
    }
}

/// Runs a tool to completion (posix_spawn), returning its exit status, or -1.
func runTool(_ path: String, _ arguments: [String]) -> Int32 {
    guard access(path, X_OK) == 0 else { return -1 }
    var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
    argv.append(nil)
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, path, nil, nil, argv, nil) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}
