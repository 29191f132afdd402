import BatonLog
import BatonProtocol
import BatonReplication
import XCTest

/// The chain's repair cases with the configuration handed in (as a committed
/// configuration entry would hand it): a member crashes for good, the others
/// apply the next epoch, and the chain goes on — the new head orders, every
/// remaining member commits, and every remaining log is the same byte for
/// byte. No sockets, no threads: replicators over an in-memory network.
final class ChainReconfigurationTests: XCTestCase {
    /// Messages published before the failure, committed by all three members.
    static let before = 600
    static let after = 600

    /// Replicates `before` messages on a clean 3-member chain and returns it.
    func committedChain(faults: FaultInjection = FaultInjection(seed: 1)) throws -> InMemoryChain {
        let chain = try InMemoryChain(members: 3, faults: faults)
        XCTAssertNil(try chain.replicate(Self.before, leaderRounds: 10_000, commitRounds: 200_000))
        return chain
    }

    /// Publishes at `head` and steps until every listed member commits the head's whole log, then compares the logs.
    func publishAndCheck(_ chain: InMemoryChain, head: Int, members: [Int], count: Int = after,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(try chain.run(rounds: 20_000) { chain.leadership[head].current == .leading },
                      "node \(head) never led (\(chain.leadership[head].current))", file: file, line: line)
        var published = 0
        let committed = try chain.run(rounds: 400_000) {
            if published < count { published += chain.publish(min(50, count - published), at: head) }
            let end = chain.logs[head].appendedPosition
            return published == count && members.allSatisfy { chain.commits[$0] == end }
        }
        XCTAssertTrue(committed, "commits \(members.map { chain.commits[$0] }), head appended \(chain.logs[head].appendedPosition)",
                      file: file, line: line)
        let headBytes = try chain.logBytes(head)
        for member in members where member != head {
            XCTAssertEqual(try chain.logBytes(member), headBytes, "member \(member)'s log differs from the head's", file: file, line: line)
        }
    }

    func testWhenTheHeadFailsItsSuccessorBecomesTheHeadAndTheChainGoesOn() throws {
        let chain = try committedChain()
        let committedBefore = chain.commits[1]
        chain.stop(0)
        chain.reconfigure(epoch: 2, chain: [1, 2])
        XCTAssertEqual(chain.leadership[1].current, .waiting, "a new head waits for its successor's word first")
        XCTAssertEqual(chain.leadership[2].current, .following)
        XCTAssertTrue(chain.leadership[2].refusalText().contains("publish to the head, node 1"), chain.leadership[2].refusalText())
        try publishAndCheck(chain, head: 1, members: [1, 2])
        XCTAssertGreaterThan(chain.commits[1], committedBefore)
        XCTAssertEqual(chain.counters[1].epoch.getAcquire(), 2)
        XCTAssertEqual(ChainRole(code: chain.counters[1].role.getAcquire()), .head)
        XCTAssertEqual(ChainRole(code: chain.counters[2].role.getAcquire()), .tail)
    }

    func testWhenAMiddleMemberFailsItsPredecessorResendsToTheNewSuccessor() throws {
        let chain = try committedChain()
        // Leave the tail behind the middle: the head publishes more, the tail receives none of it.
        chain.network.tamper = { bytes, _, destination in
            if destination == chain.replicators[2].configuration.members[2].replicationAddress { bytes.removeAll() }
        }
        chain.publish(200)
        XCTAssertTrue(try chain.run(rounds: 20_000) { chain.logs[1].durablePosition == chain.logs[0].appendedPosition })
        XCTAssertLessThan(chain.logs[2].appendedPosition, chain.logs[1].appendedPosition, "the tail is behind the middle")
        chain.network.tamper = nil
        chain.stop(1)
        chain.reconfigure(epoch: 2, chain: [0, 2])
        XCTAssertEqual(chain.leadership[0].current, .leading, "the head stays the head")
        try publishAndCheck(chain, head: 0, members: [0, 2])
        XCTAssertGreaterThan(chain.counters[0].retransmits.getAcquire(), 0, "the head went back to the new successor's position")
    }

    func testWhenTheTailFailsItsPredecessorBecomesTheTail() throws {
        let chain = try committedChain()
        chain.stop(2)
        chain.reconfigure(epoch: 2, chain: [0, 1])
        XCTAssertEqual(ChainRole(code: chain.counters[1].role.getAcquire()), .tail)
        try publishAndCheck(chain, head: 0, members: [0, 1])
    }

    func testAChainShorterThanItsMinimumRefusesWritesAndCommitsNothingNew() throws {
        let chain = try committedChain()
        let committed = chain.commits[0]
        chain.stop(1)
        chain.stop(2)
        chain.reconfigure(epoch: 2, chain: [0], minimumLength: 2)
        XCTAssertEqual(chain.leadership[0].current, .tooFewReplicas)
        XCTAssertTrue(chain.leadership[0].tooFewReplicasText.contains("minimum"))
        XCTAssertEqual(chain.publish(10), 0, "the order stage takes nothing")
        for _ in 0..<1_000 { try chain.step() }
        XCTAssertEqual(chain.commits[0], committed)
        // With a minimum of one, the same chain leads again (the operator's choice).
        chain.reconfigure(epoch: 3, chain: [0], minimumLength: 1)
        try publishAndCheck(chain, head: 0, members: [0], count: 100)
    }

    /// A head cut off from the others (not crashed) keeps its old epoch and
    /// keeps ordering; the rest of the chain has moved to the next one and
    /// drops every datagram of the old epoch, so nothing the old head appends
    /// commits, while the new head's chain commits and agrees.
    func testAFormerHeadOnAnOlderEpochCommitsNothingMore() throws {
        let chain = try committedChain()
        let committed = chain.commits[0]
        chain.reconfigure(epoch: 2, chain: [1, 2], members: [1, 2])
        XCTAssertEqual(chain.publish(100, at: 0), 100, "the old head, unaware, still orders")
        try publishAndCheck(chain, head: 1, members: [1, 2])
        XCTAssertEqual(chain.commits[0], committed, "the old head's own commit never moved")
        XCTAssertGreaterThan(chain.counters[1].dropped(.wrongEpoch).getAcquire() + chain.counters[2].dropped(.wrongEpoch).getAcquire(), 0)
        // Told at last, it steps out of the chain: it follows node 1 and commits nothing.
        chain.reconfigure(epoch: 2, chain: [1, 2], members: [0])
        XCTAssertEqual(chain.leadership[0].current, .following)
        XCTAssertEqual(ChainRole(code: chain.counters[0].role.getAcquire()), .outside)
        for _ in 0..<1_000 { try chain.step() }
        XCTAssertEqual(chain.commits[0], committed)
    }

    func testRepairsOverALossyNetworkEndWithTheSameLogs() throws {
        for seed in UInt64(1)...6 {
            let faults = FaultInjection(seed: seed, dropRate: 0.05, duplicateRate: 0.02, reorderRate: 0.05, reorderWindow: 4)
            let chain = try committedChain(faults: faults)
            let failed = Int(seed % 3)
            chain.stop(failed)
            let remaining = [0, 1, 2].filter { $0 != failed }
            chain.reconfigure(epoch: 2, chain: remaining)
            try publishAndCheck(chain, head: remaining[0], members: remaining)
        }
    }
}
