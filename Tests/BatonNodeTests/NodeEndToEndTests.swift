import BatonTestSupport
import BatonClient
import BatonLog
import BatonNet
import BatonNode
import Foundation
import XCTest

/// One node, four concurrent publishers, a subscriber from earliest: every
/// message arrives once, in log order, per-producer order intact, content
/// verified — in both threading modes.
final class NodeEndToEndTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testSharedThreading() throws { try runEndToEnd(threading: .shared) }

    func testDedicatedThreading() throws { try runEndToEnd(threading: .dedicated) }

    private func runEndToEnd(threading: ThreadingMode) throws {
        let harness = try NodeHarness(threading: threading)
        defer { harness.shutdown() }
        let port = harness.port
        let total = EndToEnd.messageCount
        let publishers = 4
        let deadline = Date().addingTimeInterval(240)
        let errors = ErrorBox()
        let started = Date()
        let done = DispatchGroup()
        for index in 0..<publishers {
            done.enter()
            Thread.detachNewThread {
                do {
                    _ = try EndToEnd.publish(port: port, producerId: UInt64(1000 + index), count: total / publishers, deadline: deadline)
                } catch {
                    errors.add("publisher \(index): \(error)")
                }
                done.leave()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 250), .success, "publishers did not finish")
        XCTAssertEqual(errors.all, [])
        let publishSeconds = Date().timeIntervalSince(started)
        let replay = try EndToEnd.replay(port: port, expected: total, deadline: deadline)
        XCTAssertEqual(replay.count, total)
        XCTAssertEqual(replay.problems, [])
        XCTAssertEqual(replay.nextSequence.count, publishers)
        for (producer, next) in replay.nextSequence { XCTAssertEqual(next, UInt64(total / publishers), "producer \(producer)") }
        let counters = harness.node!.counters
        XCTAssertEqual(counters.messagesIn.getAcquire(), Int64(total))
        XCTAssertEqual(counters.duplicatesDropped.getAcquire(), 0)
        print("end-to-end \(threading): \(total) messages acked in \(String(format: "%.2f", publishSeconds)) s (\(Int(Double(total) / publishSeconds)) msgs/s)")
    }

    /// A batch resent after a reconnect (same producer id and sequences) is
    /// acknowledged again but logged once.
    func testResentBatchIsLoggedOnce() throws {
        let harness = try NodeHarness()
        defer { harness.shutdown() }
        let deadline = Date().addingTimeInterval(60)
        let first = try EndToEnd.publish(port: harness.port, producerId: 77, count: 500, deadline: deadline)
        // A new connection resends sequences 0..<500, then continues with 500..<800.
        let again = try EndToEnd.publish(port: harness.port, producerId: 77, count: 800, firstSequence: 0, deadline: deadline)
        XCTAssertEqual(first.0, 499)
        XCTAssertEqual(again.0, 799)
        let replay = try EndToEnd.replay(port: harness.port, expected: 800, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
        XCTAssertEqual(replay.nextSequence[77], 800)
        XCTAssertEqual(harness.node!.counters.messagesIn.getAcquire(), 800)
        XCTAssertEqual(harness.node!.counters.duplicatesDropped.getAcquire(), 500)
        // Raw resend of an acked batch on a third session: acked with the remembered position, nothing logged.
        let raw = try RawClient(port: harness.port)
        XCTAssertTrue(raw.send(RawClient.hello()))
        _ = raw.receive()
        XCTAssertTrue(raw.send(RawClient.publish(producerId: 77, firstSequence: 10, payloads: [[1], [2]])))
        let ack = raw.receive()
        XCTAssertEqual(ack?.template, 4)
        XCTAssertEqual(ack?.block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }, 799)
        XCTAssertEqual(harness.node!.counters.messagesIn.getAcquire(), 800)
        // A batch that skips sequences is refused.
        XCTAssertTrue(raw.send(RawClient.publish(producerId: 77, firstSequence: 900, payloads: [[1]])))
        let refusal = raw.receive()
        XCTAssertEqual(refusal?.template, 10)
        XCTAssertTrue(String(decoding: refusal?.trailing.dropFirst(4) ?? [], as: UTF8.self).contains("missing"))
    }
}

