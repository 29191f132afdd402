import BatonReplication
import XCTest

/// When Status goes upstream: on any change, and every heartbeat interval.
final class StatusScheduleTests: XCTestCase {
    func testSentOnChangeAndOnTheHeartbeat() {
        var schedule = StatusSchedule(heartbeatIntervalNanos: 1_000)
        let first = StatusReport(received: 10, durable: 5, chainDurable: 5, window: 100)
        XCTAssertTrue(schedule.isDue(first, now: 0), "the first report always goes")
        XCTAssertTrue(schedule.receivedMoved(10))
        schedule.sent(first, now: 0)
        XCTAssertFalse(schedule.isDue(first, now: 999))
        XCTAssertFalse(schedule.receivedMoved(10))
        XCTAssertTrue(schedule.isDue(first, now: 1_000), "repeated every heartbeat interval")
        var changed = first
        changed.window = 90
        XCTAssertTrue(schedule.isDue(changed, now: 1), "any field change goes at once")
    }
}
