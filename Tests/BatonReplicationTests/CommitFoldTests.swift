import BatonReplication
import XCTest

/// The commit position by role, without sockets: durable on every member.
final class CommitFoldTests: XCTestCase {
    func testALoneHeadCommitsItsOwnDurablePosition() {
        var fold = CommitFold(hasPredecessor: false, hasSuccessor: false, start: 0)
        XCTAssertTrue(fold.advance(durable: 500, appended: 800, successorChainDurable: 0, predecessorCommit: 0))
        XCTAssertEqual(fold.commit, 500)
    }

    func testAHeadWaitsForItsSuccessorsChainDurableReport() {
        var fold = CommitFold(hasPredecessor: false, hasSuccessor: true, start: 0)
        XCTAssertFalse(fold.advance(durable: 500, appended: 800, successorChainDurable: 0, predecessorCommit: 0))
        XCTAssertTrue(fold.advance(durable: 500, appended: 800, successorChainDurable: 300, predecessorCommit: 0))
        XCTAssertEqual(fold.commit, 300)
        XCTAssertTrue(fold.advance(durable: 500, appended: 800, successorChainDurable: 900, predecessorCommit: 0))
        XCTAssertEqual(fold.commit, 500, "never past its own durable position")
        XCTAssertEqual(fold.chainDurable(durable: 500, successorChainDurable: 400), 400)
    }

    func testAFollowerTakesItsPredecessorsWordClampedToItsOwnLog() {
        var fold = CommitFold(hasPredecessor: true, hasSuccessor: false, start: 0)
        XCTAssertTrue(fold.advance(durable: 200, appended: 900, successorChainDurable: 0, predecessorCommit: 700))
        XCTAssertEqual(fold.commit, 200, "clamped to its own durable position")
        XCTAssertTrue(fold.advance(durable: 900, appended: 600, successorChainDurable: 0, predecessorCommit: 700))
        XCTAssertEqual(fold.commit, 600, "clamped to its own appended position")
        XCTAssertEqual(fold.chainDurable(durable: 900, successorChainDurable: 0), 900, "a tail reports its own durable")
    }

    func testTheCommitNeverMovesBack() {
        var fold = CommitFold(hasPredecessor: true, hasSuccessor: true, start: 100)
        XCTAssertFalse(fold.advance(durable: 50, appended: 50, successorChainDurable: 50, predecessorCommit: 50))
        XCTAssertEqual(fold.commit, 100)
    }
}
