import BatonReplication
import XCTest

/// Which Data stream a follower takes, without sockets: a restart of the
/// member it takes Data from switches the stream (and what is held is
/// forgotten), the replaced incarnation's late Data is stale, another member
/// starts afresh.
final class DataStreamSourceTests: XCTestCase {
    func testTheFirstStreamIsTakenWithNothingToForget() {
        var source = DataStreamSource()
        XCTAssertEqual(source.take(from: 1, incarnation: 100), .switched(forget: false))
        XCTAssertEqual(source.take(from: 1, incarnation: 100), .same)
    }

    func testARestartSwitchesTheStreamAndTheOldOneIsStale() {
        var source = DataStreamSource()
        _ = source.take(from: 1, incarnation: 100)
        XCTAssertEqual(source.take(from: 1, incarnation: 200), .switched(forget: true), "seed 933: the head restarted")
        XCTAssertEqual(source.take(from: 1, incarnation: 100), .stale, "a datagram of the old run, late")
        XCTAssertEqual(source.take(from: 1, incarnation: 200), .same)
        XCTAssertEqual(source.incarnation, 200)
    }

    func testUpToFourReplacedIncarnationsAreRemembered() {
        var source = DataStreamSource()
        for run in Int64(1)...6 { _ = source.take(from: 1, incarnation: run) }
        for run in Int64(2)...5 { XCTAssertEqual(source.take(from: 1, incarnation: run), .stale, "run \(run)") }
        XCTAssertEqual(source.take(from: 1, incarnation: 1), .switched(forget: true), "the oldest was let go")
    }

    func testAnotherMemberStartsAfresh() {
        var source = DataStreamSource()
        _ = source.take(from: 1, incarnation: 100)
        _ = source.take(from: 1, incarnation: 200)
        XCTAssertEqual(source.take(from: 2, incarnation: 100), .switched(forget: true), "a new predecessor")
        XCTAssertEqual(source.node, 2)
        XCTAssertEqual(source.take(from: 2, incarnation: 100), .same, "node 1's retired runs say nothing of node 2's")
    }
}
