import BatonReplication
import XCTest

/// A restarted head's catch-up as a state machine: events and time passed in.
final class HeadCatchUpTests: XCTestCase {
    private let heartbeat: Int64 = 10_000_000

    func testMembersOtherThanAHeadWithASuccessorStartCaughtUp() {
        let catchUp = HeadCatchUp(headWithSuccessor: false, heartbeatIntervalNanos: heartbeat)
        XCTAssertEqual(catchUp.state, .caughtUp)
        XCTAssertFalse(catchUp.isCatchingUp)
    }

    func testAHeadWaitsForItsSuccessorsFirstStatus() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        XCTAssertEqual(catchUp.state, .awaitingSuccessor)
        XCTAssertEqual(catchUp.poll(position: 0, now: 100 * heartbeat), .wait, "no Pull before knowing it is behind")
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 4_096, position: 4_096), .finished)
        XCTAssertEqual(catchUp.state, .caughtUp)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 9_999, position: 0), .wait, "done is done")
        XCTAssertEqual(catchUp.state, .caughtUp)
    }

    func testAHeadBehindPullsEveryHeartbeatUntilItHoldsTheTarget() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 10_000, position: 2_000), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 10_000))
        let start = 50 * heartbeat
        XCTAssertEqual(catchUp.poll(position: 2_000, now: start), .pull(position: 2_000, length: 8_000))
        catchUp.pullSent(now: start)
        XCTAssertEqual(catchUp.poll(position: 6_000, now: start + heartbeat - 1), .wait, "one Pull per heartbeat interval")
        XCTAssertEqual(catchUp.poll(position: 6_000, now: start + heartbeat), .pull(position: 6_000, length: 4_000))
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 12_000, position: 6_000), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 12_000), "the target only grows")
        XCTAssertEqual(catchUp.poll(position: 12_000, now: start + heartbeat + 1), .finished)
        XCTAssertFalse(catchUp.isCatchingUp)
    }

    func testAStatusShowingTheHeadHoldsItAllFinishesThePull() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        _ = catchUp.onSuccessorStatus(successorReceived: 10_000, position: 2_000)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 10_000, position: 10_000), .finished)
        XCTAssertEqual(catchUp.state, .caughtUp)
    }
}
