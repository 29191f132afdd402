import BatonClient
import BatonNet
import XCTest

/// Reading the leader's address out of a `notLeader` refusal, as the brokers word it.
final class LeaderHintTests: XCTestCase {
    func testTheRaftFollowersRefusalNamesTheLeader() {
        XCTAssertEqual(LeaderHint.address(in: "node 2 follows the Raft leader, node 1 at 127.0.0.1:7401; publish there"),
                       IPv4SocketAddress(127, 0, 0, 1, port: 7401))
        XCTAssertEqual(LeaderHint.address(in: "node 0 follows the Raft leader, node 4 at 10.1.2.3:65535; publish there"),
                       IPv4SocketAddress(10, 1, 2, 3, port: 65_535))
        XCTAssertEqual(LeaderHint.address(in: "node 0 follows the Raft leader, node 4 at localhost:7400; publish there"),
                       IPv4SocketAddress(127, 0, 0, 1, port: 7400))
    }

    func testTheChainMembersRefusalNamesTheHead() {
        XCTAssertEqual(LeaderHint.address(in: "node 2 follows node 1 in the chain; publish to the head, node 0 at 192.168.0.9:7400"),
                       IPv4SocketAddress(192, 168, 0, 9, port: 7400))
        XCTAssertEqual(LeaderHint.address(in: "publish at 10.0.0.1:9000."), IPv4SocketAddress(10, 0, 0, 1, port: 9000))
    }

    func testNoAddressWithoutALeaderOrWithAnUnusableOne() {
        XCTAssertNil(LeaderHint.address(in: "node 2 knows no Raft leader now (an election is in progress); try again shortly"))
        XCTAssertNil(LeaderHint.address(in: "this node does not order publishes now and knows no leader; try another member"))
        XCTAssertNil(LeaderHint.address(in: ""))
        // A kernel-picked client port its peers never learnt; a member listening on every interface.
        XCTAssertNil(LeaderHint.address(in: "node 2 follows the Raft leader, node 1 at 127.0.0.1:0; publish there"))
        XCTAssertNil(LeaderHint.address(in: "node 2 follows the Raft leader, node 1 at 0.0.0.0:7401; publish there"))
        // Not an address after "at", or "at" inside a word.
        XCTAssertNil(LeaderHint.address(in: "look at node-a.example:7401; publish there"))
        XCTAssertNil(LeaderHint.address(in: "flat 127.0.0.1:7401"))
        XCTAssertNil(LeaderHint.address(in: "at"))
        XCTAssertNil(LeaderHint.address(in: "at 127.0.0.1"))
        XCTAssertNil(LeaderHint.address(in: "at 127.0.0.1:99999"))
    }

    func testTheFirstAddressAfterAtThatParsesWins() {
        XCTAssertEqual(LeaderHint.address(in: "started at noon; the leader is at 10.0.0.2:7402, not at 10.0.0.3:7403"),
                       IPv4SocketAddress(10, 0, 0, 2, port: 7402))
    }
}
