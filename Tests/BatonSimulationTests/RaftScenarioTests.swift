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
}
