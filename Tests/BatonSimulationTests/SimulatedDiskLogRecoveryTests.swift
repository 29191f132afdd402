import BatonCodec
import BatonLog
import BatonSimulation
import BatonTime
import Logging
import XCTest

/// The durable log on the simulated disk, crashed at random points with
/// unsynced data (and, for half the seeds, write, sync and no-space faults
/// while it runs): recovery must open, keep every frame that was reported
/// durable, and give back exactly the frames appended, in order.
final class SimulatedDiskLogRecoveryTests: XCTestCase {
    private static let directory = "/sim/node-0"
    private static let seeds = 50

    private static func configuration() -> LogConfiguration {
        var configuration = LogConfiguration(directory: directory)
        configuration.segmentBytes = 1 << 20
        configuration.bufferBytes = 256 << 10
        configuration.maximumFrameLength = 4096
        configuration.maxInFlightBytes = 128 << 10
        configuration.maximumBatchBytes = 64 << 10
        configuration.maximumWriteBytes = 64 << 10
        configuration.checkpointIntervalNanos = 2_000_000
        configuration.retryDelayNanos = 1_000_000
        return configuration
    }

    private static func quietLogger() -> Logger {
        var logger = Logger(label: "simulated-disk") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }

    /// Bytes every payload is cut from (made once: per-byte work is slow in debug builds).
    private static let pattern: [UInt8] = {
        var random = SimulationRandom(seed: 0xBA70)
        return (0..<2_048).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }()

    /// The payload of frame `sequence`: its length and bytes follow from the sequence.
    private static func payload<Result>(_ sequence: UInt64, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let length = Int(sequence &* 7_919 % 1_500)
        let start = Int(sequence % 509)
        return pattern.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
    }

    /// What one seed's run saw.
    private struct Outcome {
        var crashes = 0
        var cuts = 0
        var survivedUnsynced = 0
        var writerErrors = 0
    }

    func testRecoveryKeepsEveryDurableFrameAcrossCrashesOnTheSimulatedDisk() throws {
        var total = Outcome()
        var torn = 0
        var lost = 0
        var faults = DiskFaultCounts()
        for seed in UInt64(1)...UInt64(Self.seeds) {
            let (outcome, disk) = try run(seed: seed)
            total.crashes += outcome.crashes
            total.cuts += outcome.cuts
            total.survivedUnsynced += outcome.survivedUnsynced
            total.writerErrors += outcome.writerErrors
            torn += disk.tornWrites
            lost += disk.lostWrites
            faults.writeErrors += disk.faultCounts.writeErrors
            faults.syncErrors += disk.faultCounts.syncErrors
            faults.noSpaceErrors += disk.faultCounts.noSpaceErrors
            faults.slowSyncs += disk.faultCounts.slowSyncs
        }
        XCTAssertGreaterThan(torn, 0, "some crash tore a write")
        XCTAssertGreaterThan(lost, 0, "some crash lost a write")
        XCTAssertGreaterThan(total.cuts, 0, "some recovery cut an unfinished write")
        XCTAssertGreaterThan(total.survivedUnsynced, 0, "some crash kept bytes past the durable position")
        XCTAssertGreaterThan(faults.writeErrors, 0)
        XCTAssertGreaterThan(faults.syncErrors, 0)
        XCTAssertGreaterThan(total.writerErrors, 0, "the writer reported the injected faults")
        print("simulated disk, \(Self.seeds) seeds: \(total.crashes) crashes, \(total.cuts) cuts, \(total.survivedUnsynced) kept unsynced bytes, "
              + "\(torn) torn and \(lost) lost writes; faults: \(faults); writer errors \(total.writerErrors)")
    }

    /// Three rounds of write-then-crash on one disk, each followed by a reopen and a full check.
    private func run(seed: UInt64) throws -> (Outcome, SimulatedDisk) {
        var random = SimulationRandom(seed: seed)
        let withFaults = seed % 2 == 1
        let faults = withFaults ? DiskFaults(writeErrorProbability: 0.01, syncErrorProbability: 0.02, noSpaceProbability: 0.005,
                                             slowSyncProbability: 0.05) : DiskFaults.none
        let disk = SimulatedDisk(random: random.fork(1), faults: faults)
        disk.createDirectory(Self.directory)
        disk.faultsEnabled = false
        let clock = ManualClock()
        disk.nowNanos = clock.wallNanos()
        var outcome = Outcome()
        var positions: [Int64] = []  // positions[s]: where frame s starts
        var log = try DurableLog.open(Self.configuration(), fileSystem: disk, logger: Self.quietLogger())
        for round in 0..<3 {
            disk.faultsEnabled = withFaults
            let storage = SimulatedStorage(disk: disk, queueDepth: log.configuration.queueDepth, now: { clock.monotonicNanos() })
            let writer = try log.makeWriter(storage: storage, clock: clock)
            try writer.onStart()
            let steps = Int(random.int(in: 200...3_000))
            var step = 0
            // Run the chosen number of steps, then on until something is unsynced and in flight.
            while step < steps || disk.unsyncedWrites == 0 || storage.inFlightCount == 0 {
                for _ in 0..<Int(random.int(in: 0...6)) {
                    let sequence = UInt64(positions.count)
                    let result = Self.payload(sequence) {
                        log.appender.tryAppend(payload: $0, streamId: 1, producerId: 9, sequence: sequence, timestampNanos: 0)
                    }
                    guard case let .appended(position) = result else { break }
                    positions.append(position)
                }
                do { _ = try writer.doWork() } catch { outcome.writerErrors += 1 }
                clock.advance(nanos: random.int(in: 1_000...40_000))
                disk.nowNanos = clock.wallNanos()
                step += 1
                XCTAssertLessThan(step, steps + 100_000, "seed \(seed) round \(round): never had unsynced data in flight")
                if step >= steps + 100_000 { break }
            }
            let durable = log.durablePosition
            let appended = log.appendedPosition
            disk.crash(random: &random)
            outcome.crashes += 1
            disk.faultsEnabled = false  // the disk heals for recovery
            log = try reopen(disk, seed: seed, round: round)
            let report = log.recovery
            if report.cutPosition != nil { outcome.cuts += 1 }
            if report.endPosition > durable { outcome.survivedUnsynced += 1 }
            XCTAssertGreaterThanOrEqual(report.endPosition, durable, "seed \(seed) round \(round): a durable frame was lost (\(report))")
            XCTAssertLessThanOrEqual(report.endPosition, appended, "seed \(seed) round \(round): recovered past what was appended")
            XCTAssertEqual(disk.openMappings, 0, "recovery unmaps every segment")
            XCTAssertEqual(disk.openDescriptors, 0, "recovery closes every file")
            let kept = try checkFrames(log, positions: positions, seed: seed, round: round)
            XCTAssertTrue(positions[..<kept].allSatisfy { $0 < report.endPosition })
            if kept < positions.count {
                XCTAssertGreaterThanOrEqual(positions[kept], durable, "seed \(seed) round \(round): frame \(kept) was durable, and is gone")
            }
            positions.removeLast(positions.count - kept)
        }
        return (outcome, disk)
    }

    /// Opens the log again after a crash; a refusal fails the test with the recovery's reason.
    private func reopen(_ disk: SimulatedDisk, seed: UInt64, round: Int) throws -> DurableLog {
        do {
            return try DurableLog.open(Self.configuration(), fileSystem: disk, logger: Self.quietLogger())
        } catch {
            XCTFail("seed \(seed) round \(round): recovery refused to open: \(error)")
            throw error
        }
    }

    /// Reads the whole log back: frame s must be the one appended with
    /// sequence s, at the position it was appended at. Returns how many there are.
    private func checkFrames(_ log: DurableLog, positions: [Int64], seed: UInt64, round: Int) throws -> Int {
        let reader = log.makeReader()
        var count = 0
        try reader.forEachFrame(from: log.startPosition) { frame in
            let sequence = UInt64(count)
            guard count < positions.count else {
                XCTFail("seed \(seed) round \(round): frame \(count) was never appended")
                return
            }
            XCTAssertEqual(frame.sequence, sequence, "seed \(seed) round \(round)")
            XCTAssertEqual(frame.position, positions[count], "seed \(seed) round \(round): frame \(count)")
            let same = Self.payload(sequence) { expected in
                expected.count == frame.payloadLength && (expected.isEmpty || memcmp(expected.baseAddress!, frame.payload, expected.count) == 0)
            }
            XCTAssertTrue(same, "seed \(seed) round \(round): payload of frame \(count)")
            count += 1
        }
        return count
    }
}
