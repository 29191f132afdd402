import BatonSimulation
import XCTest

/// Raft under scripted faults: the cases random seeds reach too rarely, each
/// run over several seeds (clients, schedule and network timing differ by
/// seed; the script does not). Every run must pass every invariant, and the
/// scenario must have happened (a new leader, a truncation, ...).
final class RaftScenarioTests: XCTestCase {
    private let ms: Int64 = 1_000_000
    private let seeds: ClosedRange<UInt64> = 1...6

    private func run(_ steps: [ScriptStep], nodes: Int = 3, seed: UInt64) throws -> SimulationResult {
        let result = try Simulation(SimulationOptions(seed: seed, nodes: nodes, replication: .raft, script: SimulationScript(steps))).run()
        XCTAssertTrue(result.passed, result.summary)
        return result
    }

    /// A leader cut off from every other member while its clients keep
    /// publishing to it: it must ack nothing it cannot commit (the checker
    /// judges every ack), step down, and the others elect a new leader.
    func testALeaderCutOffWhileItsClientsPublishAcksNothingUncommitted() throws {
        for seed in seeds {
            let result = try run([ScriptStep(at: 400 * ms, .isolate(.leader)), ScriptStep(at: 1_000 * ms, .healNetwork)], seed: seed)
            XCTAssertGreaterThanOrEqual(result.leadershipsTaken, 2, "seed \(seed): a second leader was elected\n\(result.summary)")
        }
    }

    /// The cut-off leader had appended what its clients sent, uncommitted;
    /// back in the cluster it holds a longer log than the new leader's, and
    /// must cut that stale suffix (never below its commit) to match.
    func testAMemberReturningWithALongerStaleLogCutsIt() throws {
        var truncated = 0
        for seed in seeds {
            let result = try run([ScriptStep(at: 400 * ms, .isolate(.leader)), ScriptStep(at: 1_000 * ms, .healNetwork)],
                                 nodes: 5, seed: seed)
            truncated += result.truncations
        }
        XCTAssertGreaterThan(truncated, 0, "some returning leader held an uncommitted suffix and cut it")
    }

    /// Every member killed at once (unsynced writes lost or torn), then all restarted: nothing acked is lost.
    func testAFullClusterCrashLosesNothingAcknowledged() throws {
        for seed in seeds {
            let result = try run([ScriptStep(at: 400 * ms, .crashAll), ScriptStep(at: 450 * ms, .restartAll)], seed: seed)
            XCTAssertEqual(result.faults.crashes, 3)
            XCTAssertEqual(result.acked, result.offered, "seed \(seed)")
        }
    }

    /// Two failovers in quick succession (Kafka's KIP-279 divergence case):
    /// the leader dies, the next one dies soon after its election, and the
    /// logs must still agree on every committed byte.
    func testTwoQuickFailoversInARowKeepTheLogsIdentical() throws {
        for seed in seeds {
            let result = try run([ScriptStep(at: 400 * ms, .crash(.leader)),
                                  ScriptStep(at: 750 * ms, .crash(.leader)),
                                  ScriptStep(at: 800 * ms, .restartAll)], nodes: 5, seed: seed)
            XCTAssertEqual(result.faults.crashes, 2, "seed \(seed): both leaders were found and killed\n\(result.summary)")
            XCTAssertGreaterThanOrEqual(result.leadershipsTaken, 3, "seed \(seed)")
        }
    }

    /// Raft's figure 8 (§5.4.2), on five members, named as in the paper:
    /// (a) S1 leads and its clients' messages reach only S2 (the two are cut
    /// off from the rest); (b) S3–S5 elect a leader ("S5") that is cut off
    /// the moment it wins, holding its term's marker alone; (c) S1's side
    /// rejoins S3 (not S4); S1 or S2 leads a new term and sends S3 the old
    /// term's bytes over a lossy, reordering network — the moment a majority
    /// holds them durably but not the new term's marker, S1 and S2 crash;
    /// (d) S5 rejoins S3 and S4, wins (its last term is newer than S3's) and
    /// overwrites what S1 sent. Nothing acknowledged may be lost: a leader
    /// that counted replicas of earlier terms would have acked those bytes
    /// (the mutation `raft-commits-earlier-terms`, `SimulationMutationTests`).
    static func figure8Script() -> [ScriptStep] {
        let ms: Int64 = 1_000_000
        var lossy = NetworkFaults()
        lossy.dropProbability = 0.2
        lossy.delayProbability = 0.3
        lossy.maximumDelayNanos = 2 * ms
        return [
            // (a)
            ScriptStep(at: 400 * ms, .remember(.leader, as: "S1")),
            ScriptStep(at: 400 * ms, .remember(.otherThan(["S1"], 0), as: "S2")),
            ScriptStep(at: 400 * ms, .separate([.named("S1"), .named("S2")])),
            // (b)
            ScriptStep(at: 400 * ms, when: .newLeader, .remember(.leader, as: "S5")),
            ScriptStep(at: 400 * ms, .isolate(.named("S5"))),
            ScriptStep(at: 400 * ms, .remember(.otherThan(["S1", "S2", "S5"], 0), as: "S3")),
            ScriptStep(at: 400 * ms, .remember(.otherThan(["S1", "S2", "S5"], 1), as: "S4")),
            // (c)
            ScriptStep(at: 1_200 * ms, .healNetwork),
            ScriptStep(at: 1_200 * ms, .isolate(.named("S5"))),
            ScriptStep(at: 1_200 * ms, .cut(.named("S4"), .named("S1"))),
            ScriptStep(at: 1_200 * ms, .cut(.named("S4"), .named("S2"))),
            ScriptStep(at: 1_200 * ms, .networkFaults(lossy)),
            ScriptStep(at: 1_200 * ms, when: .majorityHoldsEarlierTermsBeyondCommit, afterNanos: 50_000, .crash(.named("S1"))),
            ScriptStep(at: 1_200 * ms, .crash(.named("S2"))),
            // (d)
            ScriptStep(at: 1_200 * ms, .networkFaults(.calm)),
            ScriptStep(at: 1_200 * ms, .healNetwork),
            ScriptStep(at: 1_200 * ms, when: .newLeader, .remember(.leader, as: "new leader")),
            ScriptStep(at: 1_200 * ms, .restartAll),
        ]
    }

    func testFigure8TheOldTermsBytesOnAMajorityAreNotCommittedByCounting() throws {
        let script = Self.figure8Script()
        var reachedMoment = 0, overwritten = 0
        for seed in UInt64(1)...12 {
            let result = try run(script, nodes: 5, seed: seed)
            guard result.scriptStepsRun == script.count else { continue }
            reachedMoment += 1
            if result.truncations > 0 { overwritten += 1 }
        }
        XCTAssertGreaterThan(reachedMoment, 0, "the figure-8 moment was reached in some seed")
        XCTAssertGreaterThan(overwritten, 0, "some returning member cut the old term's bytes")
    }

    /// Leadership handed over three times while clients publish (to the best
    /// follower, then to one named, then again under a lossy network): every
    /// transfer pauses the leader's ordering, the target takes over, and the
    /// checker finds nothing acknowledged lost or doubled.
    func testLeadershipTransfersWhileClientsPublishLoseNothing() throws {
        var lossy = NetworkFaults()
        lossy.dropProbability = 0.05
        lossy.maximumJitterNanos = 100_000
        for seed in seeds {
            let result = try run([ScriptStep(at: 300 * ms, .transferLeadership(.leader, to: nil)),
                                  ScriptStep(at: 300 * ms, when: .newLeader, .remember(.leader, as: "L")),
                                  ScriptStep(at: 300 * ms, .transferLeadership(.named("L"), to: .otherThan(["L"], 1))),
                                  ScriptStep(at: 300 * ms, when: .newLeader, .networkFaults(lossy)),
                                  ScriptStep(at: 300 * ms, .transferLeadership(.leader, to: nil)),
                                  ScriptStep(at: 300 * ms, when: .newLeader, .networkFaults(.calm))], nodes: 5, seed: seed)
            XCTAssertEqual(result.scriptStepsRun, 6, "seed \(seed): each transfer made a new leader\n\(result.summary)")
            XCTAssertEqual(result.faults.crashes, 0)
        }
    }
}
