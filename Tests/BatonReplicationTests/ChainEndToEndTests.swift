import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// A 3-node chain in one process: messages published to the head are
/// acknowledged once durable on every member, and a subscriber on each node
/// reads the same sequence (same positions, same bytes).
final class ChainEndToEndTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testThreeNodeChainDeliversTheSameSequenceOnEveryNode() throws {
        let cluster = try ClusterHarness(count: 3)
        defer { cluster.shutdown() }
        let total = min(EndToEnd.messageCount, 200_000)
        let deadline = Date().addingTimeInterval(120)
        let started = Date()
        let (lastSequence, lastPosition) = try EndToEnd.publish(port: cluster.port(0), producerId: 9, count: total, deadline: deadline)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(lastSequence, UInt64(total - 1))
        // Acked means committed: durable on every member.
        for index in 0..<3 {
            XCTAssertGreaterThan(cluster.node(index).log.durablePosition, lastPosition, "node \(index) durable")
        }
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.port(index), expected: total, deadline: deadline)
            XCTAssertEqual(replay.count, total, "node \(index)")
            XCTAssertEqual(replay.problems, [], "node \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every node delivers the same sequence")
        let head = cluster.node(0).replicationCounters!
        print("chain of 3: \(total) messages acked in \(String(format: "%.2f", seconds)) s (\(Int(Double(total) / seconds)) msgs/s); head sent \(head.datagramsSent.getAcquire()) datagrams, naks received \(head.naksReceived.getAcquire())")
    }

    func testFollowerRefusesPublishesNamingTheHead() throws {
        let cluster = try ClusterHarness(count: 2)
        defer { cluster.shutdown() }
        let publisher = try Publisher(broker: IPv4SocketAddress.loopback(port: cluster.port(1)),
                                      configuration: PublisherConfiguration(streamId: 1))
        defer { publisher.close() }
        let payload: [UInt8] = [1, 2, 3]
        XCTAssertThrowsError(try payload.withUnsafeBytes { bytes in
            _ = try publisher.publish(bytes, timeout: .seconds(10))
            try publisher.awaitAcks(timeout: .seconds(10))
        }) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("notLeader") && text.contains("publish to the head, node 0"), text)
        }
        XCTAssertEqual(cluster.node(1).log.appendedPosition, 0, "a follower logs nothing of its own")
    }
}
