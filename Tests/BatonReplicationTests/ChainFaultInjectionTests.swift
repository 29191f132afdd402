import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// Faults injected in-process through the transport seam, seeded: every link
/// drops 5 %, duplicates 1 % and reorders 5 % of datagrams (within 8). Every
/// message must still arrive exactly once, in order, on every node, and the
/// Nak and retransmit counters must show the recovery happened — selectively:
/// the log bytes resent are at most 1.5 times the log bytes the links dropped
/// (go-back-N resent 60–100 times as much).
final class ChainFaultInjectionTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testLossDuplicationAndReorderingLoseNothing() throws {
        let seed = testSeed(0x5EED_0005)
        let cluster = try ClusterHarness(count: 3) { index, configuration in
            configuration.faultInjection = FaultInjection(seed: seed &+ UInt64(index), dropRate: 0.05, duplicateRate: 0.01,
                                                          reorderRate: 0.05, reorderWindow: 8)
            configuration.replication!.mtu = 1_472
        }
        defer { cluster.shutdown() }
        let total = 100_000
        let deadline = Date().addingTimeInterval(180)
        let errors = ErrorBox()
        let done = DispatchGroup()
        for index in 0..<2 {
            done.enter()
            let port = cluster.port(0)
            Thread.detachNewThread {
                do {
                    _ = try EndToEnd.publish(port: port, producerId: UInt64(500 + index), count: total / 2, deadline: deadline)
                } catch {
                    errors.add("publisher \(index): \(error)")
                }
                done.leave()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 200), .success, "publishers did not finish (seed \(seed))")
        XCTAssertEqual(errors.all, [], "seed \(seed)")
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.port(index), expected: total, deadline: deadline)
            XCTAssertEqual(replay.count, total, "node \(index), seed \(seed)")
            XCTAssertEqual(replay.problems, [], "node \(index), seed \(seed)")
            XCTAssertEqual(replay.nextSequence, [UInt64(500): UInt64(total / 2), UInt64(501): UInt64(total / 2)] as [UInt64: UInt64], "node \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every node delivers the same sequence (seed \(seed))")
        let head = cluster.node(0).replicationCounters!
        let middle = cluster.node(1).replicationCounters!
        let tail = cluster.node(2).replicationCounters!
        let naksSent = middle.naksSent.getAcquire() + tail.naksSent.getAcquire()
        let naksReceived = head.naksReceived.getAcquire() + middle.naksReceived.getAcquire()
        let retransmitted = head.retransmittedBytes.getAcquire() + middle.retransmittedBytes.getAcquire()
        XCTAssertGreaterThan(naksSent, 0)
        XCTAssertGreaterThan(naksReceived, 0)
        XCTAssertGreaterThan(retransmitted, 0)
        var injected = (dropped: Int64(0), duplicated: Int64(0), reordered: Int64(0))
        var lostBytes: Int64 = 0
        for index in 0..<3 {
            let faults = cluster.node(index).injectedFaults!
            injected.dropped += faults.counter(at: 0).getAcquire()
            injected.duplicated += faults.counter(at: 1).getAcquire()
            injected.reordered += faults.counter(at: 2).getAcquire()
            lostBytes += faults.counter(at: 3).getAcquire()
        }
        let resends = head.retransmits.getAcquire() + middle.retransmits.getAcquire()
        let holeBytes = head.repairedBytes.getAcquire() + middle.repairedBytes.getAcquire()
        XCTAssertGreaterThan(injected.dropped, 0)
        XCTAssertGreaterThan(injected.duplicated, 0)
        XCTAssertGreaterThan(injected.reordered, 0)
        XCTAssertGreaterThan(middle.duplicateData.getAcquire() + tail.duplicateData.getAcquire(), 0)
        let ratio = Double(retransmitted) / Double(max(1, lostBytes))
        print("fault injection (seed \(seed)): injected \(injected); naks sent \(naksSent), received \(naksReceived); Data bytes lost \(lostBytes), resent \(retransmitted) (\(String(format: "%.2f", ratio))x, \(resends) resends, \(holeBytes) bytes of them for holes)")
        XCTAssertGreaterThan(lostBytes, 0)
        XCTAssertLessThanOrEqual(ratio, 1.5, "bytes resent \(retransmitted) vs bytes lost \(lostBytes) (seed \(seed))")
    }
}
