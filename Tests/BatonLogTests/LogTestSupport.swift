import BatonTestSupport
import BatonCodec
import BatonLog
import BatonTime
import Logging
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed (with its files) by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ name: String = #function) {
        path = makeTemporaryDirectory("log-" + name)
    }

    func remove() { removeTree(path) }
}

/// A `LogStorage` over `PwriteStorage` that injects faults: errors on the
/// next writes, short writes, failed preallocation.
final class FaultInjectingStorage: LogStorage {
    let inner: PwriteStorage
    /// The next this-many writes complete with `-writeErrno` (without writing).
    var failingWrites = 0
    var writeErrno: Int32 = ENOSPC
    /// The next this-many writes write only half their bytes.
    var shortWrites = 0
    /// `preallocate` returns this errno while non-zero.
    var preallocateErrno: Int32 = 0
    private(set) var writesSeen = 0
    private var injected: [StorageCompletion] = []
    private var injectedUserData: Set<UInt64> = []

    init(queueDepth: Int) { inner = PwriteStorage(queueDepth: queueDepth) }

    var name: String { "fault-injecting pwrite" }
    var submissionSpace: Int { inner.submissionSpace - injected.count }

    func prepareWrite(fd: Int32, address: UnsafeRawPointer, length: Int, fileOffset: Int64, userData: UInt64, linkNext: Bool) {
        writesSeen += 1
        if failingWrites > 0 {
            failingWrites -= 1
            // Write nothing; the real operation is replaced by an error of the
            // same userData, and a cancelled chain is modelled by the writer
            // seeing the error (its linked sync is sent to a bad fd).
            inner.prepareWrite(fd: -1, address: address, length: length, fileOffset: fileOffset, userData: userData, linkNext: linkNext)
            injectedUserData.insert(userData)
            return
        }
        // A short write: only the first half reaches the file and the
        // completion says so (the chain after it still runs, as it would
        // not in io_uring; the writer must cope either way).
        let actual = shortWrites > 0 && length > 1 ? length / 2 : length
        if actual != length { shortWrites -= 1 }
        inner.prepareWrite(fd: fd, address: address, length: actual, fileOffset: fileOffset, userData: userData, linkNext: linkNext)
    }

    func prepareDataSync(fd: Int32, userData: UInt64, linkNext: Bool) {
        inner.prepareDataSync(fd: fd, userData: userData, linkNext: linkNext)
    }

    func submit() throws(LogError) -> Int { try inner.submit() }

    func nextCompletion() -> StorageCompletion? {
        guard var completion = inner.nextCompletion() else { return nil }
        if injectedUserData.remove(completion.userData) != nil {
            completion.result = -writeErrno
        }
        return completion
    }

    func preallocate(fd: Int32, length: Int64) -> Int32 {
        preallocateErrno != 0 ? preallocateErrno : SystemFileSystem().preallocate(fd, length: length)
    }

    func waitForCompletion(timeoutNanos: Int64) {}

    func close() { inner.close() }
}

/// Collects log lines for assertions.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLockLike()
    private var lines: [String] = []
    func append(_ line: String) { lock.locked { lines.append(line) } }
    var all: [String] { lock.locked { lines } }
}

/// A tiny pthread mutex (no Foundation in this module: see the report).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}

struct CapturingLogHandler: LogHandler {
    let sink: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        sink.append("\(event.level) \(event.message)")
    }
}

func capturingLogger() -> (Logger, CapturedLog) {
    let sink = CapturedLog()
    return (Logger(label: "test") { _ in CapturingLogHandler(sink: sink) }, sink)
}

/// A quiet logger for tests that do not look at log lines.
func quietLogger() -> Logger {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return logger
}

/// Small sizes so tests cross segment and buffer boundaries quickly.
func smallConfiguration(_ directory: String, segmentBytes: Int = 64 << 10, bufferBytes: Int = 128 << 10) -> LogConfiguration {
    var configuration = LogConfiguration(directory: directory)
    configuration.segmentBytes = segmentBytes
    configuration.bufferBytes = bufferBytes
    configuration.maximumFrameLength = 4096
    configuration.maxInFlightBytes = 32 << 10
    configuration.maximumWriteBytes = 8 << 10
    configuration.maximumBatchBytes = 16 << 10
    configuration.maximumBatchesInFlight = 2
    configuration.checkpointIntervalNanos = 10_000_000
    configuration.retryDelayNanos = 1_000_000
    return configuration
}

/// Payload byte `i` of the frame at `position`: checkable on read-back.
@inline(__always)
func patternByte(position: Int64, index: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: (position >> 5) &+ Int64(index) &* 7)
}

/// Appends one frame with a checkable payload; returns its position, or nil when back-pressured.
func appendPatterned(_ log: DurableLog, payloadLength: Int, sequence: UInt64) -> Int64? {
    guard let frame = log.appender.tryClaim(payloadLength: payloadLength, streamId: 3, producerId: 42,
                                            sequence: sequence, timestampNanos: Int64(sequence) * 1000) else { return nil }
    for index in 0..<payloadLength {
        frame.payload.storeBytes(of: patternByte(position: frame.position, index: index), toByteOffset: index, as: UInt8.self)
    }
    let position = frame.position
    log.appender.commit(frame)
    return position
}

/// Checks a frame's payload pattern and header fields.
func checkPatterned(_ frame: FrameHeader, file: StaticString = #filePath, line: UInt = #line) -> Bool {
    for index in 0..<frame.payloadLength where frame.payload.load(fromByteOffset: index, as: UInt8.self) != patternByte(position: frame.position, index: index) {
        XCTFail("payload byte \(index) of the frame at \(frame.position) is wrong", file: file, line: line)
        return false
    }
    return true
}

/// Runs the writer's duty cycle until `condition` holds or `seconds` pass.
/// Errors thrown by `doWork` are collected and returned.
@discardableResult
func drive<S: LogStorage, C: NanoClock>(_ writer: LogWriter<S, C>, seconds: Double = 10, file: StaticString = #filePath,
                                       line: UInt = #line, until condition: () -> Bool) -> [LogError] {
    let deadline = SystemClock().monotonicNanos() + Int64(seconds * 1e9)
    var errors: [LogError] = []
    while !condition() {
        if SystemClock().monotonicNanos() > deadline {
            XCTFail("condition not reached within \(seconds) s", file: file, line: line)
            return errors
        }
        do {
            _ = try writer.doWork()
        } catch let error as LogError {
            errors.append(error)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }
    return errors
}

/// Appends `count` patterned frames of seeded random sizes, driving the writer
/// when back-pressured; returns the frame positions.
func appendFrames<S: LogStorage, C: NanoClock>(_ log: DurableLog, writer: LogWriter<S, C>, count: Int,
                                              random: inout SplitMix64, maximumPayload: Int = 600,
                                              firstSequence: UInt64 = 0, onBackPressure: () -> Void = {},
                                              file: StaticString = #filePath, line: UInt = #line) -> [Int64] {
    var positions: [Int64] = []
    positions.reserveCapacity(count)
    var sequence = firstSequence
    let deadline = SystemClock().monotonicNanos() + 20_000_000_000
    while positions.count < count {
        let length = Int(random.next() % UInt64(maximumPayload + 1))
        if let position = appendPatterned(log, payloadLength: length, sequence: sequence) {
            positions.append(position)
            sequence += 1
        } else {
            onBackPressure()
            _ = try? writer.doWork()
            if SystemClock().monotonicNanos() > deadline {
                XCTFail("back-pressured for 20 s at \(log.appendedPosition) (durable \(log.durablePosition))", file: file, line: line)
                return positions
            }
        }
    }
    return positions
}

/// Every data frame from the start of the log to its end, checked.
func readAll(_ log: DurableLog, file: StaticString = #filePath, line: UInt = #line) throws -> [(position: Int64, sequence: UInt64, end: Int64)] {
    var frames: [(Int64, UInt64, Int64)] = []
    let reader = log.makeReader()
    try reader.forEachFrame(from: log.startPosition) { frame in
        _ = checkPatterned(frame, file: file, line: line)
        frames.append((frame.position, frame.sequence, frame.position + Int64(frame.alignedLength)))
    }
    return frames
}
