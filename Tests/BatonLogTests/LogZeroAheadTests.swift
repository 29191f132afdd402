import BatonTestSupport
import BatonLog
import BatonTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A `LogStorage` where every other submit's operations stay in flight and
/// then run *after* the next submit's operations (each submit's operations in
/// their own order, so linked chains keep theirs) — io_uring may run
/// unlinked operations in any order, and this is the order that would hurt
/// most if the writer cut a batch into a zero-ahead write still in flight:
/// the zeros would land on the data.
final class DelayingStorage: LogStorage {
    let inner: PwriteStorage
    private var current: [PreparedStorageOperation] = []
    private var held: [PreparedStorageOperation] = []
    private let depth: Int
    private var submits = 0
    private var emptyReaps = 0

    init(queueDepth: Int) {
        depth = queueDepth
        inner = PwriteStorage(queueDepth: queueDepth * 2)
    }

    var name: String { "delaying pwrite" }
    var submissionSpace: Int { min(depth - current.count - held.count, inner.submissionSpace - current.count - held.count) }

    func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64, userData: UInt64, linkNext: Bool) {
        current.append(PreparedStorageOperation(fd: fd, isSync: false, linkNext: linkNext, address: address, length: length,
                                                fileOffset: fileOffset, userData: userData))
    }

    func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        current.append(PreparedStorageOperation(fd: fd, isSync: true, linkNext: linkNext, address: nil, length: 0,
                                                fileOffset: 0, userData: userData))
    }

    /// Odd-numbered submits hold their operations in flight; the next submit
    /// runs its own first and then the held ones.
    func submit() throws(LogError) -> Int {
        let count = current.count
        submits += 1
        if submits % 2 == 1 {
            held += current
        } else {
            for operation in current + held { prepareInner(operation) }
            held = []
            emptyReaps = 0
        }
        current = []
        _ = try inner.submit()
        return count
    }

    private func prepareInner(_ operation: PreparedStorageOperation) {
        if operation.isSync {
            inner.prepareDataSync(fd: operation.fd, userData: operation.userData, linkNext: operation.linkNext)
        } else {
            inner.prepareWrite(fd: operation.fd, address: operation.address!, length: operation.length,
                               fileOffset: operation.fileOffset, userData: operation.userData, linkNext: operation.linkNext)
        }
    }

    /// Held operations also run when two reaps in a row found nothing (the
    /// writer submits only when it prepared something; in-flight operations
    /// complete without a submit).
    func nextCompletion() -> StorageCompletion? {
        if let completion = inner.nextCompletion() { return completion }
        guard !held.isEmpty else { return nil }
        emptyReaps += 1
        if emptyReaps < 2 { return nil }
        emptyReaps = 0
        for operation in held { prepareInner(operation) }
        held = []
        _ = try? inner.submit()
        return inner.nextCompletion()
    }
    func preallocate(fd: Int32, length: Int64) -> Int32 { inner.preallocate(fd: fd, length: length) }
    func waitForCompletion(timeoutNanos: Int64) {}
    func close() { inner.close() }
}

/// Zero-ahead (`LogWriter+ZeroAhead.swift`): zeros are written ahead of the
/// data and never over it.
final class LogZeroAheadTests: XCTestCase {
    /// Frames written while zero-ahead writes are in flight a cycle behind
    /// read back intact, and zero-ahead writes happened. (Planted bug: without
    /// the cap at `zeroInFlightStart` in `submitBatches`, batches are cut into
    /// the zeros in flight and this test reads zeros where frames were.)
    func testZerosInFlightNeverLandOnData() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path, segmentBytes: 256 << 10)
        configuration.zeroAheadBytes = 64 << 10
        configuration.zeroChunkBytes = 8 << 10
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = DelayingStorage(queueDepth: configuration.queueDepth)
        let writer = try log.makeWriter(storage: storage, clock: ManualClock())
        try writer.onStart()
        var random = SplitMix64(seed: 71)
        var positions: [Int64] = []
        for round in 0..<40 {
            positions += appendFrames(log, writer: writer, count: 30 + round % 7, random: &random, maximumPayload: 300,
                                      firstSequence: UInt64(positions.count))
            _ = try writer.doWork()
        }
        let end = log.appender.position
        XCTAssertEqual(drive(writer) { log.durablePosition == end && !writer.hasOperationsInFlight }, [])
        XCTAssertGreaterThan(writer.zeroAheadWrites, 10)
        XCTAssertEqual(writer.zeroAheadFailures, 0)
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
        XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
    }

    /// With zero-ahead off, no zero write is issued.
    func testZeroAheadOff() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        configuration.zeroAheadBytes = 0
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let writer = try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: ManualClock())
        try writer.onStart()
        var random = SplitMix64(seed: 72)
        let positions = appendFrames(log, writer: writer, count: 300, random: &random)
        let end = log.appender.position
        XCTAssertEqual(drive(writer) { log.durablePosition == end }, [])
        XCTAssertEqual(writer.zeroAheadWrites, 0)
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
    }

    /// A failed zero write is skipped: nothing is reported, the data goes on.
    func testFailedZeroWriteIsSkipped() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = smallConfiguration(directory.path)
        configuration.zeroChunkBytes = 4096
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = FaultInjectingStorage(queueDepth: configuration.queueDepth)
        let writer = try log.makeWriter(storage: storage, clock: ManualClock())
        try writer.onStart()
        // Nothing appended yet: the first duty cycle issues only a zero-ahead write.
        storage.failingWrites = 1
        storage.writeErrno = EIO
        XCTAssertEqual(try writer.doWork(), 1)
        XCTAssertEqual(try writer.doWork(), 2)   // reaped the failure, issued the next chunk
        XCTAssertEqual(writer.zeroAheadFailures, 1)
        var random = SplitMix64(seed: 73)
        let positions = appendFrames(log, writer: writer, count: 200, random: &random)
        let end = log.appender.position
        XCTAssertEqual(drive(writer) { log.durablePosition == end }, [])
        XCTAssertGreaterThan(writer.zeroAheadWrites, 0)
        XCTAssertEqual(try readAll(log).map(\.position), positions)
        writer.onClose()
    }
}
