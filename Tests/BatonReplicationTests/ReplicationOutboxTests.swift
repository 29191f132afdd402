import BatonNet
import BatonProtocol
import BatonReplication
import XCTest

/// The outbox's header slots hold every fixed message whole: a batch of
/// Raft Syncs (184 bytes each, the largest) arrives sealed and intact, no
/// slot overwriting its neighbour.
final class ReplicationOutboxTests: XCTestCase {
    func testEveryFixedMessageFitsASlot() {
        for type in ReplicationProtocol.MessageType.allCases {
            XCTAssertLessThanOrEqual(type.fixedLength, ReplicationOutbox<InMemoryReplicationTransport>.slotBytes, "\(type)")
        }
        XCTAssertEqual(ReplicationOutbox<InMemoryReplicationTransport>.slotBytes % 64, 0, "whole cache lines")
    }

    func testABatchOfSyncsAndVotesArrivesSealedAndIntact() {
        let network = InMemoryReplicationNetwork()
        let leaderAddress = IPv4SocketAddress(127, 0, 0, 1, port: 1)
        let followerAddress = IPv4SocketAddress(127, 0, 0, 1, port: 2)
        let follower = network.bind(followerAddress)
        let outbox = ReplicationOutbox(transport: network.bind(leaderAddress), nodeId: 1, clusterId: 42, epoch: 6)
        for round in 0..<3 {
            let sync = outbox.begin(ReplicationSync.self, to: followerAddress)!
            sync.matchPosition = Int64(round) * 1_000
            sync.validUpTo = .max
            sync.entryCount = UInt32(ReplicationSync.maximumEntries)
            for slot in 0..<ReplicationSync.maximumEntries {
                sync.setEntry(at: slot, term: UInt64(round * 10 + slot + 1), start: Int64(slot) * 64)
            }
            let vote = outbox.begin(ReplicationVoteRequest.self, to: followerAddress)!
            vote.lastTerm = UInt64(round)
            vote.lastPosition = 77
            vote.isPreVote = round == 1
        }
        XCTAssertEqual(outbox.flush().sent, 6)
        var received: [ReplicationDatagramCheck] = []
        var syncs = 0
        _ = follower.receive { datagram, _ in
            let check = ReplicationDatagramCheck.check(datagram, clusterId: 42)
            received.append(check)
            guard check == .valid(.sync, fromNode: 1) else { return }
            let sync = ReplicationSync(UnsafeMutableRawPointer(mutating: datagram.baseAddress!))
            XCTAssertEqual(sync.header.epoch, 6, "the term rides in the epoch field")
            XCTAssertEqual(sync.matchPosition, Int64(syncs) * 1_000)
            XCTAssertEqual((0..<8).map { sync.entryTerm(at: $0) }, (0..<8).map { UInt64(syncs * 10 + $0 + 1) })
            syncs += 1
        }
        let pair: [ReplicationDatagramCheck] = [.valid(.sync, fromNode: 1), .valid(.voteRequest, fromNode: 1)]
        XCTAssertEqual(received, pair + pair + pair)
        XCTAssertEqual(syncs, 3)
    }
}
