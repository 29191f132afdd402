import BatonClient
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// A tail that takes datagrams slowly (throttled through the transport seam)
/// makes the head back-pressure its publishers; no node queues without bound:
/// the positions stay within the log buffers and windows, sampled throughout.
final class SlowTailTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testSlowTailBackPressuresThePublisherWithBoundedMemory() throws {
        let bufferBytes = 2 << 20
        let windowBytes = 1 << 20
        let cluster = try ClusterHarness(count: 3, bufferBytes: bufferBytes) { index, configuration in
            configuration.replication!.mtu = 1_472
            configuration.replication!.receiverWindowBytes = windowBytes
            if index == 2 {
                configuration.faultInjection = FaultInjection(seed: 1, receiveDatagramsPerSecond: 4_000)
            }
        }
        defer { cluster.shutdown() }
        let total = 60_000  // ~9.6 MB of log: several times every buffer
        let deadline = Date().addingTimeInterval(120)
        let errors = ErrorBox()
        let done = DispatchGroup()
        done.enter()
        let port = cluster.port(0)
        Thread.detachNewThread {
            do { _ = try EndToEnd.publish(port: port, producerId: 3, count: total, deadline: deadline) } catch { errors.add("\(error)") }
            done.leave()
        }
        var samples = 0
        var worstLead: Int64 = 0
        var worstUnreleased: Int64 = 0
        while done.wait(timeout: .now() + .milliseconds(5)) == .timedOut {
            let head = cluster.node(0).log
            let middle = cluster.node(1).log
            let tail = cluster.node(2).log
            worstLead = max(worstLead, head.appendedPosition - tail.appendedPosition)
            for log in [head, middle, tail] {
                // Nothing in a buffer beyond capacity: appended never passes the slowest gating position by more.
                worstUnreleased = max(worstUnreleased, log.appendedPosition - log.counters.minimumGating())
            }
            samples += 1
        }
        XCTAssertEqual(errors.all, [])
        XCTAssertGreaterThan(samples, 10)
        XCTAssertLessThanOrEqual(worstUnreleased, Int64(bufferBytes))
        // Head ≤ middle + buffer + window ≤ tail + 2 × (buffer + window).
        XCTAssertLessThanOrEqual(worstLead, Int64(2 * (bufferBytes + windowBytes)))
        XCTAssertGreaterThan(cluster.node(0).counters.logBackPressure.getAcquire(), 0, "the head back-pressured its publishers")
        let replay = try EndToEnd.replay(port: cluster.port(2), expected: total, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
        XCTAssertEqual(replay.count, total)
        print("slow tail: \(samples) samples, worst head lead \(worstLead) bytes, worst unreleased buffer \(worstUnreleased) bytes; head back-pressure events \(cluster.node(0).counters.logBackPressure.getAcquire())")
    }
}
