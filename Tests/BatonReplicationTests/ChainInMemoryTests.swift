import BatonLog
import BatonProtocol
import BatonReplication
import XCTest

/// The whole chain protocol with no sockets and no threads: replicators over
/// an in-memory network, time passed in, faults seeded.
final class ChainInMemoryTests: XCTestCase {
    func testAThreeMemberChainCommitsEverythingAndEveryLogIsTheHeads() throws {
        let chain = try InMemoryChain(members: 3)
        XCTAssertEqual(chain.leadership.map(\.current), [.waiting, .following, .following], "the head waits for its successor's word")
        XCTAssertNil(try chain.replicate(2_000, leaderRounds: 1_000, commitRounds: 20_000))
        XCTAssertEqual(chain.counters[0].retransmits.getAcquire(), 0, "a clean network needs no resend")
        XCTAssertEqual(chain.leadership[1].refusalText().contains("publish to the head, node 0"), true)
    }

    func testLossDuplicationAndReorderingAreRepairedWithTheSameResult() throws {
        let chain = try InMemoryChain(members: 3, faults: FaultInjection(seed: 0xBA70, dropRate: 0.05, duplicateRate: 0.02,
                                                                          reorderRate: 0.05, reorderWindow: 4))
        XCTAssertNil(try chain.replicate(2_000, leaderRounds: 10_000, commitRounds: 200_000))
        let naks = chain.counters.map { $0.naksSent.getAcquire() }.reduce(0, +)
        let resends = chain.counters.map { $0.retransmits.getAcquire() }.reduce(0, +)
        XCTAssertGreaterThan(naks, 0, "losses were detected")
        XCTAssertGreaterThan(resends, 0, "and repaired by going back")
    }
}

extension ChainInMemoryTests {
    /// A Data datagram whose log bytes were damaged on the way passes the
    /// header check; the frame check must catch it, discard from there and
    /// ask again — and every log still ends up the head's.
    func testADamagedFrameIsCaughtByItsCheckAndFetchedAgain() throws {
        let chain = try InMemoryChain(members: 2)
        XCTAssertTrue(try chain.run(rounds: 1_000) { chain.leadership[0].current == .leading })
        chain.publish(40)
        // Damage one log byte of the first Data datagram on the wire.
        var damaged = false
        chain.network.tamper = { bytes, _, _ in
            let templateId = UInt16(bytes[2]) | UInt16(bytes[3]) << 8
            guard !damaged, templateId == ReplicationProtocol.MessageType.data.rawValue, bytes.count > 100 else { return }
            bytes[100] ^= 0xFF
            damaged = true
        }
        XCTAssertTrue(try chain.run(rounds: 1_000) { damaged })
        XCTAssertTrue(try chain.run(rounds: 20_000) { chain.commits.allSatisfy { $0 == chain.logs[0].appendedPosition } },
                      "commits \(chain.commits), head appended \(chain.logs[0].appendedPosition)")
        XCTAssertGreaterThanOrEqual(chain.counters[1].corruptFrames.getAcquire(), 1, "the frame check caught the damage")
        XCTAssertTrue(try chain.logBytes(1) == chain.logBytes(0), "the tail's log is the head's")
    }
}
