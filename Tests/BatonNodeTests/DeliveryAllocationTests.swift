import BatonAgent
import BatonClient
import BatonNet
import BatonNode
import BatonTestSupport
import CMallocCounter
import Foundation
import XCTest

/// "Serving a live subscriber allocates nothing" as a test: a single node
/// whose agents (client I/O, order, log writer, commit, delivery) are driven
/// by this test's thread while a publisher and a subscriber on other threads
/// send and read 150,000 messages. Allocations on the agents' duty cycles are
/// counted by the malloc interposer (this thread only) while the 30,000th to
/// the 130,000th message are delivered, after both sessions were set up (the
/// span is the steady state: a few dozen large duty cycles on an idle
/// machine; it does not force rare branches such as partial writes). When one
/// is counted, the tracer's record of where it happened is the failure message.
final class DeliveryAllocationTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testPublishAndDeliverDutyCyclesDoNotAllocatePerMessage() throws {
        #if DEBUG
        try XCTSkipIf(true, "generic code is not specialised in debug builds; run with -c release")
        #endif
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        let harness = try NodeHarness { configuration in
            configuration.runsOwnThreads = false
            // One segment holds the whole run (a new segment file is set-up work).
            configuration.log.segmentBytes = 64 << 20
        }
        defer { harness.shutdown() }
        let node = try XCTUnwrap(harness.node)
        let agent = try XCTUnwrap(node.takeAgent())
        try agent.onStart()
        defer { agent.onClose() }

        let total = 150_000
        let port = harness.port
        let deadline = Date().addingTimeInterval(240)
        let errors = ErrorBox()
        let published = DispatchSemaphore(value: 0)
        let replayed = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do { _ = try EndToEnd.publish(port: port, producerId: 5, count: total, deadline: deadline) } catch {
                errors.add("publish: \(error)")
            }
            published.signal()
        }
        Thread.detachNewThread {
            do {
                let replay = try EndToEnd.replay(port: port, expected: total, deadline: deadline)
                if !replay.problems.isEmpty { errors.add("replay: \(replay.problems)") }
            } catch {
                errors.add("replay: \(error)")
            }
            replayed.signal()
        }
        let delivered = node.counters.messagesOut
        var allocations: UInt64 = 0
        var cycles = 0
        var measuring = false
        var measured = false
        AllocationTrace.clear()
        var running = 2
        while running > 0 && Date() < deadline {
            if published.wait(timeout: .now()) == .success { running -= 1 }
            if replayed.wait(timeout: .now()) == .success { running -= 1 }
            if measuring { AllocationTrace.arm() }
            let start = baton_malloc_count_thread()
            _ = try agent.doWork()
            AllocationTrace.disarm()
            if measuring {
                allocations &+= baton_malloc_count_thread() &- start
                cycles += 1
            }
            let count = delivered.getAcquire()
            if !measured && !measuring && count >= 30_000 { measuring = true }
            if measuring && count >= 130_000 {
                measuring = false
                measured = true
            }
        }
        print("node duty cycles: \(allocations) allocations in \(cycles) duty cycles delivering messages 30,000 to 130,000")
        XCTAssertEqual(errors.all, [])
        XCTAssertTrue(measured, "130,000 messages delivered")
        XCTAssertEqual(allocations, 0, "allocations in the node's duty cycles while publishing and delivering; \(AllocationTrace.report())")
    }
}
