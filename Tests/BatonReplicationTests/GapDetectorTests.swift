import BatonReplication
import XCTest

/// Loss detection without sockets: time is a number the test passes in.
final class GapDetectorTests: XCTestCase {
    private let delay: Int64 = 200_000
    private let cap: Int64 = 10_000_000

    func testNoGapNoNak() {
        var gaps = GapDetector(nakDelayNanos: delay, maximumBackoffNanos: cap)
        XCTAssertFalse(gaps.nakDue(received: 0, now: 0))
        gaps.noteSent(upTo: 100)
        XCTAssertFalse(gaps.nakDue(received: 100, now: 1_000_000), "everything shown sent has arrived")
        XCTAssertEqual(gaps.backoffNanos, 0)
    }

    func testANewGapWaitsTheNakDelayThenBacksOffDoublingToTheCap() {
        var gaps = GapDetector(nakDelayNanos: delay, maximumBackoffNanos: cap)
        gaps.noteSent(upTo: 4_096)
        XCTAssertFalse(gaps.nakDue(received: 1_024, now: 1_000), "reordering gets nak_delay to fill the gap")
        XCTAssertFalse(gaps.nakDue(received: 1_024, now: 1_000 + delay - 1))
        XCTAssertTrue(gaps.nakDue(received: 1_024, now: 1_000 + delay))
        var now = 1_000 + delay
        gaps.nakSent(now: now)
        var waits: [Int64] = []
        for _ in 0..<8 {
            var next = now + 1
            while !gaps.nakDue(received: 1_024, now: next) { next += 1_000 }
            waits.append(gaps.backoffNanos)
            now = next
            gaps.nakSent(now: now)
        }
        XCTAssertEqual(waits, [400_000, 800_000, 1_600_000, 3_200_000, 6_400_000, 10_000_000, 10_000_000, 10_000_000])
    }

    func testProgressResetsTheBackOffAndAClosedGapStopsTheTimer() {
        var gaps = GapDetector(nakDelayNanos: delay, maximumBackoffNanos: cap)
        gaps.noteSent(upTo: 8_192)
        XCTAssertFalse(gaps.nakDue(received: 0, now: 0))
        XCTAssertTrue(gaps.nakDue(received: 0, now: delay))
        gaps.nakSent(now: delay)
        gaps.nakSent(now: delay)
        XCTAssertEqual(gaps.backoffNanos, 4 * delay)
        gaps.noteProgress(received: 4_096)
        XCTAssertEqual(gaps.backoffNanos, 0, "the sender is delivering: the next Nak waits a fresh delay")
        XCTAssertFalse(gaps.nakDue(received: 4_096, now: delay + 1))
        XCTAssertFalse(gaps.nakDue(received: 8_192, now: 10 * delay), "gap filled")
        XCTAssertEqual(gaps.backoffNanos, 0)
    }

    func testACorruptFrameReopensTheGapUpToWhatWasReceived() {
        var gaps = GapDetector(nakDelayNanos: delay, maximumBackoffNanos: cap)
        gaps.noteCorrupt(receivedEnd: 2_048, now: 5_000)
        XCTAssertTrue(gaps.hasGap(received: 1_024))
        XCTAssertEqual(gaps.gapEnd, 2_048)
        XCTAssertFalse(gaps.nakDue(received: 1_024, now: 5_000), "the first Nak of a new gap still waits the delay")
        XCTAssertTrue(gaps.nakDue(received: 1_024, now: 5_000 + delay))
    }

    func testGapEndNeverMovesBack() {
        var gaps = GapDetector(nakDelayNanos: delay, maximumBackoffNanos: cap)
        gaps.noteSent(upTo: 9_000)
        gaps.noteSent(upTo: 3_000)
        XCTAssertEqual(gaps.gapEnd, 9_000)
    }
}
