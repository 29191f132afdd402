import BatonReplication
import XCTest

/// Selective repeat's range set without sockets: merging, absorbing, trimming,
/// the per-hole Nak timing and the repair round-trip estimate.
final class ByteRangesTests: XCTestCase {
    private func ranges(_ set: ByteRanges) -> [ClosedRange<Int64>] {
        (0..<set.count).map { set.start($0)...(set.end($0) - 1) }
    }

    func testRangesMergeWhenTheyOverlapOrTouchAndStayInOrder() {
        let set = ByteRanges(capacity: 8)
        set.insert(start: 300, end: 400, now: 1)
        set.insert(start: 100, end: 200, now: 2)
        set.insert(start: 500, end: 600, now: 3)
        XCTAssertEqual(ranges(set), [100...199, 300...399, 500...599])
        set.insert(start: 200, end: 250, now: 4)  // touches the first
        XCTAssertEqual(ranges(set), [100...249, 300...399, 500...599])
        set.insert(start: 240, end: 520, now: 5)  // spans the hole and two ranges
        XCTAssertEqual(ranges(set), [100...599])
        XCTAssertEqual(set.seenNanos(0), 1, "a merged range keeps the earliest first-seen time")
        set.insert(start: 150, end: 160, now: 6)  // already held
        XCTAssertEqual(ranges(set), [100...599])
    }

    func testAbsorbTakesEveryRangeTheReceivedPositionReaches() {
        let set = ByteRanges(capacity: 8)
        set.insert(start: 100, end: 200, now: 1)
        set.insert(start: 300, end: 400, now: 1)
        XCTAssertEqual(set.absorb(received: 50, now: 2), 50, "a hole remains below the first range")
        XCTAssertEqual(set.count, 2)
        XCTAssertEqual(set.absorb(received: 100, now: 2), 200, "the first range joins the received bytes")
        XCTAssertEqual(ranges(set), [300...399])
        XCTAssertEqual(set.absorb(received: 350, now: 2), 400, "a fill reaching into a range takes it whole")
        XCTAssertTrue(set.isEmpty)
    }

    func testCapacityBoundsNewRangesButNotMerges() {
        let set = ByteRanges(capacity: 2)
        set.insert(start: 100, end: 200, now: 1)
        set.insert(start: 300, end: 400, now: 1)
        XCTAssertFalse(set.canInsert(start: 500, end: 600), "a third disjoint range has no slot")
        XCTAssertTrue(set.canInsert(start: 400, end: 450), "one touching a range merges")
        XCTAssertTrue(set.canInsert(start: 150, end: 350), "one spanning both merges")
        let none = ByteRanges(capacity: 0)
        XCTAssertFalse(none.canInsert(start: 1, end: 2), "capacity 0 keeps nothing (go-back-N)")
    }

    func testSlotsAreReusedAfterTheFrontIsTaken() {
        // Many ranges in order, taken from the front: the storage compacts instead of running out.
        let set = ByteRanges(capacity: 4)
        var received: Int64 = 0
        for step in Int64(0)..<100 {
            let base = step * 100
            XCTAssertTrue(set.canInsert(start: base + 50, end: base + 100))
            set.insert(start: base + 50, end: base + 100, now: step)
            if set.count == 4 { received = set.absorb(received: set.start(0), now: step) }
        }
        XCTAssertEqual(received, 9_700)
        XCTAssertEqual(set.count, 3)
    }

    func testTrimFrontShrinksThenDropsTheFirstRange() {
        let set = ByteRanges(capacity: 4)
        set.insert(start: 100, end: 200, now: 1)
        set.insert(start: 300, end: 400, now: 1)
        set.trimFront(to: 150)
        XCTAssertEqual(ranges(set), [150...199, 300...399])
        set.trimFront(to: 200)
        XCTAssertEqual(ranges(set), [300...399])
        set.trimFront(to: 10)
        XCTAssertEqual(ranges(set), [300...399], "trimming below the front changes nothing")
    }

    func testAHoleIsAskedForAfterTheDelayThenAgainOnlyAfterItsWait() {
        let set = ByteRanges(capacity: 4)
        let delay: Int64 = 200
        set.insert(start: 100, end: 200, now: 1_000)
        XCTAssertFalse(set.holeDue(below: 0, now: 1_100, delay: delay), "may still be reordering")
        XCTAssertTrue(set.holeDue(below: 0, now: 1_200, delay: delay))
        set.holeAsked(below: 0, now: 1_200, firstWait: 800, maximumWait: 3_000)
        XCTAssertFalse(set.holeDue(below: 0, now: 1_900, delay: delay), "its resend may be on its way")
        XCTAssertTrue(set.holeDue(below: 0, now: 2_000, delay: delay))
        set.holeAsked(below: 0, now: 2_000, firstWait: 800, maximumWait: 3_000)
        XCTAssertFalse(set.holeDue(below: 0, now: 3_500, delay: delay), "the wait doubled")
        XCTAssertTrue(set.holeDue(below: 0, now: 3_600, delay: delay))
        set.holeAsked(below: 0, now: 3_600, firstWait: 800, maximumWait: 3_000)
        XCTAssertTrue(set.holeDue(below: 0, now: 6_600, delay: delay), "capped at the maximum wait")
    }

    func testARangeSplittingAnAskedHoleInheritsItsAskingState() {
        let set = ByteRanges(capacity: 4)
        set.insert(start: 500, end: 600, now: 0)
        set.holeAsked(below: 0, now: 1_000, firstWait: 800, maximumWait: 3_000)
        set.insert(start: 200, end: 300, now: 1_100)  // part of the resend of [0, 500) arrived
        XCTAssertFalse(set.holeDue(below: 0, now: 1_500, delay: 200), "the hole below was asked for with the rest")
        XCTAssertFalse(set.holeDue(below: 1, now: 1_500, delay: 200))
        XCTAssertTrue(set.holeDue(below: 0, now: 1_800, delay: 200))
    }

    func testTheRepairTimeoutFollowsHowLongAskedHolesTakeToClose() {
        let set = ByteRanges(capacity: 4)
        XCTAssertEqual(set.repairTimeoutNanos, 0, "no sample yet")
        for step in Int64(0)..<20 {
            let base = step * 1_000
            set.insert(start: base + 500, end: base + 1_000, now: base)
            set.holeAsked(below: 0, now: base, firstWait: 1, maximumWait: 1)
            _ = set.absorb(received: base + 500, now: base + 100)  // closed 100 ns after it was asked for
        }
        XCTAssertEqual(set.repairRoundTripNanos, 100, accuracy: 5)
        XCTAssertLessThan(set.repairTimeoutNanos, 200)
        // The machine gets slow: holes take 10 times as long; the timeout follows.
        for step in Int64(20)..<40 {
            let base = step * 1_000
            set.insert(start: base + 500, end: base + 1_000, now: base)
            set.holeAsked(below: 0, now: base, firstWait: 1, maximumWait: 1)
            set.insert(start: base, end: base + 500, now: base + 1_000)  // a middle hole closing also counts
            _ = set.absorb(received: base, now: base + 1_000)
        }
        XCTAssertGreaterThan(set.repairTimeoutNanos, 900)
    }
}
