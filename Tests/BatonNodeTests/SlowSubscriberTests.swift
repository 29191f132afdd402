import BatonTestSupport
import BatonClient
import BatonNet
import BatonProtocol
import Foundation
import XCTest

/// A subscriber that reads nothing must not hold back publishers or cost
/// unbounded memory: it keeps at most one staged Deliver and the kernel's
/// socket buffers, and the log buffer is never gated by it.
final class SlowSubscriberTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    private func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testStalledSubscriberDoesNotBlockPublishersOrGrowMemory() throws {
        let harness = try NodeHarness()
        defer { harness.shutdown() }
        let total = max(EndToEnd.messageCount, 50_000)
        let deadline = Date().addingTimeInterval(180)

        let baselineStart = Date()
        _ = try EndToEnd.publish(port: harness.port, producerId: 1, count: total, deadline: deadline)
        let baselineRate = Double(total) / Date().timeIntervalSince(baselineStart)

        // A subscriber with unlimited credit that never reads a byte.
        let stalled = try RawClient(port: harness.port)
        XCTAssertTrue(stalled.send(RawClient.hello()))
        XCTAssertTrue(stalled.send(try RawClient.encode {
            try ClientMessageWriter.writeSubscribe(into: &$0, subscriptionId: 1, streamId: ClientProtocol.allStreams,
                                                   from: .earliest, start: 0, credit: 0)
        }))
        let residentBefore = residentBytes()
        let stalledStart = Date()
        _ = try EndToEnd.publish(port: harness.port, producerId: 2, count: total, deadline: deadline)
        let stalledRate = Double(total) / Date().timeIntervalSince(stalledStart)
        let residentGrowth = residentBytes() - residentBefore

        let counters = harness.node!.counters
        // It was served until its socket filled, and stopped there: far behind the commit position.
        let delivered = counters.bytesOut.getAcquire()
        XCTAssertGreaterThan(delivered, 0)
        XCTAssertLessThan(delivered, counters.commitPosition.getAcquire() / 2, "the stalled subscriber was not stalled")
        XCTAssertEqual(counters.subscriberSessions.getAcquire(), 1)
        // Memory: no per-message queue for it; growth stays within the log's own page cache use of one segment.
        XCTAssertLessThan(residentGrowth, 64 << 20, "resident memory grew by \(residentGrowth) bytes")
        print("slow subscriber: \(Int(baselineRate)) msgs/s without it, \(Int(stalledRate)) msgs/s with it (ratio \(String(format: "%.2f", stalledRate / baselineRate))), resident growth \(residentGrowth >> 10) KiB")
        // A healthy subscriber alongside still gets everything.
        let replay = try EndToEnd.replay(port: harness.port, expected: 2 * total, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
    }
}
