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

    func testAHeadWaitsForItsSuccessorsReportsToSettle() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        XCTAssertEqual(catchUp.state, .awaitingSuccessor)
        XCTAssertEqual(catchUp.poll(position: 0, now: 100 * heartbeat), .wait, "no Pull before knowing it is behind")
        let first = 200 * heartbeat
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 4_096, position: 4_096, now: first), .wait,
                       "one report may be stale: not before the settling time")
        XCTAssertEqual(catchUp.poll(position: 4_096, now: first + catchUp.settlingNanos - 1), .wait, "no Pull: it holds the target")
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 4_096, position: 4_096, now: first + catchUp.settlingNanos), .finished)
        XCTAssertEqual(catchUp.state, .caughtUp)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 9_999, position: 0, now: first + 10 * heartbeat), .wait, "done is done")
        XCTAssertEqual(catchUp.state, .caughtUp)
    }

    func testTheSettlingTimeAlsoEndsOnAPoll() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        _ = catchUp.onSuccessorStatus(successorReceived: 1_000, position: 1_000, now: 0)
        XCTAssertEqual(catchUp.poll(position: 1_000, now: catchUp.settlingNanos), .finished)
    }

    func testAHeadBehindPullsEveryHeartbeatUntilItHoldsTheTarget() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 10_000, position: 2_000, now: 0), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 10_000))
        let start = 50 * heartbeat
        XCTAssertEqual(catchUp.poll(position: 2_000, now: start), .pull(position: 2_000, length: 8_000))
        catchUp.pullSent(now: start)
        XCTAssertEqual(catchUp.poll(position: 6_000, now: start + heartbeat - 1), .wait, "one Pull per heartbeat interval")
        XCTAssertEqual(catchUp.poll(position: 6_000, now: start + heartbeat), .pull(position: 6_000, length: 4_000))
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 12_000, position: 6_000, now: start + heartbeat), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 12_000), "the target grows")
        XCTAssertEqual(catchUp.poll(position: 12_000, now: start + heartbeat + 1), .finished)
        XCTAssertFalse(catchUp.isCatchingUp)
    }

    func testAStatusShowingTheHeadHoldsItAllFinishesThePull() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        _ = catchUp.onSuccessorStatus(successorReceived: 10_000, position: 2_000, now: 0)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 10_000, position: 10_000, now: 5 * heartbeat), .finished)
        XCTAssertEqual(catchUp.state, .caughtUp)
    }

    /// Seed 2472 of the failover simulator: a Status from before the pull
    /// (6,368) arrived after one saying 14,880, while the head held 8,704.
    func testALateStatusBelowTheTargetDoesNotFinishThePull() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        _ = catchUp.onSuccessorStatus(successorReceived: 14_880, position: 5_888, now: 0)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 6_368, position: 8_704, now: 3 * heartbeat), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 14_880))
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 14_880, position: 8_704, now: 4 * heartbeat), .wait)
        XCTAssertEqual(catchUp.poll(position: 8_704, now: 5 * heartbeat), .pull(position: 8_704, length: 6_176))
        XCTAssertEqual(catchUp.poll(position: 14_880, now: 6 * heartbeat), .finished)
    }

    /// A successor that restarted and lost bytes reports less for good: the
    /// target falls to what it says, after `lowerTargetAfterNanos`.
    func testTheTargetFallsOnlyWhenEveryReportSaysLessForAWhile() {
        var catchUp = HeadCatchUp(headWithSuccessor: true, heartbeatIntervalNanos: heartbeat)
        _ = catchUp.onSuccessorStatus(successorReceived: 10_000, position: 2_000, now: 0)
        let start = 10 * heartbeat
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 3_000, position: 3_000, now: start), .wait)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 3_500, position: 3_000, now: start + heartbeat), .wait)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 10_000, position: 3_000, now: start + 2 * heartbeat), .wait,
                       "one report at the target starts the wait again")
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 3_000, position: 3_000, now: start + 3 * heartbeat), .wait)
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 3_000, position: 3_000,
                                                 now: start + 3 * heartbeat + catchUp.lowerTargetAfterNanos - 1), .wait)
        XCTAssertEqual(catchUp.state, .pulling(target: 10_000))
        XCTAssertEqual(catchUp.onSuccessorStatus(successorReceived: 3_000, position: 3_000,
                                                 now: start + 3 * heartbeat + catchUp.lowerTargetAfterNanos), .finished)
    }
}
