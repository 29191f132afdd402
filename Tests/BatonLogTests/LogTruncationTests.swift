import BatonTestSupport
import BatonAgent
import BatonCodec
import BatonLog
import BatonSimulation
import BatonTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Truncation of a running log (`DurableLog.requestTruncation`), as a Raft
/// follower uses it to discard an uncommitted suffix: the files, the
/// checkpoint and the positions are cut while the writer runs, writing goes on
/// from the cut, and no frame of the discarded suffix can come back — not
/// through a reader, not through recovery, not after a crash.
///
/// Real files (io_uring or pwrite) where `LogVerifier` should look at the
/// directory; the simulated disk where a test holds completions back (its
/// storage completes an operation only when the manual clock reaches it) or
/// crashes the machine.
final class LogTruncationTests: XCTestCase {
    /// A frame as read back: where it is and which append it was.
    struct Frame: Equatable, CustomStringConvertible {
        var position: Int64
        var sequence: UInt64
        var description: String { "#\(sequence)@\(position)" }
    }

    // MARK: - On real files

    /// A B C D E F durable; truncate at D; append D' E' (shorter than D E F);
    /// the old suffix is zeroed on disk, and the reopened log is A B C D' E'.
    /// The old suffix is more than `maxInFlightBytes` long, so without the
    /// zeros recovery would find F intact past the end and refuse to open.
    func testTruncateThenAppendShorterFramesRecoversOnlyTheNewSuffix() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        configuration.maximumFrameLength = 2048
        configuration.maxInFlightBytes = 2048
        let (kept, newFrames, end, oldEnd) = try {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let writer = try log.makeWriter()
            try writer.onStart()
            let old = try (0..<6).map { try append(log, payload: 1500, sequence: UInt64($0)) }
            let oldEnd = log.appender.position
            drive(writer) { log.durablePosition == oldEnd }

            let truncatedAt = old[3]
            let generation = log.requestTruncation(to: truncatedAt)
            XCTAssertEqual(log.appendedPosition, truncatedAt)
            let newFrames = [try append(log, payload: 100, sequence: 103), try append(log, payload: 300, sequence: 104)]
            let end = log.appender.position
            XCTAssertLessThan(end, old[5], "the new suffix is shorter than the one removed")
            drive(writer) { log.isTruncationComplete(generation) && log.durablePosition == end }
            XCTAssertEqual(writer.truncationsCompleted, 1)
            XCTAssertEqual(try frames(log), [0, 1, 2].map { Frame(position: old[$0], sequence: UInt64($0)) }
                + [Frame(position: newFrames[0], sequence: 103), Frame(position: newFrames[1], sequence: 104)])
            writer.onClose()
            return (Array(old.prefix(3)), newFrames, end, oldEnd)
        }()

        // Before any recovery: nothing but zeros where the old suffix was.
        let segment = SegmentLayout(directory: directory.path, segmentBytes: configuration.segmentBytes).path(base: 0)
        let bytes = try SystemFileSystem().readFile(segment, limit: configuration.segmentBytes)
        XCTAssertNil(bytes[Int(end)..<Int(oldEnd)].firstIndex { $0 != 0 }, "old suffix bytes left after the new end")
        let verified = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(verified.isClean, "\(String(describing: verified.problem))")
        XCTAssertEqual(verified.endPosition, end)
        XCTAssertEqual(verified.trailingBytes, 0)
        XCTAssertEqual(verified.dataFrames, 5)

        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(log.recovery.endPosition, end)
        XCTAssertNil(log.recovery.cutPosition, "\(log.recovery)")
        XCTAssertEqual(try frames(log), kept.enumerated().map { Frame(position: $1, sequence: UInt64($0)) }
            + [Frame(position: newFrames[0], sequence: 103), Frame(position: newFrames[1], sequence: 104)])
        let reader = log.makeReader()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 64)
        defer { buffer.deallocate() }
        XCTAssertEqual(try reader.read(from: end, into: buffer).bytes, 0)
        XCTAssertThrowsError(try reader.read(from: end + 32, into: buffer))
    }

    /// A checkpoint at the end of A..F, then a truncation at D: the writer
    /// lowers the checkpoint, so recovery (after the process dies without a
    /// final checkpoint) opens at D instead of refusing "below the checkpoint".
    func testCheckpointAboveTheCutIsLoweredAndTheLogReopensAtTheCut() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let fileSystem = SystemFileSystem()
        let old: [Int64] = try {
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let clock = ManualClock()
            let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: clock)
            try writer.onStart()
            let old = try (0..<6).map { try append(log, payload: 900, sequence: UInt64($0)) }
            let end = log.appender.position
            drive(writer) { log.durablePosition == end }
            clock.advance(nanos: configuration.checkpointIntervalNanos)
            drive(writer) { (try? CheckpointFile.read(directory: directory.path, fileSystem: fileSystem))?.position == end }

            let generation = log.requestTruncation(to: old[3])
            drive(writer) { log.isTruncationComplete(generation) }
            XCTAssertEqual(try CheckpointFile.read(directory: directory.path, fileSystem: fileSystem)?.position, old[3])
            XCTAssertEqual(log.durablePosition, old[3])
            XCTAssertEqual(log.writtenPosition, old[3])
            return old
            // Dropped without onClose: no final checkpoint, as after a crash.
        }()
        let log = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(log.recovery.checkpointPosition, old[3])
        XCTAssertEqual(log.recovery.endPosition, old[3])
        XCTAssertEqual(try frames(log), (0..<3).map { Frame(position: old[$0], sequence: UInt64($0)) })
    }

    /// A cut in the first segment of a log that had moved into the second:
    /// the second segment's frames are zeroed (it stays on disk), and writing
    /// past the boundary again reuses it.
    func testTruncationAcrossASegmentBoundaryZeroesTheNextSegmentAndReusesIt() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let segmentBytes = Int64(configuration.segmentBytes)
        let layout = SegmentLayout(directory: directory.path, segmentBytes: configuration.segmentBytes)
        let secondSegment = layout.path(base: segmentBytes)
        let fileSystem = SystemFileSystem()
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        var random = SplitMix64(seed: 71)
        var positions = appendFrames(log, writer: writer, count: 1, random: &random)
        while log.appender.position < segmentBytes + 16 << 10 {
            positions += appendFrames(log, writer: writer, count: 1, random: &random, firstSequence: UInt64(positions.count))
        }
        let oldEnd = log.appender.position
        drive(writer) { log.durablePosition == oldEnd }
        let before = try XCTUnwrap(fileSystem.readFile(secondSegment, limit: configuration.segmentBytes).lastIndex { $0 != 0 })
        XCTAssertGreaterThan(before, 16 << 10 - 4096, "frames in the second segment")

        // More than maxInFlightBytes to zero, in two segments.
        let cut = try XCTUnwrap(positions.firstIndex { $0 >= 20 << 10 })
        let generation = log.requestTruncation(to: positions[cut])
        let errors = drive(writer) { log.isTruncationComplete(generation) }
        XCTAssertEqual(errors, [])
        XCTAssertNil(try fileSystem.readFile(secondSegment, limit: configuration.segmentBytes).firstIndex { $0 != 0 },
                     "the second segment still holds frames of the discarded suffix")
        let first = try fileSystem.readFile(layout.path(base: 0), limit: configuration.segmentBytes)
        XCTAssertNil(first[Int(positions[cut])...].firstIndex { $0 != 0 })
        XCTAssertEqual(log.durablePosition, positions[cut])

        positions.removeLast(positions.count - cut)
        var sequence = UInt64(1_000)
        while log.appender.position < segmentBytes + 8 << 10 {
            positions += appendFrames(log, writer: writer, count: 1, random: &random, firstSequence: sequence)
            sequence += 1
        }
        let end = log.appender.position
        XCTAssertEqual(drive(writer) { log.durablePosition == end }, [])
        XCTAssertNotNil(try fileSystem.readFile(secondSegment, limit: configuration.segmentBytes).firstIndex { $0 != 0 },
                        "frames written into the reused second segment")
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()

        let verified = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(verified.isClean, "\(String(describing: verified.problem))")
        XCTAssertEqual(verified.endPosition, end)
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(reopened.recovery.endPosition, end)
        XCTAssertEqual(try readAll(reopened).map(\.position), positions)
    }

    /// Truncation to the current end is no special case: it goes through the
    /// writer, completes, and appending goes on. Generations count up.
    func testTruncationToTheCurrentEndCompletes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        let old = try (0..<3).map { try append(log, payload: 400, sequence: UInt64($0)) }
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }

        let first = log.requestTruncation(to: end)
        XCTAssertEqual(first, 1)
        XCTAssertFalse(log.isTruncationComplete(first), "completed by the writer, not by the request")
        XCTAssertFalse(writer.isIdle, "a pending truncation is work")
        drive(writer) { log.isTruncationComplete(first) }
        let second = log.requestTruncation(to: end)
        XCTAssertEqual(second, 2)
        drive(writer) { log.isTruncationComplete(second) }
        XCTAssertEqual(log.durablePosition, end)
        XCTAssertEqual(log.appendedPosition, end)
        XCTAssertEqual(log.counters.truncationCompleted.getAcquire(), 2)

        let next = try append(log, payload: 400, sequence: 3)
        let newEnd = log.appender.position
        // Idle again once a checkpoint that may be in flight completes: the completed truncation is no work.
        drive(writer) { log.durablePosition == newEnd && writer.isIdle }
        writer.onClose()
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(try frames(reopened), (old + [next]).enumerated().map { Frame(position: $1, sequence: UInt64($0)) })
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// A follower keeps replicated bytes past a gap in the buffer at their own
    /// positions; they may overwrite durable bytes less than a buffer's
    /// capacity below the published end. A truncation to such a position (a
    /// member cutting its log to rejoin) must not take the buffer's bytes there
    /// for the log's (the simulator, seed 1518 with failover, crashed on
    /// "not a frame boundary"), and the cut is exact.
    func testTruncationBelowBytesKeptAheadOfAGap() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)   // 128 KiB buffer
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter()
        try writer.onStart()
        let old = try (0..<40).map { try append(log, payload: 2000, sequence: UInt64($0)) }
        let end = log.appender.position
        drive(writer) { log.durablePosition == end }
        // Bytes kept ahead of a gap, at a position that wraps onto the first frame.
        let capacity = Int64(configuration.bufferBytes)
        let ahead = [UInt8](repeating: 0xA5, count: 512)
        XCTAssertTrue(ahead.withUnsafeBytes { log.appender.tryWriteReplicated($0, at: capacity) })
        XCTAssertLessThan(end, capacity, "the first frame is within a capacity of the end")
        let generation = log.requestTruncation(to: old[0])
        drive(writer) { log.isTruncationComplete(generation) }
        XCTAssertEqual(log.durablePosition, old[0])
        XCTAssertEqual(try frames(log), [])
        let next = try append(log, payload: 100, sequence: 100)
        let newEnd = log.appender.position
        drive(writer) { log.durablePosition == newEnd }
        XCTAssertEqual(try frames(log), [Frame(position: next, sequence: 100)])
        writer.onClose()
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// Two requests before the writer gets to the first: the second is above
    /// the first (frames were appended in between), yet the writer cuts at the
    /// first, or the bytes between the two would keep the old suffix on disk.
    func testTwoRequestsBeforeTheWriterRunsCutAtTheLowerPosition() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        let old = try (0..<6).map { try append(log, payload: 700, sequence: UInt64($0)) }
        let oldEnd = log.appender.position
        drive(writer) { log.durablePosition == oldEnd }

        _ = log.requestTruncation(to: old[2])
        let x = try append(log, payload: 200, sequence: 50)
        let second = log.requestTruncation(to: log.appender.position)
        XCTAssertEqual(log.counters.truncationPosition.getAcquire(), old[2], "the lower of two pending positions")
        let y = try append(log, payload: 300, sequence: 51)
        let end = log.appender.position
        drive(writer) { log.isTruncationComplete(second) && log.durablePosition == end }
        writer.onClose()

        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(reopened.recovery.endPosition, end)
        XCTAssertEqual(try frames(reopened), [Frame(position: old[0], sequence: 0), Frame(position: old[1], sequence: 1),
                                              Frame(position: x, sequence: 50), Frame(position: y, sequence: 51)])
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// Until the writer has cut, `durable` still counts the discarded suffix;
    /// the appender must not take that as room: it stops at `p + capacity`,
    /// or it would overwrite new frames the writer has not written yet.
    func testTheAppenderReusesTheBufferOnlyUpToTheCutUntilTheWriterCompletes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let capacity = Int64(configuration.bufferBytes)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        var random = SplitMix64(seed: 72)
        var positions = appendFrames(log, writer: writer, count: 1, random: &random)
        while log.appender.position < capacity * 3 / 4 {
            positions += appendFrames(log, writer: writer, count: 1, random: &random, firstSequence: UInt64(positions.count))
        }
        let oldEnd = log.appender.position
        drive(writer) { log.durablePosition == oldEnd }

        let cut = try XCTUnwrap(positions.firstIndex { $0 >= 8 << 10 })
        let truncatedAt = positions[cut]
        let generation = log.requestTruncation(to: truncatedAt)
        positions.removeLast(positions.count - cut)
        // The writer does not run: append until the appender says there is no room.
        var sequence = UInt64(10_000)
        while let position = appendPatterned(log, payloadLength: 500, sequence: sequence) {
            positions.append(position)
            sequence += 1
        }
        XCTAssertLessThanOrEqual(log.appender.position, truncatedAt + capacity, "appended over new frames not yet written")
        XCTAssertGreaterThan(log.appender.position, truncatedAt + capacity - 1024, "room up to the cut + capacity")
        let end = log.appender.position
        drive(writer) { log.isTruncationComplete(generation) && log.durablePosition == end }
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(try readAll(reopened).map(\.position), positions)
    }

    /// The writer on its own thread (io_uring where available), this thread
    /// appending and truncating at random frame boundaries (appending again
    /// once each cut is complete, as the contract says) and reading the
    /// whole log now and then: every read, and
    /// the reopened log, equal the model (the frames appended minus the ones
    /// truncated away).
    func testConcurrentAppendsAndTruncationsKeepTheLogEqualToTheModel() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = smallConfiguration(directory.path)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let runner = AgentRunner(agent: try log.makeWriter(), idleStrategy: YieldingIdleStrategy())
        try runner.start()
        defer { runner.stop() }
        let seed = testSeed(73)
        var random = SplitMix64(seed: seed)
        var model: [Frame] = []
        var generation: Int64 = 0
        var truncations = 0
        var reads = 0
        let deadline = SystemClock().monotonicNanos() + 60_000_000_000
        for sequence in UInt64(0)..<4_000 {
            let length = Int(random.next() % 600)
            while true {
                if let position = appendPatterned(log, payloadLength: length, sequence: sequence) {
                    model.append(Frame(position: position, sequence: sequence))
                    break
                }
                sched_yield()
                guard SystemClock().monotonicNanos() < deadline else { return XCTFail("seed \(seed): back-pressured at \(log.appendedPosition)") }
            }
            if random.next() % 40 == 0 {
                // A frame among the last 60, or the end.
                let back = Int(random.next() % 61)
                let position = back == 0 ? log.appender.position : model[max(0, model.count - back)].position
                generation = log.requestTruncation(to: position)
                model.removeAll { $0.position >= position }
                truncations += 1
                // The contract: nothing is appended past the cut until the writer completed it (it may
                // still be reading the discarded bytes; ThreadSanitizer under load caught this test appending early).
                while !log.isTruncationComplete(generation) && SystemClock().monotonicNanos() < deadline { sched_yield() }
            }
            if random.next() % 300 == 0 {
                XCTAssertEqual(try frames(log), model, "seed \(seed): read back after \(truncations) truncations")
                reads += 1
            }
        }
        let end = log.appender.position
        while !(log.isTruncationComplete(generation) && log.durablePosition == end) {
            guard SystemClock().monotonicNanos() < deadline else { return XCTFail("seed \(seed): never durable") }
            sched_yield()
        }
        XCTAssertEqual(try frames(log), model, "seed \(seed)")
        runner.stop()
        XCTAssertEqual(runner.errorCount, 0)
        XCTAssertGreaterThan(truncations, 50)
        XCTAssertGreaterThan(end, Int64(configuration.segmentBytes) * 2, "the log crossed segments")

        let verified = try LogVerifier.verify(directory: directory.path)
        XCTAssertTrue(verified.isClean, "seed \(seed): \(String(describing: verified.problem))")
        let reopened = try DurableLog.open(configuration, logger: quietLogger())
        XCTAssertEqual(reopened.recovery.endPosition, end)
        XCTAssertEqual(try frames(reopened), model, "seed \(seed)")
        print("truncation stress (seed \(seed)): \(truncations) truncations, \(reads) reads, end \(end)")
    }

    // MARK: - On the simulated disk

    /// Writes in flight when the truncation is requested: nothing is cut and
    /// no completion is published until they are reaped; meanwhile a reader
    /// sees the new frame at the cut, not the old one the files still hold;
    /// afterwards `durable` is `min(durable, p)`.
    func testTruncationWaitsForWritesInFlight() throws {
        let rig = try SimulatedRig(seed: 1)
        let log = rig.log
        let old = try (0..<6).map { try append(log, payload: 1500, sequence: UInt64($0)) }
        let oldEnd = log.appender.position
        rig.run { log.durablePosition == oldEnd }

        let g = try append(log, payload: 1500, sequence: 6)
        _ = try rig.writer.doWork()   // G's write and sync submitted; the clock holds them back
        XCTAssertGreaterThan(rig.storage.inFlightCount, 0)
        let truncatedAt = old[4]
        let generation = log.requestTruncation(to: truncatedAt)
        let replacement = try append(log, payload: 200, sequence: 104)
        XCTAssertEqual(log.durablePosition, oldEnd, "durable still counts the old suffix")
        XCTAssertEqual(try frames(log).last, Frame(position: replacement, sequence: 104),
                       "a reader takes the frame at the cut from the buffer, not the old one from the files")
        for _ in 0..<50 { _ = try rig.writer.doWork() }
        XCTAssertFalse(log.isTruncationComplete(generation), "completed with writes in flight")
        XCTAssertGreaterThan(rig.storage.inFlightCount, 0)
        XCTAssertEqual(log.durablePosition, oldEnd)
        XCTAssertGreaterThan(g, truncatedAt)

        rig.run { log.isTruncationComplete(generation) }
        XCTAssertEqual(rig.storage.inFlightCount, 0)
        // G became durable first (its sync completed), then the cut: min(durable, p).
        XCTAssertEqual(log.durablePosition, truncatedAt)
        XCTAssertEqual(log.writtenPosition, truncatedAt)
        XCTAssertEqual(rig.writer.submittedPosition, truncatedAt)
        let end = log.appender.position
        rig.run { log.durablePosition == end }
        rig.writer.onClose()

        let reopened = try rig.reopen()
        XCTAssertEqual(reopened.recovery.endPosition, end)
        XCTAssertEqual(try frames(reopened), (0..<4).map { Frame(position: old[$0], sequence: UInt64($0)) }
            + [Frame(position: replacement, sequence: 104)])
    }

    /// Power is lost right after a truncation completes: the log recovers to
    /// exactly the cut, whatever the crash keeps (the checkpoint and the zeros
    /// were synced before the completion).
    func testCrashRightAfterTruncationRecoversExactlyTheCut() throws {
        for seed in UInt64(1)...8 {
            let rig = try SimulatedRig(seed: seed)
            let log = rig.log
            let old = try (0..<6).map { try append(log, payload: 1500, sequence: UInt64($0)) }
            let oldEnd = log.appender.position
            rig.run { log.durablePosition == oldEnd }
            let generation = log.requestTruncation(to: old[3])
            rig.run { log.isTruncationComplete(generation) }

            rig.crash(seed: seed)
            let reopened = try rig.reopen()
            XCTAssertEqual(reopened.recovery.endPosition, old[3], "seed \(seed): \(reopened.recovery)")
            XCTAssertEqual(try frames(reopened), (0..<3).map { Frame(position: old[$0], sequence: UInt64($0)) }, "seed \(seed)")
        }
    }

    /// Power is lost while frames appended after a truncation are in flight:
    /// recovery keeps the frames before the cut and a prefix of the new ones,
    /// never a frame of the old suffix.
    func testCrashWithNewFramesInFlightNeverRecoversTheOldSuffix() throws {
        var tornOrLost = 0
        for seed in UInt64(1)...12 {
            let rig = try SimulatedRig(seed: seed)
            let log = rig.log
            let old = try (0..<8).map { try append(log, payload: 1500, sequence: UInt64($0)) }
            let oldEnd = log.appender.position
            rig.run { log.durablePosition == oldEnd }
            let truncatedAt = old[2]
            let generation = log.requestTruncation(to: truncatedAt)
            rig.run { log.isTruncationComplete(generation) }
            let newFrames = try (0..<4).map { Frame(position: try append(log, payload: 700, sequence: 100 + UInt64($0)), sequence: 100 + UInt64($0)) }
            _ = try rig.writer.doWork()   // submitted, not yet synced: the crash keeps any prefix of it
            XCTAssertGreaterThan(rig.disk.unsyncedWrites, 0)

            rig.crash(seed: seed)
            let reopened = try rig.reopen()
            let recovered = try frames(reopened)
            let expectedPrefix = (0..<2).map { Frame(position: old[$0], sequence: UInt64($0)) }
            XCTAssertEqual(Array(recovered.prefix(2)), expectedPrefix, "seed \(seed)")
            let after = Array(recovered.dropFirst(2))
            XCTAssertEqual(after, Array(newFrames.prefix(after.count)), "seed \(seed): recovered \(recovered)")
            XCTAssertGreaterThanOrEqual(reopened.recovery.endPosition, truncatedAt)
            if after.count < newFrames.count { tornOrLost += 1 }
        }
        XCTAssertGreaterThan(tornOrLost, 0, "some crash lost part of the new frames")
    }

    /// An I/O error while cutting: reported once (thrown from `doWork`, as the
    /// writer reports any), no completion, retried after `retryDelayNanos`.
    func testAnIOErrorDuringTheCutIsReportedAndRetried() throws {
        let rig = try SimulatedRig(seed: 3)
        let log = rig.log
        let old = try (0..<6).map { try append(log, payload: 1500, sequence: UInt64($0)) }
        let oldEnd = log.appender.position
        rig.run { log.durablePosition == oldEnd }

        rig.disk.faults = DiskFaults(writeErrorProbability: 1, writeLatencyNanos: 1_000...1_000, syncLatencyNanos: 1_000...1_000)
        let generation = log.requestTruncation(to: old[3])
        let errors = driveUntilError(rig.writer)
        guard case let .io(operation, path, code)? = errors.first else { return XCTFail("expected an I/O error, got \(errors)") }
        XCTAssertEqual(operation, "pwrite")
        XCTAssertTrue(path.hasSuffix(".log"), path)
        XCTAssertEqual(code, EIO)
        rig.disk.faults = SimulatedRig.latencies
        for _ in 0..<20 { XCTAssertNoThrow(try rig.writer.doWork(), "retried before the delay") }
        XCTAssertFalse(log.isTruncationComplete(generation))
        XCTAssertEqual(rig.writer.errorsReported, 1)

        rig.clock.advance(nanos: rig.configuration.retryDelayNanos)
        rig.run { log.isTruncationComplete(generation) }
        XCTAssertEqual(log.durablePosition, old[3])
        rig.crash(seed: 3)
        XCTAssertEqual(try rig.reopen().recovery.endPosition, old[3])
    }

    // MARK: - Helpers

    private func append(_ log: DurableLog, payload: Int, sequence: UInt64, file: StaticString = #filePath, line: UInt = #line) throws -> Int64 {
        try XCTUnwrap(appendPatterned(log, payloadLength: payload, sequence: sequence),
                      "back-pressured at \(log.appendedPosition)", file: file, line: line)
    }

    private func frames(_ log: DurableLog, file: StaticString = #filePath, line: UInt = #line) throws -> [Frame] {
        try readAll(log, file: file, line: line).map { Frame(position: $0.position, sequence: $0.sequence) }
    }
}

/// A log on a `SimulatedDisk` whose storage completes an operation only once
/// the manual clock reaches its (fixed, 1 µs) latency: a test holds writes in
/// flight by not moving the clock, and crashes the disk when it likes.
/// One thread (the test's).
private final class SimulatedRig {
    static let latencies = DiskFaults(writeLatencyNanos: 1_000...1_000, syncLatencyNanos: 1_000...1_000)
    let disk: SimulatedDisk
    let clock = ManualClock()
    let configuration: LogConfiguration
    private(set) var log: DurableLog
    private(set) var storage: SimulatedStorage
    private(set) var writer: LogWriter<SimulatedStorage, ManualClock>

    init(seed: UInt64) throws {
        configuration = smallConfiguration("/sim/truncation")
        disk = SimulatedDisk(random: SimulationRandom(seed: seed), faults: SimulatedRig.latencies)
        disk.createDirectory(configuration.directory)
        disk.nowNanos = clock.wallNanos()
        (log, storage, writer) = try SimulatedRig.start(configuration, disk: disk, clock: clock)
    }

    private static func start(_ configuration: LogConfiguration, disk: SimulatedDisk, clock: ManualClock) throws
        -> (DurableLog, SimulatedStorage, LogWriter<SimulatedStorage, ManualClock>) {
        let log = try DurableLog.open(configuration, fileSystem: disk, logger: quietLogger())
        let storage = SimulatedStorage(disk: disk, queueDepth: configuration.queueDepth, now: { clock.monotonicNanos() })
        let writer = try log.makeWriter(storage: storage, clock: clock)
        try writer.onStart()
        return (log, storage, writer)
    }

    /// Duty cycles, 1 µs apart, until `condition` holds; errors fail the test.
    func run(file: StaticString = #filePath, line: UInt = #line, until condition: () -> Bool) {
        let errors = drive(writer, file: file, line: line) {
            clock.advance(nanos: 1_000)
            disk.nowNanos = clock.wallNanos()
            return condition()
        }
        XCTAssertEqual(errors, [], file: file, line: line)
    }

    /// Power loss: the disk keeps its durable images and a random prefix of what was not synced.
    func crash(seed: UInt64) {
        var random = SimulationRandom(seed: seed &* 7_919)
        disk.crash(random: &random)
    }

    /// Recovery, and a new writer on the recovered log.
    func reopen() throws -> DurableLog {
        (log, storage, writer) = try SimulatedRig.start(configuration, disk: disk, clock: clock)
        return log
    }
}
