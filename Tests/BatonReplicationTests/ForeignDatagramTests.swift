import BatonClient
import BatonNet
import BatonNode
import BatonProtocol
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// Crafted datagrams — another cluster's, an old epoch's, a non-member's,
/// one a neighbour would never send, garbage, a lying length — are dropped
/// and counted by reason; the chain goes on delivering as before.
final class ForeignDatagramTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testStaleAndForeignDatagramsAreDroppedAndCounted() throws {
        let cluster = try ClusterHarness(count: 3)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(60)
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 1, count: 1_000, deadline: deadline)

        let middle = cluster.node(1)
        let target = middle.replicationAddress!
        let attacker = try UDPSocket.bind(to: IPv4SocketAddress(127, 0, 0, 1, port: 0))
        defer { attacker.close() }
        func send(_ bytes: [UInt8]) {
            var sender = UDPBatchSender(datagramCapacity: 1, iovecCapacity: 1)
            bytes.withUnsafeBytes { _ = sender.appendDatagram($0, to: target) }
            _ = sender.send(on: attacker)
        }
        func datagram(_ type: ReplicationProtocol.MessageType, from node: UInt32, cluster clusterId: UInt64 = 42,
                      epoch: UInt32 = 1, blockLength: UInt16? = nil, position: Int64 = 0, body: Int = 0) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: type.fixedLength + body)
            bytes.withUnsafeMutableBytes { raw in
                let header = ReplicationHeader(raw.baseAddress!)
                header.write(type: type, fromNode: node, clusterId: clusterId, epoch: epoch)
                if let blockLength { header.blockLength = blockLength }
                let message = raw.baseAddress!
                switch type {
                case .data: ReplicationData(message).position = position
                case .commit: ReplicationCommit(message).commitPosition = position
                case .status: ReplicationStatus(message).receivedPosition = position
                case .nak: ReplicationNak(message).position = position
                case .heartbeat, .pull, .voteRequest, .voteResponse, .syncRequest, .sync, .timeoutNow, .configAppend, .configAppendAck, .probe: XCTFail("no \(type) in this test")
                }
                // A well-formed message (checksum included): refused for who sent it, not for damage.
                if type.hasChecksum && blockLength == nil { ReplicationChecksum.seal(message, length: type.fixedLength) }
            }
            return bytes
        }
        let appendedBefore = middle.log.appendedPosition
        // Data that would overwrite the middle's log from position 0, but from the wrong cluster / epoch / node.
        send(datagram(.data, from: 0, cluster: 7, position: appendedBefore, body: 64))
        send(datagram(.data, from: 0, cluster: 7, position: appendedBefore, body: 64))
        send(datagram(.data, from: 0, epoch: 0, position: appendedBefore, body: 64))
        send(datagram(.commit, from: 0, epoch: 9, position: 1 << 40))
        send(datagram(.data, from: 99, position: appendedBefore, body: 64))      // not a member
        send(datagram(.data, from: 2, position: appendedBefore, body: 64))       // the successor never sends Data
        send(datagram(.status, from: 0, position: 1 << 40))                     // the predecessor never sends Status
        var random = SplitMix64(seed: testSeed(0xF0_4E16))
        for _ in 0..<20 {                                                       // garbage
            var bytes = [UInt8](repeating: 0, count: 1 + Int(random.next() % 200))
            bytes.withUnsafeMutableBytes { random.fill($0) }
            send(bytes)
        }
        send(datagram(.nak, from: 2, blockLength: 999))                          // block length lies
        send(Array(datagram(.status, from: 2).prefix(30)))                      // cut short

        let counters = middle.replicationCounters!
        let until = Date().addingTimeInterval(30)
        while counters.droppedMalformed.getAcquire() < 22 || counters.droppedNotPeer.getAcquire() < 3
            || counters.droppedWrongCluster.getAcquire() < 2 || counters.droppedWrongEpoch.getAcquire() < 2 {
            XCTAssertLessThan(Date(), until, "drops not counted: malformed \(counters.droppedMalformed.getAcquire()), notPeer \(counters.droppedNotPeer.getAcquire()), cluster \(counters.droppedWrongCluster.getAcquire()), epoch \(counters.droppedWrongEpoch.getAcquire())")
            if Date() > until { break }
            usleep(1_000)
        }
        XCTAssertEqual(counters.droppedWrongCluster.getAcquire(), 2)
        XCTAssertEqual(counters.droppedWrongEpoch.getAcquire(), 2)
        XCTAssertEqual(counters.droppedNotPeer.getAcquire(), 3)
        XCTAssertEqual(counters.droppedMalformed.getAcquire(), 22)
        XCTAssertEqual(counters.corruptFrames.getAcquire(), 0)
        XCTAssertLessThan(middle.counters.commitPosition.getAcquire(), 1 << 40, "a foreign Commit was not applied")

        // The chain is unaffected: more messages flow and every node has all of them, identical.
        _ = try EndToEnd.publish(port: cluster.port(0), producerId: 1, count: 2_000, firstSequence: 1_000, deadline: deadline)
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.port(index), expected: 3_000, deadline: deadline)
            XCTAssertEqual(replay.problems, [], "node \(index)")
            XCTAssertEqual(replay.nextSequence[1], 3_000, "node \(index)")
            XCTAssertEqual(replay.count, 3_000, "node \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1)
    }
}
