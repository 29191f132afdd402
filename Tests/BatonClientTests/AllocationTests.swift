import BatonClient
import BatonProtocol
import BatonTestSupport
import XCTest

/// Once warmed up, publishing (offer + poll, including batch sends and acks)
/// and receiving (poll, including frame checks and Credit) allocate nothing
/// on the calling thread. Needs the CMallocCounter interposer linked into
/// the test process (skipped otherwise).
final class AllocationTests: XCTestCase {
    func testOfferAndPollAllocateNothing() throws {
        guard let mallocCount = mallocCounter() else { throw XCTSkip(mallocCounterMissing) }
        let server = try FakeServer()
        defer { server.stop() }
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.connection = testConnectionOptions()
        configuration.windowMessages = 1_024
        let publisher = try Publisher(broker: server.address, configuration: configuration)
        defer { publisher.close() }
        let payload = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 8)
        defer { payload.deallocate() }
        payload.initializeMemory(as: UInt8.self, repeating: 3)
        var accepted = 0
        var failures = 0
        func run(_ count: Int) {
            let target = accepted + count
            let deadline = Deadline(seconds: 20)
            while accepted < target && !deadline.hasPassed {
                switch publisher.offer(UnsafeRawBufferPointer(payload)) {
                case .accepted: accepted += 1
                case .backPressured:
                    do {
                        if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
                    } catch { failures += 1; return }
                default: failures += 1; return
                }
            }
        }
        run(5_000)  // warm-up
        let before = mallocCount()
        run(20_000)
        let allocations = mallocCount() &- before
        XCTAssertEqual(failures, 0)
        XCTAssertEqual(accepted, 25_000)
        XCTAssertEqual(allocations, 0, "offer and poll allocate nothing once warmed up")
        try publisher.awaitAcks(timeout: .seconds(10))
    }

    func testSubscriberPollAllocatesNothing() throws {
        guard let mallocCount = mallocCounter() else { throw XCTSkip(mallocCounterMissing) }
        var script = FakeServerScript()
        script.frames = (0..<3_000).map { FakeFrame(streamId: 1, producerId: 1, sequence: UInt64($0), payload: [UInt8](repeating: 1, count: 64)) }
        script.framesPerDeliver = 16
        let server = try FakeServer(script)
        defer { server.stop() }
        var configuration = SubscriberConfiguration(streamId: 1)
        configuration.connection = testConnectionOptions()
        configuration.creditBytes = 16 * 1_024
        let subscriber = try Subscriber(broker: server.address, configuration: configuration)
        defer { subscriber.close() }
        var received = 0
        var checksum = 0
        func run(until target: Int) throws {
            let deadline = Deadline(seconds: 20)
            while received < target && !deadline.hasPassed {
                let count = try subscriber.poll(limit: target - received) { message in
                    checksum &+= Int(message.payload[0]) &+ Int(truncatingIfNeeded: message.sequence)
                }
                received += count
                if count == 0 { subscriber.waitForData(timeout: .milliseconds(1)) }
            }
        }
        try run(until: 500)  // warm-up
        let before = mallocCount()
        try run(until: 3_000)
        let allocations = mallocCount() &- before
        XCTAssertEqual(received, 3_000)
        XCTAssertGreaterThan(checksum, 0)
        XCTAssertFalse(server.record.credits.isEmpty)
        XCTAssertEqual(allocations, 0, "subscriber poll allocates nothing once warmed up")
    }
}
