import BatonAgent
import BatonClient
import BatonNet
import BatonNode
import BatonTestSupport
import CMallocCounter
import Foundation
import XCTest

/// "The chain's per-message path allocates nothing" as a test: a 3-node chain
/// whose agents (client I/O, order, log writer, commit, execute, transmit /
/// follower order, on all three members) are driven by this test's thread,
/// while a publisher on another thread sends 150,000 messages. Allocations on
/// the agents' duty cycles are counted by the malloc interposer (this thread
/// only) between the 30,000th and the 130,000th message the head logged,
/// after the sessions and sockets were set up.
final class ReplicationAllocationTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testChainDutyCyclesDoNotAllocatePerMessage() throws {
        #if DEBUG
        try XCTSkipIf(true, "generic code is not specialised in debug builds; run with -c release")
        #endif
        try XCTSkipIf(baton_malloc_counter_active() == 0, "the malloc interposer is not active (sanitizer build)")
        // 64 MiB segments: the measured 100,000 frames (16 MB) stay in one (a new
        // segment file is set-up work, as in LogAllocationTests).
        let cluster = try ClusterHarness(count: 3) { _, configuration in
            configuration.runsOwnThreads = false
            configuration.log.segmentBytes = 64 << 20
        }
        defer { cluster.shutdown() }
        var agents: [any Agent] = []
        for index in 0..<3 {
            if let agent = cluster.node(index).takeAgent() { agents.append(agent) }
        }
        XCTAssertEqual(agents.count, 3)
        for agent in agents { try agent.onStart() }
        defer { for agent in agents { agent.onClose() } }

        let total = 150_000
        let port = cluster.port(0)
        let finished = DispatchSemaphore(value: 0)
        let errors = ErrorBox()
        Thread.detachNewThread {
            do { _ = try EndToEnd.publish(port: port, producerId: 8, count: total, deadline: Date().addingTimeInterval(120)) } catch {
                errors.add("\(error)")
            }
            finished.signal()
        }
        let logged = cluster.node(0).counters.messagesIn
        // Only the agents' duty cycles are counted (the loop's own waiting is not).
        var allocations: UInt64 = 0
        var perAgent = [UInt64](repeating: 0, count: agents.count)
        var measuring = false
        var measured = false
        let deadline = Date().addingTimeInterval(120)
        while finished.wait(timeout: .now()) == .timedOut {
            for (index, agent) in agents.enumerated() {
                let start = baton_malloc_count_thread()
                _ = try agent.doWork()
                if measuring {
                    let delta = baton_malloc_count_thread() &- start
                    allocations &+= delta
                    perAgent[index] &+= delta
                }
            }
            let count = logged.getAcquire()
            if !measured && count >= 30_000 { measuring = true }
            if measuring && count >= 130_000 {
                measuring = false
                measured = true
            }
            if Date() > deadline { break }
        }
        // Let the tail of the run commit so the publisher's acks all arrive.
        XCTAssertEqual(errors.all, [])
        XCTAssertTrue(measured, "the head logged 130,000 messages")
        XCTAssertEqual(allocations, 0, "\(allocations) allocations in the agents' duty cycles for 100,000 replicated messages (per member: \(perAgent))")
        print("chain duty cycles: \(allocations) allocations for 100,000 messages through 3 members")
    }
}
