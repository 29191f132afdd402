import BatonLog
import BatonTestSupport
import BatonTime
import Glibc
import XCTest

/// The machine's file system with chosen calls failing (EIO), and a count of
/// every call that reached it: a log opened over it must reach the disk only
/// through the seam, and report a failing call with its operation and path.
final class FailingFileSystem: LogFileSystem, @unchecked Sendable {
    private let base = SystemFileSystem()
    private let lock = NSLock()
    private var failing: Set<String> = []
    private(set) var calls: [String: Int] = [:]

    func fail(_ operations: String...) { lock.withLock { failing.formUnion(operations) } }

    private func enter(_ operation: String, path: String) throws(LogError) {
        let fails = lock.withLock { () -> Bool in
            calls[operation, default: 0] += 1
            return failing.contains(operation)
        }
        if fails { throw .io(operation: operation, path: path, errno: EIO) }
    }

    private func count(_ operation: String) { lock.withLock { calls[operation, default: 0] += 1 } }

    func checkDirectory(_ path: String) throws(LogError) { try enter("checkDirectory", path: path); try base.checkDirectory(path) }
    func exists(_ path: String) -> Bool { count("exists"); return base.exists(path) }
    func fileSize(_ path: String) throws(LogError) -> Int64 { try enter("fileSize", path: path); return try base.fileSize(path) }
    func modificationNanos(_ path: String) throws(LogError) -> Int64 {
        try enter("modificationNanos", path: path)
        return try base.modificationNanos(path)
    }
    func list(_ path: String) throws(LogError) -> [String] { try enter("list", path: path); return try base.list(path) }
    func openReadWrite(_ path: String, create: Bool) throws(LogError) -> Int32 {
        try enter("openReadWrite", path: path)
        return try base.openReadWrite(path, create: create)
    }
    func openReadOnly(_ path: String) throws(LogError) -> Int32 { try enter("openReadOnly", path: path); return try base.openReadOnly(path) }
    func openReadOnly(cPath: UnsafePointer<CChar>) -> Int32 {
        count("openReadOnly(cPath)")
        if lock.withLock({ failing.contains("openReadOnly(cPath)") }) {
            errno = EIO
            return -1
        }
        return base.openReadOnly(cPath: cPath)
    }
    func close(_ fd: Int32) { count("close"); base.close(fd) }
    func preallocate(_ fd: Int32, length: Int64) -> Int32 { count("preallocate"); return base.preallocate(fd, length: length) }
    func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ length: Int, at offset: Int64,
                   path: @autoclosure () -> String) throws(LogError) -> Int {
        try enter("readFully", path: path())
        return try base.readFully(fd, buffer, length, at: offset, path: path())
    }
    func writeFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ length: Int, at offset: Int64, path: String) throws(LogError) {
        try enter("writeFully", path: path)
        try base.writeFully(fd, buffer, length, at: offset, path: path)
    }
    func truncate(_ fd: Int32, length: Int64, path: String) throws(LogError) { try enter("truncate", path: path); try base.truncate(fd, length: length, path: path) }
    func dataSync(_ fd: Int32, path: String) throws(LogError) { try enter("dataSync", path: path); try base.dataSync(fd, path: path) }
    func sync(_ fd: Int32, path: String) throws(LogError) { try enter("sync", path: path); try base.sync(fd, path: path) }
    func syncDirectory(_ path: String) throws(LogError) { try enter("syncDirectory", path: path); try base.syncDirectory(path) }
    func rename(_ path: String, to newPath: String) throws(LogError) { try enter("rename", path: path); try base.rename(path, to: newPath) }
    func remove(_ path: String) throws(LogError) { try enter("remove", path: path); try base.remove(path) }
    func mapReadOnly(_ path: String, length: Int) throws(LogError) -> UnsafeRawPointer {
        try enter("mapReadOnly", path: path)
        return try base.mapReadOnly(path, length: length)
    }
    func unmap(_ bytes: UnsafeRawPointer, length: Int) { count("unmap"); base.unmap(bytes, length: length) }
}

/// Recovery, segments, checkpoints and reads reach the disk through the
/// log's `LogFileSystem` — a failing call there surfaces, named.
final class LogFileSystemTests: XCTestCase {
    private func writeFrames(_ log: DurableLog, count: Int) throws {
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: log.configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        let payload = [UInt8](repeating: 3, count: 1_000)
        for sequence in 0..<count {
            let result = payload.withUnsafeBytes {
                log.appender.tryAppend(payload: $0, streamId: 1, producerId: 1, sequence: UInt64(sequence), timestampNanos: 0)
            }
            guard case .appended = result else { return XCTFail("append \(result)") }
            _ = try writer.doWork()
        }
        while log.durablePosition < log.appendedPosition { _ = try writer.doWork() }
        writer.onClose()
    }

    func testCreatingRecoveringAndReadingBackGoThroughTheSeam() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let files = FailingFileSystem()
        try writeFrames(try DurableLog.open(smallConfiguration(directory.path), fileSystem: files, logger: quietLogger()), count: 200)
        for operation in ["checkDirectory", "list", "openReadWrite", "preallocate", "sync", "rename", "syncDirectory", "writeFully", "dataSync"] {
            XCTAssertGreaterThan(files.calls[operation] ?? 0, 0, "creating and writing a log calls \(operation) through the seam")
        }
        // Reopen (recovery maps the segments) with a small buffer, so old frames are read back from the files.
        let reopened = try DurableLog.open(smallConfiguration(directory.path), fileSystem: files, logger: quietLogger())
        XCTAssertGreaterThan(files.calls["mapReadOnly"] ?? 0, 0, "recovery scans segments through the seam")
        let reader = reopened.makeReader()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
        defer { chunk.deallocate() }
        let before = files.calls["openReadOnly(cPath)"] ?? 0
        _ = try reader.read(from: reopened.startPosition, into: chunk)
        XCTAssertGreaterThan(files.calls["openReadOnly(cPath)"] ?? 0, before, "a reader opens segment files through the seam")
        XCTAssertGreaterThan(files.calls["readFully"] ?? 0, 0)
    }

    func testAFailingCallSurfacesWithItsOperationAndPath() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let files = FailingFileSystem()
        try writeFrames(try DurableLog.open(smallConfiguration(directory.path), fileSystem: files, logger: quietLogger()), count: 200)
        files.fail("mapReadOnly")
        XCTAssertThrowsError(try DurableLog.open(smallConfiguration(directory.path), fileSystem: files, logger: quietLogger())) { error in
            guard case let .io(operation, path, code) = error as? LogError else { return XCTFail("\(error)") }
            XCTAssertEqual(operation, "mapReadOnly")
            XCTAssertTrue(path.hasPrefix(directory.path) && path.hasSuffix(".log"), path)
            XCTAssertEqual(code, EIO)
        }
    }
}

/// Scratch directories: made empty, removed whole, links removed and never followed.
final class TemporaryDirectoryTests: XCTestCase {
    func testMadeEmptyRemovedWholeWithoutFollowingLinks() throws {
        let files = SystemFileSystem()
        let outside = try files.makeTemporaryDirectory(prefix: "baton-outside")
        defer { files.removeTree(outside) }
        let keep = outside + "/keep"
        XCTAssertEqual(Glibc.close(Glibc.open(keep, O_CREAT | O_WRONLY, 0o644)), 0)
        let scratch = try files.makeTemporaryDirectory(prefix: "baton-scratch")
        XCTAssertEqual(try files.list(scratch), [])
        XCTAssertEqual(mkdir(scratch + "/node-0", 0o755), 0)
        XCTAssertEqual(Glibc.close(Glibc.open(scratch + "/node-0/00.log", O_CREAT | O_WRONLY, 0o644)), 0)
        XCTAssertEqual(symlink(outside, scratch + "/link"), 0)
        files.removeTree(scratch)
        XCTAssertFalse(files.exists(scratch))
        XCTAssertTrue(files.exists(keep), "a link's target is not removed")
    }
}
