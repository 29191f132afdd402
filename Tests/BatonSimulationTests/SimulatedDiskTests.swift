import BatonLog
import BatonSimulation
import Glibc
import XCTest

/// The in-memory disk: reads see writes at once, only syncs make them
/// survive a crash, a crash keeps an in-order (possibly torn) prefix of what
/// was not synced, faults change nothing, errors are the real file system's.
final class SimulatedDiskTests: XCTestCase {
    private let directory = "/sim/node-0"
    private let path = "/sim/node-0/file.log"

    private func makeDisk(seed: UInt64 = 1, faults: DiskFaults = .none) -> SimulatedDisk {
        let disk = SimulatedDisk(random: SimulationRandom(seed: seed), faults: faults)
        disk.createDirectory(directory)
        return disk
    }

    private func write(_ disk: SimulatedDisk, _ fd: Int32, _ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try disk.writeFully(fd, $0.baseAddress!, bytes.count, at: Int64(offset), path: path) }
    }

    private func read(_ disk: SimulatedDisk, _ fd: Int32, _ length: Int, at offset: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: length)
        let count = try bytes.withUnsafeMutableBytes { try disk.readFully(fd, $0.baseAddress!, length, at: Int64(offset), path: path) }
        return Array(bytes[..<count])
    }

    func testWritesReadBackAtOnce() throws {
        let disk = makeDisk()
        let fd = try disk.openReadWrite(path, create: true)
        try write(disk, fd, [1, 2, 3, 4], at: 0)
        try write(disk, fd, [9, 9], at: 6)
        XCTAssertEqual(try read(disk, fd, 16, at: 0), [1, 2, 3, 4, 0, 0, 9, 9], "a write past the end zero-fills the gap; a read stops at the end")
        XCTAssertEqual(try read(disk, fd, 3, at: 2), [3, 4, 0])
        XCTAssertEqual(try disk.fileSize(path), 8)
        XCTAssertEqual(disk.unsyncedWrites, 2)
        XCTAssertEqual(disk.durableBytes(path), [], "nothing synced yet")
        let reader = try disk.openReadOnly(path)
        XCTAssertEqual(try read(disk, reader, 8, at: 0), [1, 2, 3, 4, 0, 0, 9, 9])
        XCTAssertThrowsError(try write(disk, reader, [1], at: 0), "a read-only descriptor does not write") { error in
            XCTAssertEqual(error as? LogError, .io(operation: "pwrite", path: path, errno: EBADF))
        }
        disk.close(fd)
        disk.close(reader)
        XCTAssertEqual(disk.openDescriptors, 0)
    }

    func testSyncedDataSurvivesACrashWhole() throws {
        let disk = makeDisk()
        let fd = try disk.openReadWrite(path, create: true)
        XCTAssertEqual(disk.preallocate(fd, length: 64), 0)
        try write(disk, fd, [UInt8](repeating: 7, count: 40), at: 0)
        try write(disk, fd, [1, 2, 3], at: 40)
        try disk.dataSync(fd, path: path)
        XCTAssertEqual(disk.unsyncedWrites, 0)
        let before = disk.currentBytes(path)
        var random = SimulationRandom(seed: 5)
        disk.crash(random: &random)
        XCTAssertEqual(disk.currentBytes(path), before)
        XCTAssertEqual(disk.currentBytes(path)?.count, 64, "a preallocation is kept")
        XCTAssertEqual(disk.crashes, 1)
        XCTAssertEqual(disk.tornWrites + disk.lostWrites, 0)
        XCTAssertThrowsError(try read(disk, fd, 1, at: 0), "a crash invalidates every descriptor") { error in
            XCTAssertEqual(error as? LogError, .io(operation: "pread", path: path, errno: EBADF))
        }
        XCTAssertEqual(disk.openDescriptors, 0)
    }

    /// Over many seeds: what a crash keeps of unsynced writes is always the
    /// durable image plus the first k writes in order, the k-th possibly cut
    /// short; some crashes tear a write and some lose one.
    func testACrashKeepsAnInOrderPrefixOfUnsyncedWritesTheLastPossiblyTorn() throws {
        var torn = 0
        var lost = 0
        var keptSome = 0
        for seed in UInt64(1)...60 {
            var random = SimulationRandom(seed: seed)
            let disk = makeDisk(seed: seed)
            let fd = try disk.openReadWrite(path, create: true)
            let synced = (0..<24).map { UInt8($0 + 1) }
            try write(disk, fd, synced, at: 0)
            try disk.dataSync(fd, path: path)
            // Overlapping writes, some past the end, each with its own bytes.
            var writes: [(offset: Int, bytes: [UInt8])] = []
            for index in 0..<Int(random.int(in: 1...6)) {
                let offset = Int(random.int(in: 0...30))
                let bytes = [UInt8](repeating: UInt8(100 + index), count: Int(random.int(in: 1...12)))
                writes.append((offset, bytes))
                try write(disk, fd, bytes, at: offset)
            }
            disk.crash(random: &random)
            let image = try XCTUnwrap(disk.currentBytes(path))
            XCTAssertEqual(disk.durableBytes(path), image, "after a crash what is there is durable")
            let candidates = SimulatedDiskTests.prefixImages(durable: synced, writes: writes)
            XCTAssertTrue(candidates.contains(image), "seed \(seed): \(image) is not durable + an in-order prefix of \(writes)")
            if image != synced { keptSome += 1 }
            torn += disk.tornWrites
            lost += disk.lostWrites
        }
        XCTAssertGreaterThan(torn, 0, "some crash tore a write")
        XCTAssertGreaterThan(lost, 0, "some crash lost a write")
        XCTAssertGreaterThan(keptSome, 0, "some crash kept unsynced bytes")
    }

    /// Every image a crash may leave: `durable` plus writes `0..<k` whole and
    /// (optionally) a non-empty proper prefix of write `k`.
    private static func prefixImages(durable: [UInt8], writes: [(offset: Int, bytes: [UInt8])]) -> Set<[UInt8]> {
        func apply(_ image: inout [UInt8], _ offset: Int, _ bytes: ArraySlice<UInt8>) {
            if image.count < offset + bytes.count { image += [UInt8](repeating: 0, count: offset + bytes.count - image.count) }
            image.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
        var results: Set<[UInt8]> = [durable]
        var image = durable
        for write in writes {
            for kept in 1..<max(write.bytes.count, 1) {
                var torn = image
                apply(&torn, write.offset, write.bytes[..<kept])
                results.insert(torn)
            }
            apply(&image, write.offset, write.bytes[...])
            results.insert(image)
        }
        return results
    }

    /// Same seed, same files, same crash, whatever the order the files were
    /// made in and however the disk's tables grew: files are visited in path
    /// order, never in hashing order (which also differs between processes).
    func testTheSameSeedCrashesTheSameWay() throws {
        func crashed(_ seed: UInt64, reversed: Bool) throws -> [[UInt8]] {
            let disk = makeDisk(seed: seed)
            if reversed {
                // Grow the table, so its order differs from the other disk's.
                for index in 0..<200 { disk.close(try disk.openReadWrite("\(directory)/scratch-\(index)", create: true)) }
                for index in 0..<200 { try disk.remove("\(directory)/scratch-\(index)") }
            }
            let names = (0..<8).map { "\(directory)/\($0).log" }
            for name in reversed ? names.reversed() : names {
                let fd = try disk.openReadWrite(name, create: true)
                for index in 0..<5 {
                    let bytes = [UInt8](repeating: UInt8(index + 1), count: 16)
                    try bytes.withUnsafeBytes { try disk.writeFully(fd, $0.baseAddress!, 16, at: Int64(index * 8), path: name) }
                }
            }
            var random = SimulationRandom(seed: seed)
            disk.crash(random: &random)
            return names.map { disk.currentBytes($0) ?? [] }
        }
        for seed in UInt64(1)...5 { XCTAssertEqual(try crashed(seed, reversed: false), try crashed(seed, reversed: true)) }
    }

    func testAFailedSyncMakesNothingDurableAndAFailedWriteChangesNothing() throws {
        let disk = makeDisk(faults: DiskFaults(syncErrorProbability: 1))
        let fd = try disk.openReadWrite(path, create: true)
        try write(disk, fd, [1, 2, 3], at: 0)
        XCTAssertThrowsError(try disk.dataSync(fd, path: path)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "fdatasync", path: path, errno: EIO))
        }
        XCTAssertThrowsError(try disk.sync(fd, path: path)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "fsync", path: path, errno: EIO))
        }
        XCTAssertEqual(disk.durableBytes(path), [])
        XCTAssertEqual(disk.unsyncedWrites, 1)
        XCTAssertEqual(disk.faultCounts.syncErrors, 2)

        disk.faults = DiskFaults(writeErrorProbability: 1)
        XCTAssertThrowsError(try write(disk, fd, [9, 9, 9, 9], at: 0)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "pwrite", path: path, errno: EIO))
        }
        XCTAssertEqual(disk.currentBytes(path), [1, 2, 3])
        disk.faults = DiskFaults(noSpaceProbability: 1)
        XCTAssertThrowsError(try write(disk, fd, [9], at: 0)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "pwrite", path: path, errno: ENOSPC))
        }
        XCTAssertEqual(disk.preallocate(fd, length: 100), ENOSPC)
        XCTAssertEqual(disk.currentBytes(path), [1, 2, 3])
        XCTAssertEqual(disk.faultCounts.writeErrors, 1)
        XCTAssertEqual(disk.faultCounts.noSpaceErrors, 2)

        disk.faultsEnabled = false
        try write(disk, fd, [4], at: 3)
        try disk.dataSync(fd, path: path)
        XCTAssertEqual(disk.durableBytes(path), [1, 2, 3, 4], "healed: the sync makes everything durable")
        XCTAssertEqual(disk.faultCounts.total, 5, "nothing drawn while disabled")
    }

    func testErrorsAreTheRealFileSystemsAndNamesAreDurableAtOnce() throws {
        let disk = makeDisk()
        XCTAssertThrowsError(try disk.checkDirectory("/elsewhere")) { error in
            XCTAssertEqual(error as? LogError, .missingDirectory(path: "/elsewhere"))
        }
        XCTAssertNoThrow(try disk.checkDirectory(directory + "/"))
        XCTAssertThrowsError(try disk.openReadWrite("/elsewhere/x", create: true)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "open", path: "/elsewhere/x", errno: ENOENT))
        }
        XCTAssertThrowsError(try disk.openReadOnly(path)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "open", path: path, errno: ENOENT))
        }
        XCTAssertThrowsError(try disk.fileSize(path)) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "stat", path: path, errno: ENOENT))
        }
        XCTAssertThrowsError(try disk.list("/elsewhere")) { error in
            XCTAssertEqual(error as? LogError, .io(operation: "opendir", path: "/elsewhere", errno: ENOENT))
        }
        errno = 0
        XCTAssertEqual(path.withCString { disk.openReadOnly(cPath: $0) }, -1)
        XCTAssertEqual(errno, ENOENT)

        disk.nowNanos = 1_000
        let fd = try disk.openReadWrite(directory + "/b.tmp", create: true)
        try write(disk, fd, [5, 5], at: 0)
        disk.createDirectory(directory + "/sub")
        _ = try disk.openReadWrite(directory + "/a", create: true)
        XCTAssertEqual(try disk.list(directory), ["a", "b.tmp", "sub"], "sorted, files and directories")
        XCTAssertEqual(try disk.list("/sim"), ["node-0"])
        try disk.rename(directory + "/b.tmp", to: directory + "/b")
        XCTAssertFalse(disk.exists(directory + "/b.tmp"))
        XCTAssertEqual(try disk.modificationNanos(directory + "/b"), 1_000)
        try write(disk, fd, [6], at: 2)
        XCTAssertEqual(disk.currentBytes(directory + "/b"), [5, 5, 6], "a descriptor follows its file through a rename")
        try disk.remove(directory + "/b")
        try disk.remove(directory + "/b")
        XCTAssertFalse(disk.exists(directory + "/b"))
        XCTAssertEqual(try read(disk, fd, 3, at: 0), [5, 5, 6], "and keeps it after a remove")
        var random = SimulationRandom(seed: 1)
        disk.crash(random: &random)
        XCTAssertEqual(try disk.list(directory), ["a", "sub"], "names survive a crash as they were")
        XCTAssertEqual(disk.currentBytes(directory + "/a"), [])
    }

    func testAMappingIsACopyCountedUntilUnmapped() throws {
        let disk = makeDisk()
        let fd = try disk.openReadWrite(path, create: true)
        try write(disk, fd, [1, 2, 3], at: 0)
        let bytes = try disk.mapReadOnly(path, length: 8)
        XCTAssertEqual(disk.openMappings, 1)
        XCTAssertEqual(Array(UnsafeRawBufferPointer(start: bytes, count: 8)), [1, 2, 3, 0, 0, 0, 0, 0], "zero past the end")
        try write(disk, fd, [9], at: 0)
        XCTAssertEqual(bytes.load(as: UInt8.self), 1, "a copy taken at map time")
        disk.unmap(bytes, length: 8)
        XCTAssertEqual(disk.openMappings, 0)
    }

    func testCorruptingASyncedByteFlipsOneBitOfOneNonZeroPrefixByte() throws {
        for seed in UInt64(1)...20 {
            let disk = makeDisk(seed: seed)
            var random = SimulationRandom(seed: seed)
            XCTAssertNil(disk.corruptSyncedByte(random: &random), "no file yet")
            let fd = try disk.openReadWrite(path, create: true)
            XCTAssertEqual(disk.preallocate(fd, length: 256), 0)
            try write(disk, fd, (0..<100).map { UInt8($0 % 250 + 1) }, at: 0)
            XCTAssertNil(disk.corruptSyncedByte(random: &random), "nothing non-zero is durable yet")
            try disk.dataSync(fd, path: path)
            let other = try disk.openReadWrite(directory + "/checkpoint", create: true)
            try write(disk, other, [1, 1, 1], at: 0)
            try disk.dataSync(other, path: directory + "/checkpoint")
            let before = try XCTUnwrap(disk.currentBytes(path))
            let corrupted = try XCTUnwrap(disk.corruptSyncedByte(random: &random))
            XCTAssertEqual(corrupted.path, path, "only files with the suffix")
            XCTAssertLessThan(corrupted.offset, 100, "inside the non-zero prefix")
            let after = try XCTUnwrap(disk.currentBytes(path))
            let changed = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }
            XCTAssertEqual(changed.map(\.offset), [corrupted.offset])
            XCTAssertEqual(changed.first.map { ($0.element.0 ^ $0.element.1).nonzeroBitCount }, 1)
            XCTAssertEqual(disk.durableBytes(path), after, "durable and current alike")
        }
    }
}
