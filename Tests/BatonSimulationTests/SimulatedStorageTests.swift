import BatonLog
import BatonSimulation
import Glibc
import XCTest

/// The writer's storage on the simulated disk: io_uring's chain semantics,
/// completions in order and only at their ready time, a sync durable only
/// when delivered.
final class SimulatedStorageTests: XCTestCase {
    private let path = "/sim/node-0/00.log"
    private var nowNanos: Int64 = 1_000_000

    private func makeStorage(seed: UInt64 = 1, faults: DiskFaults = .none, queueDepth: Int = 8) throws -> (SimulatedDisk, SimulatedStorage, Int32) {
        let disk = SimulatedDisk(random: SimulationRandom(seed: seed), faults: faults)
        disk.createDirectory("/sim/node-0")
        let storage = SimulatedStorage(disk: disk, queueDepth: queueDepth, now: { [unowned self] in self.nowNanos })
        return (disk, storage, try disk.openReadWrite(path, create: true))
    }

    /// Delivers everything, advancing time to each ready time.
    private func drain(_ storage: SimulatedStorage) -> [StorageCompletion] {
        var completions: [StorageCompletion] = []
        while let ready = storage.nextReadyNanos {
            nowNanos = max(nowNanos, ready)
            while let completion = storage.nextCompletion() { completions.append(completion) }
        }
        return completions
    }

    func testAFailedLinkCancelsTheRestOfItsChainOnly() throws {
        let (disk, storage, fd) = try makeStorage()
        let bytes: [UInt8] = [1, 2, 3, 4]
        try bytes.withUnsafeBytes { raw in
            storage.prepareWrite(fd: 999, address: raw.baseAddress!, length: 4, fileOffset: 0, userData: 1, linkNext: true)
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 4, fileOffset: 4, userData: 2, linkNext: true)
            storage.prepareDataSync(fd: fd, userData: 3, linkNext: false)
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 4, fileOffset: 8, userData: 4, linkNext: false)
            XCTAssertEqual(storage.submissionSpace, 4)
            XCTAssertEqual(try storage.submit(), 4)
        }
        XCTAssertEqual(storage.submissionSpace, 4, "undelivered completions hold their slots")
        XCTAssertEqual(drain(storage), [StorageCompletion(userData: 1, result: -EBADF), StorageCompletion(userData: 2, result: -ECANCELED),
                                        StorageCompletion(userData: 3, result: -ECANCELED), StorageCompletion(userData: 4, result: 4)])
        XCTAssertEqual(disk.currentBytes(path), [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], "the cancelled write never ran")
        XCTAssertEqual(storage.submissionSpace, 8)

        disk.faults = DiskFaults(writeErrorProbability: 1)
        try bytes.withUnsafeBytes { raw in
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 4, fileOffset: 0, userData: 5, linkNext: true)
            storage.prepareDataSync(fd: fd, userData: 6, linkNext: false)
            _ = try storage.submit()
        }
        XCTAssertEqual(drain(storage), [StorageCompletion(userData: 5, result: -EIO), StorageCompletion(userData: 6, result: -ECANCELED)])
        XCTAssertEqual(disk.currentBytes(path)?.prefix(4), [0, 0, 0, 0], "a failed write changes nothing")
    }

    func testCompletionsWaitForTheirReadyTimeInOrderAndASyncIsDurableOnlyWhenDelivered() throws {
        let (disk, storage, fd) = try makeStorage(faults: DiskFaults(writeLatencyNanos: 10_000...10_000, syncLatencyNanos: 100_000...100_000))
        let bytes: [UInt8] = [7, 7, 7]
        try bytes.withUnsafeBytes { raw in
            storage.prepareDataSync(fd: fd, userData: 1, linkNext: false)
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 3, fileOffset: 0, userData: 2, linkNext: true)
            storage.prepareDataSync(fd: fd, userData: 3, linkNext: false)
            _ = try storage.submit()
        }
        XCTAssertEqual(disk.currentBytes(path), [7, 7, 7], "a write lands in the file at submit")
        XCTAssertEqual(storage.nextReadyNanos, 1_100_000)
        XCTAssertNil(storage.nextCompletion(), "nothing is ready at submit")
        nowNanos = 1_099_999
        XCTAssertNil(storage.nextCompletion())
        nowNanos = 1_100_000
        XCTAssertEqual(storage.nextCompletion(), StorageCompletion(userData: 1, result: 0))
        XCTAssertEqual(disk.durableBytes(path), [], "the first sync was issued before the write: it covers nothing")
        XCTAssertEqual(storage.nextCompletion(), StorageCompletion(userData: 2, result: 3),
                       "the write was ready long ago but waited behind the sync")
        XCTAssertNil(storage.nextCompletion())
        XCTAssertEqual(storage.nextReadyNanos, 1_110_000, "a linked sync starts when its write completes")
        XCTAssertEqual(disk.durableBytes(path), [], "not durable before its sync is delivered")
        nowNanos = 1_110_000
        XCTAssertEqual(storage.nextCompletion(), StorageCompletion(userData: 3, result: 0))
        XCTAssertEqual(disk.durableBytes(path), [7, 7, 7])
        XCTAssertNil(storage.nextReadyNanos)
    }

    func testASyncCoversOnlyWritesMadeBeforeItWasSubmittedAndFollowsAClosedDescriptor() throws {
        let (disk, storage, fd) = try makeStorage()
        let first: [UInt8] = [1, 1]
        let second: [UInt8] = [2, 2]
        try first.withUnsafeBytes { raw in
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 2, fileOffset: 0, userData: 1, linkNext: true)
            storage.prepareDataSync(fd: fd, userData: 2, linkNext: false)
            _ = try storage.submit()
        }
        try second.withUnsafeBytes { raw in
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 2, fileOffset: 2, userData: 3, linkNext: false)
            _ = try storage.submit()
        }
        disk.close(fd)
        XCTAssertEqual(drain(storage).map(\.result), [2, 0, 2])
        XCTAssertEqual(disk.durableBytes(path), [1, 1], "the later write is still pending")
        XCTAssertEqual(disk.currentBytes(path), [1, 1, 2, 2])
        XCTAssertEqual(disk.unsyncedWrites, 1)
    }

    func testASyncErrorOrACrashBeforeDeliveryMakesNothingDurable() throws {
        let (disk, storage, fd) = try makeStorage(faults: DiskFaults(syncErrorProbability: 1))
        let bytes: [UInt8] = [3, 3, 3, 3]
        try bytes.withUnsafeBytes { raw in
            storage.prepareWrite(fd: fd, address: raw.baseAddress!, length: 4, fileOffset: 0, userData: 1, linkNext: true)
            storage.prepareDataSync(fd: fd, userData: 2, linkNext: false)
            _ = try storage.submit()
        }
        XCTAssertEqual(drain(storage).map(\.result), [4, -EIO])
        XCTAssertEqual(disk.durableBytes(path), [])
        XCTAssertEqual(disk.faultCounts.syncErrors, 1)

        disk.faultsEnabled = false
        try bytes.withUnsafeBytes { raw in
            storage.prepareDataSync(fd: fd, userData: 3, linkNext: false)
            _ = try storage.submit()
        }
        var random = SimulationRandom(seed: 2)
        disk.crash(random: &random)
        let afterCrash = disk.durableBytes(path)
        XCTAssertEqual(drain(storage).map(\.result), [0], "the dead process's storage still completes")
        XCTAssertEqual(disk.durableBytes(path), afterCrash, "but its sync no longer changes the disk")
    }

    func testSlowSyncsAreDrawnAndCounted() throws {
        let faults = DiskFaults(slowSyncProbability: 1, syncLatencyNanos: 1...1, slowSyncLatencyNanos: 5_000_000...5_000_000)
        let (disk, storage, fd) = try makeStorage(faults: faults)
        storage.prepareDataSync(fd: fd, userData: 1, linkNext: false)
        _ = try storage.submit()
        XCTAssertEqual(storage.nextReadyNanos, nowNanos + 5_000_000)
        XCTAssertEqual(disk.faultCounts.slowSyncs, 1)
        XCTAssertEqual(drain(storage).count, 1)
    }
}
