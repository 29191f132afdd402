import BatonTestSupport
import BatonCodec
import BatonLog
import BatonTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class LogWriterFaultTests: XCTestCase {
    /// Forcing the fallback: the writer uses pwrite + fdatasync, says so in
    /// one log line at start, and the log round-trips.
    func testPwriteByConfigurationLogsOneLineAndWorks() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        configuration.ioBackend = .pwrite
        let (logger, lines) = capturingLogger()
        let log = try DurableLog.open(configuration, logger: logger)
        let writer = try log.makeWriter()
        XCTAssertTrue(writer.storage.isFallback)
        XCTAssertEqual(writer.storage.name, "pwrite")
        XCTAssertEqual(lines.all.filter { $0.contains("using pwrite + fdatasync") }.count, 1, "\(lines.all)")
        XCTAssertEqual(lines.all.filter { $0.contains("FALLING BACK") }.count, 0, "chosen, not a fallback: \(lines.all)")
        try writer.onStart()
        var random = SplitMix64(seed: 31)
        let positions = appendFrames(log, writer: writer, count: 1000, random: &random)
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
    }

    /// The automatic backend picks io_uring on this kernel (and says so).
    func testAutomaticBackendUsesIOURing() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (logger, lines) = capturingLogger()
        let log = try DurableLog.open(smallConfiguration(directory.path), logger: logger)
        let writer = try log.makeWriter()
        if writer.storage.isFallback { throw XCTSkip("io_uring unavailable here: \(lines.all)") }
        XCTAssertTrue(writer.storage.name.hasPrefix("io_uring"))
        XCTAssertEqual(lines.all.filter { $0.contains("using io_uring") }.count, 1)
    }

    /// ENOSPC on writes (injected through the storage seam): reported as a
    /// typed error naming the segment and position, durable does not move
    /// past the failed bytes, and after the retry delay everything lands.
    func testNoSpaceOnWriteIsReportedAndRetried() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = FaultInjectingStorage(queueDepth: configuration.queueDepth)
        let clock = ManualClock()
        let writer = try log.makeWriter(storage: storage, clock: clock)
        try writer.onStart()
        var random = SplitMix64(seed: 32)
        var positions = appendFrames(log, writer: writer, count: 100, random: &random)
        var end = log.appender.position
        drive(writer) { log.durablePosition == end }
        let durableBefore = log.durablePosition

        storage.failingWrites = 3
        positions += appendFrames(log, writer: writer, count: 100, random: &random, firstSequence: 100)
        end = log.appender.position
        let errors = driveUntilError(writer)
        guard case let .noSpace(path, position)? = errors.first else { return XCTFail("expected ENOSPC, got \(errors)") }
        XCTAssertTrue(path.hasPrefix(directory.path) && path.hasSuffix(".log"), path)
        XCTAssertGreaterThanOrEqual(position, durableBefore)
        XCTAssertTrue("\(errors[0])".contains("ENOSPC"))
        // Without time passing, nothing is retried: durable stays below the failure.
        for _ in 0..<100 { _ = try? writer.doWork() }
        XCTAssertLessThanOrEqual(log.durablePosition, position)
        // Time passes, the space is back (the remaining injected failures are consumed by retries).
        let moreErrors = drive(writer) {
            clock.advance(nanos: configuration.retryDelayNanos)
            return log.durablePosition == end
        }
        XCTAssertTrue(moreErrors.allSatisfy { if case .noSpace = $0 { return true } else { return false } }, "\(moreErrors)")
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        XCTAssertGreaterThanOrEqual(writer.errorsReported, 1)
        writer.onClose()
    }

    /// ENOSPC while preallocating a new segment names the segment; the
    /// frames wait in the buffer and land once space is back.
    func testNoSpaceOnSegmentPreallocationNamesSegment() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = FaultInjectingStorage(queueDepth: configuration.queueDepth)
        let clock = ManualClock()
        let writer = try log.makeWriter(storage: storage, clock: clock)
        try writer.onStart()
        storage.preallocateErrno = ENOSPC
        var random = SplitMix64(seed: 33)
        var positions: [Int64] = []
        var errors: [LogError] = []
        // Fill past the first segment; the writer cannot create the second.
        while log.appender.position < Int64(configuration.segmentBytes) + 4096 {
            if let position = appendPatterned(log, payloadLength: Int(random.next() % 500), sequence: UInt64(positions.count)) {
                positions.append(position)
            } else {
                do { _ = try writer.doWork() } catch let error as LogError { errors.append(error) }
                clock.advance(nanos: configuration.retryDelayNanos)
            }
        }
        let end = log.appender.position
        errors += driveUntilError(writer)
        let secondSegment = SegmentLayout(directory: directory.path, segmentBytes: configuration.segmentBytes)
            .path(base: Int64(configuration.segmentBytes))
        XCTAssertTrue(errors.contains(.noSpace(path: secondSegment, position: Int64(configuration.segmentBytes))), "\(errors)")
        XCTAssertLessThanOrEqual(log.durablePosition, Int64(configuration.segmentBytes))
        XCTAssertFalse(SystemFileSystem().exists(secondSegment))
        storage.preallocateErrno = 0
        drive(writer) {
            clock.advance(nanos: configuration.retryDelayNanos)
            return log.durablePosition == end
        }
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
    }

    /// Short writes are resubmitted from where they stopped.
    func testShortWritesAreResubmitted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = FaultInjectingStorage(queueDepth: configuration.queueDepth)
        let writer = try log.makeWriter(storage: storage, clock: ManualClock())
        try writer.onStart()
        storage.shortWrites = 25
        var random = SplitMix64(seed: 34)
        let positions = appendFrames(log, writer: writer, count: 800, random: &random)
        let end = log.appender.position
        let errors = drive(writer) { log.durablePosition == end }
        XCTAssertEqual(errors, [])
        // A short zero-ahead write is skipped, not redone: the 25 fall on both kinds.
        XCTAssertEqual(writer.shortWrites + writer.zeroAheadFailures, 25)
        XCTAssertGreaterThan(writer.shortWrites, 0)
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// Policies `interval` and `none` reach durability too; `interval` syncs on its timer.
    func testIntervalAndNonePolicies() throws {
        for policy in [DurabilityPolicy.interval(milliseconds: 5), .none] {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            var configuration = smallConfiguration(directory.path)
            configuration.durability = policy
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let clock = ManualClock()
            let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: clock)
            try writer.onStart()
            var random = SplitMix64(seed: 35)
            // A few frames, well inside maxInFlightBytes and the first segment.
            var positions = appendFrames(log, writer: writer, count: 20, random: &random, maximumPayload: 200)
            var end = log.appender.position
            drive(writer) { log.writtenPosition == end }
            if policy == .none {
                XCTAssertEqual(log.durablePosition, end)
            } else {
                for _ in 0..<100 { _ = try writer.doWork() }
                XCTAssertEqual(log.durablePosition, 0, "interval: nothing is synced before the timer fires")
                clock.advance(nanos: 5_000_000)
                drive(writer) { log.durablePosition == end }
            }
            // Many frames: the in-flight window makes the writer wait for syncs; time moves.
            positions += appendFrames(log, writer: writer, count: 700, random: &random, firstSequence: 20,
                                      onBackPressure: { clock.advance(nanos: 1_000_000) })
            end = log.appender.position
            drive(writer) {
                clock.advance(nanos: 1_000_000)
                return log.durablePosition == end
            }
            XCTAssertEqual(try readAll(log).map(\.position), positions)
            writer.onClose()
        }
    }
}

/// Runs the duty cycle until it throws (bounded: 5 s); returns what it threw.
func driveUntilError<S: LogStorage, C: NanoClock>(_ writer: LogWriter<S, C>) -> [LogError] {
    let deadline = SystemClock().monotonicNanos() + 5_000_000_000
    while SystemClock().monotonicNanos() < deadline {
        do {
            _ = try writer.doWork()
        } catch let error as LogError {
            return [error]
        } catch {
            return []
        }
    }
    XCTFail("the writer reported no error within 5 s")
    return []
}
