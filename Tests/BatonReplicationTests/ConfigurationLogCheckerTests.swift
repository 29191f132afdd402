import BatonReplication
import XCTest

/// Each rule of `ConfigurationLogChecker` on hand-made member states: it
/// reports what breaks the rule and passes what keeps it.
final class ConfigurationLogCheckerTests: XCTestCase {
    private let ms: Int64 = 1_000_000

    private func membership(_ epoch: UInt32, _ members: [UInt32]) -> ChainMembership {
        do { return try ChainMembership(epoch: epoch, members: members, minimumLength: 1) } catch { preconditionFailure("\(error)") }
    }

    /// Node `id` (of voters `voters`) whose committed and last entry is `committed`.
    private func member(_ id: UInt32, voters: [UInt32] = [1, 2, 3], committed: ConfigurationEntry? = nil) -> ConfigurationLog {
        let initial = membership(1, [1, 2, 3])
        let state = committed.map { ConfigurationPersistentState(currentTerm: $0.term, votedFor: nil, committedEntry: $0, lastEntry: $0) }
        return ConfigurationLog(nodeId: id, voters: voters, state: state, initialMembership: initial,
                                electionTimeoutMinimumNanos: 150 * ms, electionTimeoutMaximumNanos: 300 * ms,
                                heartbeatIntervalNanos: 50 * ms, seed: 1, now: 0)
    }

    private func entry(_ index: UInt64, _ term: UInt64, _ epoch: UInt32, _ members: [UInt32]) -> ConfigurationEntry {
        ConfigurationEntry(index: index, term: term, membership: membership(epoch, members))
    }

    private func violation(_ logs: [ConfigurationLog]) -> String? {
        var checker = ConfigurationLogChecker()
        for log in logs { checker.observe(log) }
        return checker.violation
    }

    func testAValidHistoryPasses() {
        XCTAssertNil(violation([member(1), member(2, committed: entry(1, 1, 2, [1, 2])), member(3, committed: entry(4, 2, 3, [1])),
                                member(1, committed: entry(4, 2, 3, [1])), member(2, committed: entry(6, 3, 3, [1]))]))
    }

    func testTwoLeadersInATerm() {
        var first = member(1, voters: [1])
        var second = member(2, voters: [2])
        _ = first.tick(now: 301 * ms)
        _ = second.tick(now: 301 * ms)
        XCTAssertEqual(violation([first, second]), "two leaders in term 1: node 1 and node 2")
    }

    func testTwoEntriesCommittedAtOneIndex() {
        XCTAssertEqual(violation([member(1, committed: entry(2, 1, 2, [1, 2])), member(2, committed: entry(2, 2, 2, [1, 2]))]),
                       "index 2 committed as entry 2 of term 1: epoch 2 [1 → 2] min 1 and as entry 2 of term 2: epoch 2 [1 → 2] min 1 (node 2)")
    }

    func testACommittedEntryGoingBack() {
        XCTAssertEqual(violation([member(1, committed: entry(2, 1, 2, [1, 2])), member(1, committed: entry(1, 1, 2, [1, 2]))])?
            .hasPrefix("node 1's committed entry went back"), true)
    }

    func testEpochsGrowByOnePerEntryAtMost() {
        XCTAssertEqual(violation([member(1, committed: entry(1, 1, 2, [1, 2])), member(2, committed: entry(2, 1, 4, [2]))])?
            .hasPrefix("the committed epoch grew by 2 in 1 entries"), true)
        XCTAssertEqual(violation([member(1, committed: entry(3, 1, 2, [1, 2])), member(2, committed: entry(2, 1, 3, [2]))])?
            .hasPrefix("the committed epoch went back"), true, "a lower index with a later epoch")
        XCTAssertEqual(violation([member(1, committed: entry(1, 1, 2, [1, 2])), member(2, committed: entry(3, 2, 2, [2, 3]))]),
                       "epoch 2 committed as epoch 2 [1 → 2] min 1 and as epoch 2 [2 → 3] min 1 (node 2, index 3)")
    }
}
