import BatonReplication
import BatonTestSupport
import XCTest

/// The configuration log under seeded faults (`ConfigurationLogCluster`):
/// hundreds of seeds of 3 and 5 members with lossy, duplicating, reordering
/// links, partitions and crashes, checked after every step; and planted bugs
/// the checker must catch, to show it bites.
final class ConfigurationLogSimulationTests: XCTestCase {
    private let ms = ConfigurationLogCluster.ms
    private let faultNanos: Int64 = 3_000 * 1_000_000
    /// Ten maximum election timeouts.
    private let healBoundNanos: Int64 = 3_000 * 1_000_000

    /// `BATON_TEST_SEED` replays one seed.
    private func seeds(_ range: Range<UInt64>) -> [UInt64] {
        let replay = testSeed(.max)
        return replay == .max ? Array(range) : [replay]
    }

    func testSafetyAndLivenessOverManySeeds() {
        var total = ConfigurationLogCluster.Statistics()
        var slowestHeal: (nanos: Int64, seed: UInt64) = (0, 0)
        var runs = 0
        let started = ContinuousClock.now
        for seed in seeds(1..<501) {
            let memberCount = seed % 2 == 0 ? 5 : 3
            var cluster = ConfigurationLogCluster(seed: seed, memberCount: memberCount)
            cluster.run(faultNanos: faultNanos, healBoundNanos: healBoundNanos)
            if let violation = cluster.checker.violation {
                return XCTFail("seed \(seed) (\(memberCount) members): \(violation) at \(cluster.now / ms) ms — replay with BATON_TEST_SEED=\(seed)")
            }
            runs += 1
            let statistics = cluster.statistics
            total.elections += statistics.elections
            total.committedChanges += statistics.committedChanges
            total.proposalsAccepted += statistics.proposalsAccepted
            total.proposalsRefused += statistics.proposalsRefused
            total.crashes += statistics.crashes
            total.partitions += statistics.partitions
            total.delivered += statistics.delivered
            total.dropped += statistics.dropped
            total.divergentEntriesReplaced += statistics.divergentEntriesReplaced
            total.refusedAppends += statistics.refusedAppends
            if statistics.healedCommitNanos > slowestHeal.nanos { slowestHeal = (statistics.healedCommitNanos, seed) }
        }
        let elapsed = ContinuousClock.now - started
        print("configuration log: \(runs) seeds in \(elapsed): \(total.elections) elections, \(total.committedChanges) committed changes,"
              + " \(total.proposalsAccepted) proposals accepted, \(total.proposalsRefused) refused, \(total.crashes) crashes,"
              + " \(total.partitions) partitions, \(total.delivered) messages delivered, \(total.dropped) dropped,"
              + " \(total.divergentEntriesReplaced) divergent entries replaced, \(total.refusedAppends) Appends refused;"
              + " slowest commit after healing \(slowestHeal.nanos / ms) ms (seed \(slowestHeal.seed))")
        guard runs > 1 else { return } // one replayed seed: no coverage to check
        // The runs reached the paths that matter.
        XCTAssertGreaterThan(total.committedChanges, runs * 3, "changes committed")
        XCTAssertGreaterThan(total.elections, runs * 2, "leaders elected")
        XCTAssertGreaterThan(total.proposalsRefused, runs, "proposals refused (uncommitted entry, deposed leader)")
        XCTAssertGreaterThan(total.crashes, runs, "members crashed and restarted")
        XCTAssertGreaterThan(total.partitions, runs / 2, "partitions")
        XCTAssertGreaterThan(total.divergentEntriesReplaced, 10, "followers whose uncommitted entry a new leader replaced")
        XCTAssertEqual(total.refusedAppends, 0, "no correct leader sends an Append a follower must refuse")
    }

    /// The checker bites: a member that restarts one write behind (it
    /// answered before its write was durable) is caught.
    func testTheCheckerCatchesAMemberThatForgetsItsLastWrite() {
        expectCaught(.restartsOneWriteBehind, within: 1..<101, violating: "went back", "committed as")
    }

    /// The checker bites: a member that forgets its vote when it restarts
    /// elects two leaders in one term.
    func testTheCheckerCatchesAMemberThatForgetsItsVote() {
        expectCaught(.restartsWithoutItsVote, within: 1..<401, violating: "two leaders in term")
    }

    /// The checker bites: voters that skip the up-to-date check (candidates
    /// claim the newest log) let a stale leader overwrite a committed entry.
    func testTheCheckerCatchesVotesForAStaleLog() {
        expectCaught(.candidatesClaimTheNewestLog, within: 1..<301, violating: "committed as", "went back", "committed epoch")
    }

    /// Runs seeds with `bug` planted until the checker reports a safety
    /// violation containing one of `expected`; fails if none does within
    /// `range` (a stall the bug causes is noted, not counted).
    private func expectCaught(_ bug: ConfigurationLogCluster.PlantedBug, within range: Range<UInt64>, violating expected: String...,
                              file: StaticString = #filePath, line: UInt = #line) {
        var other: [String] = []
        for seed in range {
            var cluster = ConfigurationLogCluster(seed: seed, memberCount: seed % 2 == 0 ? 5 : 3, bug: bug)
            cluster.run(faultNanos: faultNanos, healBoundNanos: healBoundNanos)
            guard let violation = cluster.checker.violation else { continue }
            guard expected.contains(where: { violation.contains($0) }) else {
                other.append("seed \(seed): \(violation)")
                continue
            }
            print("planted \(bug): caught at seed \(seed), \(cluster.now / ms) ms: \(violation)"
                  + (other.isEmpty ? "" : "; before it, \(other.count) other violations, first: \(other[0])"))
            return
        }
        XCTFail("planted \(bug): no violation naming \(expected) in seeds \(range) (other violations: \(other.prefix(3)))",
                file: file, line: line)
    }
}
