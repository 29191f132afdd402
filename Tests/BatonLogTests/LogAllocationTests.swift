import BatonCodec
import BatonLog
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
            var configuration = LogConfiguration(directory: directory.path)
            configuration.segmentBytes = 64 << 20
            configuration.bufferBytes = 1 << 20
            configuration.maximumFrameLength = 4096
            configuration.maxInFlightBytes = 512 << 10
            configuration.maximumBatchBytes = 256 << 10
            configuration.maximumWriteBytes = 64 << 10
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
