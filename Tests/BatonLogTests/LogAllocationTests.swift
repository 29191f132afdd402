import BatonCodec
import BatonLog
import BatonTestSupport
import BatonTime
import CMallocCounter
import XCTest

/// "Appending and writing allocate 0 times" as a test: 100,000 appends and
/// the writer's duty cycles (io_uring and pwrite, policy batch) on one
/// thread, counted by the malloc interposer for this thread only, after a
/// warm-up. The measured span stays inside one segment (creating a segment
/// file is set-up work, not the per-message path).
final class LogAllocationTests: XCTestCase {
    func testAppendAndWriterDutyCycleDoNotAllocate() throws {
        for backend in [LogIOBackend.automatic, .pwrite] {
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            var configuration = allocationTestConfiguration(directory.path, segmentBytes: 64 << 20)
            configuration.ioBackend = backend
            let log = try DurableLog.open(configuration, logger: quietLogger())
            let storage = SystemStorage(configuration: configuration, buffer: log.buffer, logger: quietLogger())
            let writer = try log.makeWriter(storage: storage, clock: ManualClock())
            try writer.onStart()
            let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
            defer { payload.deallocate() }
            payload.initializeMemory(as: UInt8.self, repeating: 7)

            func run(_ count: Int) {
                var sequence: UInt64 = 0
                while sequence < UInt64(count) {
                    switch log.appender.tryAppend(payload: UnsafeRawBufferPointer(payload), streamId: 1, producerId: 1,
                                                  sequence: sequence, timestampNanos: 0) {
                    case .appended: sequence &+= 1
                    case .backPressured: _ = try? writer.doWork()
                    case .frameTooLarge: preconditionFailure()
                    }
                    if sequence & 63 == 0 { _ = try? writer.doWork() }
                }
                while log.durablePosition < log.appendedPosition { _ = try? writer.doWork() }
            }
            run(10_000)
            XCTAssertEqual(baton_malloc_counter_active(), 1, "the malloc interposer is linked")
            let before = baton_malloc_count_thread()
            run(100_000)
            let allocations = baton_malloc_count_thread() &- before
            XCTAssertEqual(allocations, 0, "\(storage.name): \(allocations) allocations for 100,000 appends + duty cycles")
            XCTAssertLessThan(log.appendedPosition, Int64(configuration.segmentBytes / 2))
            writer.onClose()
        }
    }
}

/// "Reading the log back allocates 0 times", for the branch a resend takes
/// when the buffer has moved on: whole frames read from the segment files
/// (`pread`, below the durable position), across segment boundaries (each
/// switch opens the next file: its path is built on the stack). Counted by
/// the malloc interposer for this thread, with the tracer's report as the
/// failure message. Before issue 10 every such read built its file's path as
/// a `String` — two allocations a resend from the files.
final class LogReaderAllocationTests: XCTestCase {
    func testReadingFramesFromTheSegmentFilesDoesNotAllocate() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let configuration = allocationTestConfiguration(directory.path, segmentBytes: 1 << 20)
        let log = try DurableLog.open(configuration, logger: quietLogger())
        let storage = SystemStorage(configuration: configuration, buffer: log.buffer, logger: quietLogger())
        let writer = try log.makeWriter(storage: storage, clock: ManualClock())
        try writer.onStart()
        defer { writer.onClose() }
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 9)
        // About 5.5 MB of frames: six segments, five times the buffer, all durable.
        var sequence: UInt64 = 0
        while sequence < 40_000 {
            switch log.appender.tryAppend(payload: UnsafeRawBufferPointer(payload), streamId: 1, producerId: 1,
                                          sequence: sequence, timestampNanos: 0) {
            case .appended: sequence &+= 1
            case .backPressured: _ = try writer.doWork()
            case .frameTooLarge: preconditionFailure()
            }
        }
        while log.durablePosition < log.appendedPosition { _ = try writer.doWork() }
        XCTAssertGreaterThan(log.appendedPosition, 5 * Int64(configuration.segmentBytes))

        let reader = log.makeReader()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 4096)
        defer { chunk.deallocate() }
        func readAll() throws -> (bytes: Int64, frames: Int) {
            var position = log.startPosition
            var frames = 0
            while true {
                let result = try reader.read(from: position, into: chunk)
                if result.bytes == 0 { return (position - log.startPosition, frames) }
                frames += result.frames
                position = result.nextPosition
            }
        }
        _ = try readAll()  // warm-up: the reader's first file open
        #if DEBUG
        throw XCTSkip("allocation counts hold for release builds (at -Onone, typed throws allocate reabstraction thunks)")
        #endif
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        AllocationTrace.clear()
        let before = baton_malloc_count_thread()
        AllocationTrace.arm()
        let read = try readAll()
        AllocationTrace.disarm()
        let allocations = baton_malloc_count_thread() &- before
        XCTAssertEqual(read.bytes, log.appendedPosition - log.startPosition)
        XCTAssertGreaterThanOrEqual(read.frames, 40_000)
        if allocations != 0 {
            XCTFail("\(allocations) allocations reading \(read.frames) frames back from 6 segment files; \(AllocationTrace.report())")
        }
    }

    func testStackBuiltSegmentPathIsThePath() {
        let layout = SegmentLayout(directory: "/tmp/some dir/baton", segmentBytes: 1 << 20)
        for base in [Int64(0), 1 << 20, 12_345 << 20, Int64.max & ~((1 << 20) - 1)] {
            XCTAssertEqual(layout.withPath(base: base) { String(cString: $0) }, layout.path(base: base))
        }
    }
}

/// The small log both allocation tests use: a 1 MiB buffer, 4 KiB frames, 64 KiB writes.
func allocationTestConfiguration(_ directory: String, segmentBytes: Int) -> LogConfiguration {
    var configuration = LogConfiguration(directory: directory)
    configuration.segmentBytes = segmentBytes
    configuration.bufferBytes = 1 << 20
    configuration.maximumFrameLength = 4096
    configuration.maxInFlightBytes = 512 << 10
    configuration.maximumBatchBytes = 256 << 10
    configuration.maximumWriteBytes = 64 << 10
    return configuration
}
