import BatonReplication
import XCTest

/// The sender's decisions without sockets: window, resend triggers, Commit and Heartbeat timing.
final class SuccessorSenderTests: XCTestCase {
    private let heartbeat: Int64 = 10_000_000

    func testFirstStatusBelowStagedResendsAndSetsTheWindow() {
        var sender = SuccessorSender(stagedPosition: 8_192, heartbeatIntervalNanos: heartbeat)
        XCTAssertFalse(sender.known)
        XCTAssertEqual(sender.onStatus(received: 4_096, chainDurable: 0, window: 65_536, now: 1), .successorJoined)
        XCTAssertTrue(sender.known)
        XCTAssertEqual(sender.sendLimit, 4_096 + 65_536)
    }

    func testFirstStatusAtStagedNeedsNoResend() {
        var sender = SuccessorSender(stagedPosition: 8_192, heartbeatIntervalNanos: heartbeat)
        XCTAssertNil(sender.onStatus(received: 8_192, chainDurable: 0, window: 1, now: 1))
    }

    func testALowerStatusMeansTheSuccessorRestartedWithLess() {
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        _ = sender.onStatus(received: 0, chainDurable: 0, window: 1 << 20, now: 1)
        sender.staged(upTo: 10_000)
        XCTAssertNil(sender.onStatus(received: 6_000, chainDurable: 6_000, window: 1 << 20, now: 2))
        XCTAssertEqual(sender.onStatus(received: 2_000, chainDurable: 0, window: 1 << 20, now: 3), .successorWentBack)
        XCTAssertEqual(sender.received, 2_000)
        XCTAssertEqual(sender.chainDurable, 6_000, "chain-durable never moves back")
    }

    func testALateStatusOfTheSameReceiveGenerationIsNoReasonToGoBack() {
        let incarnation: Int64 = 7 << 32
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        XCTAssertNil(sender.onStatus(received: 0, chainDurable: 0, window: 1 << 20, generation: incarnation, now: 1))
        sender.staged(upTo: 10_000)
        XCTAssertNil(sender.onStatus(received: 6_000, chainDurable: 4_000, window: 1 << 20, generation: incarnation, now: 2))
        // An older Status overtaken on the way (reordering): only its chain-durable position counts.
        XCTAssertNil(sender.onStatus(received: 2_000, chainDurable: 5_000, window: 1 << 10, generation: incarnation, now: 3))
        XCTAssertEqual(sender.received, 6_000)
        XCTAssertEqual(sender.sendLimit, 6_000 + (1 << 20))
        XCTAssertEqual(sender.chainDurable, 5_000)
        // Two resets (discarded frames); their Statuses arrive out of order.
        XCTAssertEqual(sender.onStatus(received: 2_000, chainDurable: 0, window: 1 << 20, generation: incarnation + 2, now: 4), .successorWentBack)
        XCTAssertNil(sender.onStatus(received: 3_000, chainDurable: 0, window: 1 << 20, generation: incarnation + 1, now: 5),
                     "fewer resets: an older Status")
        XCTAssertEqual(sender.received, 2_000)
        XCTAssertEqual(sender.generation, incarnation + 2, "the later generation stays (seed 45: a late one took its place and every newer Status was set aside)")
        XCTAssertNil(sender.onStatus(received: 3_000, chainDurable: 0, window: 1 << 20, generation: incarnation + 2, now: 6))
        XCTAssertEqual(sender.received, 3_000)
        // A restart: another incarnation, whatever its number.
        XCTAssertEqual(sender.onStatus(received: 1_000, chainDurable: 0, window: 1 << 20, generation: 3 << 32, now: 7), .successorWentBack)
        XCTAssertEqual(sender.received, 1_000)
    }

    func testStatusesSetAsideForFourHeartbeatsAreTakenAnyway() {
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        _ = sender.onStatus(received: 0, chainDurable: 0, window: 1 << 20, generation: (5 << 32) + 9, now: 1)
        sender.staged(upTo: 10_000)
        _ = sender.onStatus(received: 8_000, chainDurable: 0, window: 1 << 20, generation: (5 << 32) + 9, now: 2)
        // A restart that drew the same incarnation number, with fewer resets: set aside at first...
        XCTAssertNil(sender.onStatus(received: 1_000, chainDurable: 0, window: 1 << 20, generation: 5 << 32, now: 3))
        XCTAssertEqual(sender.received, 8_000)
        // ...but not for ever.
        XCTAssertEqual(sender.onStatus(received: 1_000, chainDurable: 0, window: 1 << 20, generation: 5 << 32, now: 2 + 4 * heartbeat),
                       .successorWentBack)
        XCTAssertEqual(sender.received, 1_000)
    }

    func testANakResendsOnlyBelowStagedAndNotInsideAResendUnderWay() {
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        sender.staged(upTo: 10_000)
        XCTAssertTrue(sender.nakNeedsResend(position: 4_000, resendPosition: nil))
        XCTAssertFalse(sender.nakNeedsResend(position: 10_000, resendPosition: nil), "nothing staged there yet")
        XCTAssertFalse(sender.nakNeedsResend(position: 5_000, resendPosition: 4_000), "the resend under way covers it")
        XCTAssertTrue(sender.nakNeedsResend(position: 3_000, resendPosition: 4_000), "earlier than the resend: go back further")
    }

    func testATailLossTimesOutAfterFourHeartbeatsWithoutProgress() {
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        XCTAssertFalse(sender.tailLossTimedOut(now: 100 * heartbeat, resending: false), "no successor heard yet")
        _ = sender.onStatus(received: 0, chainDurable: 0, window: 1 << 20, now: 0)
        sender.staged(upTo: 5_000)
        XCTAssertFalse(sender.tailLossTimedOut(now: 4 * heartbeat - 1, resending: false))
        XCTAssertFalse(sender.tailLossTimedOut(now: 4 * heartbeat, resending: true), "a resend is already under way")
        XCTAssertTrue(sender.tailLossTimedOut(now: 4 * heartbeat, resending: false))
        XCTAssertFalse(sender.tailLossTimedOut(now: 4 * heartbeat + 1, resending: false), "the stall clock restarted")
        _ = sender.onStatus(received: 5_000, chainDurable: 0, window: 1 << 20, now: 5 * heartbeat)
        XCTAssertFalse(sender.tailLossTimedOut(now: 100 * heartbeat, resending: false), "all acknowledged")
    }

    func testCommitAndHeartbeatTiming() {
        var sender = SuccessorSender(stagedPosition: 0, heartbeatIntervalNanos: heartbeat)
        XCTAssertTrue(sender.commitDue(0), "the first commit goes out")
        sender.commitSent(0, now: 5)
        XCTAssertFalse(sender.commitDue(0))
        XCTAssertTrue(sender.commitDue(1))
        XCTAssertFalse(sender.heartbeatDue(now: 5 + heartbeat - 1))
        XCTAssertTrue(sender.heartbeatDue(now: 5 + heartbeat))
        sender.sent(now: 5 + heartbeat)
        XCTAssertFalse(sender.heartbeatDue(now: 5 + heartbeat))
    }

    func testStagedNeverMovesBack() {
        var sender = SuccessorSender(stagedPosition: 100, heartbeatIntervalNanos: heartbeat)
        sender.staged(upTo: 50)
        XCTAssertEqual(sender.stagedPosition, 100)
        sender.staged(upTo: 300)
        XCTAssertEqual(sender.stagedPosition, 300)
    }
}
