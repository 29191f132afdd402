import BatonClient
import BatonNet
import BatonProtocol
import XCTest

/// Where a client goes after a failure, and when it should pause: no sockets.
final class BrokerListTests: XCTestCase {
    private let a = IPv4SocketAddress(10, 0, 0, 1, port: 7400)
    private let b = IPv4SocketAddress(10, 0, 0, 2, port: 7401)
    private let c = IPv4SocketAddress(10, 0, 0, 3, port: 7402)
    private let lost = BatonClientError.connectionLost(reason: "peer reset")

    private func notLeader(_ text: String) -> BatonClientError { .server(code: .notLeader, relatedId: 7, text: text) }

    func testRoundRobinAfterFailuresWithAPauseOncePerRound() throws {
        var list = try BrokerList([a, b, c])
        XCTAssertEqual(list.current, a)
        var visited: [IPv4SocketAddress] = []
        var pauses: [Bool] = []
        for _ in 0..<7 {
            pauses.append(list.move(after: lost))
            visited.append(list.current)
        }
        XCTAssertEqual(visited, [b, c, a, b, c, a, b])
        // Every broker has failed once after three moves: pause before the fourth connect, and so on.
        XCTAssertEqual(pauses, [false, false, true, false, false, true, false])
        XCTAssertEqual(list.failuresSinceProgress, 7)
        list.progressed()
        XCTAssertEqual(list.failuresSinceProgress, 0)
        XCTAssertFalse(list.move(after: .connectFailed(address: "10.0.0.2:7401", reason: "refused")), "a new round after progress")
        XCTAssertEqual(list.current, c)
    }

    func testANotLeaderRefusalGoesToTheLeaderItNames() throws {
        var list = try BrokerList([a, b, c])
        XCTAssertFalse(list.move(after: notLeader("node 0 follows the Raft leader, node 2 at 10.0.0.3:7402; publish there")))
        XCTAssertEqual(list.current, c, "straight to the leader, not the next in the list")
        // A refusal that names no leader (an election): the next one round-robin.
        XCTAssertFalse(list.move(after: notLeader("node 2 knows no Raft leader now (an election is in progress); try again shortly")))
        XCTAssertEqual(list.current, a)
        // One naming the broker that refused: round-robin too (it cannot be right).
        XCTAssertTrue(list.move(after: notLeader("node 0 follows the Raft leader, node 0 at 10.0.0.1:7400; publish there")))
        XCTAssertEqual(list.current, b)
        // Other errors ignore a hint-like text.
        list.move(after: .server(code: .sessionTimeout, relatedId: 0, text: "node 9 at 10.0.0.1:7400"))
        XCTAssertEqual(list.current, c)
    }

    func testALeaderNotInTheListIsAddedUpToTheLimit() throws {
        var list = try BrokerList([a])
        let leader = IPv4SocketAddress(10, 0, 0, 9, port: 7409)
        XCTAssertFalse(list.move(after: notLeader("node 0 follows the Raft leader, node 9 at 10.0.0.9:7409; publish there")),
                       "two brokers now, one failed: no pause")
        XCTAssertEqual(list.addresses, [a, leader])
        XCTAssertEqual(list.current, leader)
        XCTAssertTrue(list.move(after: lost))
        XCTAssertEqual(list.current, a)

        let full = (0..<BrokerList.maximumCount).map { IPv4SocketAddress(10, 1, 0, UInt8($0), port: 7400) }
        var crowded = try BrokerList(full)
        crowded.move(after: notLeader("node 0 follows the Raft leader, node 9 at 10.0.0.9:7409; publish there"))
        XCTAssertEqual(crowded.addresses, full, "a full list takes no more")
        XCTAssertEqual(crowded.current, full[1], "then the next one round-robin")
    }

    func testOneBrokerPausesBeforeEveryReconnect() throws {
        var list = try BrokerList([a])
        XCTAssertEqual((0..<3).map { _ in list.move(after: lost) }, [true, true, true])
        XCTAssertEqual(list.current, a)
        XCTAssertTrue(list.move(after: notLeader("no leader known")))
    }

    func testTheBootstrapListIsCheckedAndDeduplicated() throws {
        XCTAssertEqual(try BrokerList([a, b, a, c, b]).addresses, [a, b, c])
        XCTAssertThrowsError(try BrokerList([])) { error in
            XCTAssertEqual(error as? BatonClientError, .invalidArgument("a client needs at least one broker address"))
        }
        let seventeen = (0...BrokerList.maximumCount).map { IPv4SocketAddress(10, 1, 0, UInt8($0), port: 7400) }
        XCTAssertThrowsError(try BrokerList(seventeen)) { error in
            XCTAssertTrue("\(error)".contains("17 broker addresses: at most 16"), "\(error)")
        }
        var list = try BrokerList([a, b, c])
        list.use(index: 2)
        XCTAssertEqual(list.current, c)
        list.move(after: lost)
        XCTAssertEqual(list.current, a)
    }
}
