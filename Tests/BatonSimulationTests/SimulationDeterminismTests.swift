import BatonSimulation
import XCTest

/// The simulator's promise: the same seed gives the same run, event for
/// event (the trace hash covers every event and the final positions), and
/// different seeds give different runs.
final class SimulationDeterminismTests: XCTestCase {
    func testTheSameSeedTwiceGivesTheSameTraceHash() throws {
        for (seed, nodes) in [(UInt64(4), 3), (UInt64(9), 5)] {
            let first = try Simulation(SimulationOptions(seed: seed, nodes: nodes, keepsTrace: true))
            let firstResult = first.run()
            let second = try Simulation(SimulationOptions(seed: seed, nodes: nodes, keepsTrace: true))
            let secondResult = second.run()
            XCTAssertTrue(firstResult.passed, firstResult.summary)
            XCTAssertEqual(firstResult.traceHash, secondResult.traceHash, "seed \(seed)")
            XCTAssertEqual(firstResult.events, secondResult.events)
            XCTAssertEqual(first.traceLines, second.traceLines, "seed \(seed): the traces differ")
            XCTAssertGreaterThan(firstResult.events, 100, "a run records its events")
        }
    }

    func testDifferentSeedsGiveDifferentRuns() throws {
        var hashes = Set<UInt64>()
        for seed in UInt64(1)...6 {
            let result = try Simulation(SimulationOptions(seed: seed)).run()
            XCTAssertTrue(result.passed, result.summary)
            hashes.insert(result.traceHash)
        }
        XCTAssertEqual(hashes.count, 6)
    }

    /// Swarm testing: seeds draw different fault kinds, and the faults drawn are injected.
    func testSeedsDrawTheirOwnFaultsAndInjectThem() throws {
        var kindsSeen = Set<FaultPlan.Kind>()
        var crashes = 0, dropped = 0, lostOrTorn = 0, diskErrors = 0, pauses = 0, partitions = 0
        for seed in UInt64(1)...12 {
            let result = try Simulation(SimulationOptions(seed: seed, nodes: seed % 2 == 0 ? 5 : 3)).run()
            XCTAssertTrue(result.passed, result.summary)
            kindsSeen.formUnion(result.plan.kinds)
            crashes += result.faults.crashes
            dropped += result.faults.network.dropped
            lostOrTorn += result.faults.lostWrites + result.faults.tornWrites
            diskErrors += result.faults.disk.total
            pauses += result.faults.pauses
            partitions += result.faults.partitions + result.faults.isolations
        }
        XCTAssertEqual(kindsSeen, FaultPlan.defaultKinds.subtracting([.transfer, .membership]), "every static chain's fault kind")
        XCTAssertGreaterThan(crashes, 0)
        XCTAssertGreaterThan(dropped, 0)
        XCTAssertGreaterThan(lostOrTorn, 0, "some crash lost or tore an unsynced write")
        XCTAssertGreaterThan(diskErrors, 0)
        XCTAssertGreaterThan(pauses, 0)
        XCTAssertGreaterThan(partitions, 0)
        // Raft's own kind: seeds draw leadership transfers, and leaders carry them out.
        var transfers = 0, handOvers = 0
        for seed in UInt64(1)...12 {
            let result = try Simulation(SimulationOptions(seed: seed, nodes: seed % 2 == 0 ? 5 : 3, replication: .raft,
                                                          allowedFaults: [.transfer])).run()
            XCTAssertTrue(result.passed, result.summary)
            transfers += result.faults.transfers
            handOvers += result.leadershipsTaken
        }
        XCTAssertGreaterThan(transfers, 0)
        XCTAssertGreaterThan(handOvers, 12, "leadership moved beyond each run's first election")
    }

    /// A chain with failover's own kind: the simulated operator removes and
    /// adds members back through the configuration leader, and the changes commit.
    func testAnOperatorsMembershipChangesAreDrawnAndCommitted() throws {
        var asked = 0, committed: Int64 = 0
        for seed in UInt64(1)...6 {
            var options = SimulationOptions(seed: seed, nodes: seed % 2 == 0 ? 5 : 3, allowedFaults: [.membership])
            options.failover = true
            let result = try Simulation(options).run()
            XCTAssertTrue(result.passed, result.summary)
            XCTAssertEqual(result.plan.kinds, [.membership])
            asked += result.faults.membershipChanges
            committed += result.highestEpoch - 1
        }
        XCTAssertGreaterThan(asked, 6)
        XCTAssertGreaterThan(committed, 6, "removals and additions each commit an epoch")
    }

    func testARaftRunIsDeterministicToo() throws {
        let first = try Simulation(SimulationOptions(seed: 4, nodes: 3, replication: .raft, keepsTrace: true))
        let firstResult = first.run()
        let second = try Simulation(SimulationOptions(seed: 4, nodes: 3, replication: .raft, keepsTrace: true))
        let secondResult = second.run()
        XCTAssertTrue(firstResult.passed, firstResult.summary)
        XCTAssertEqual(firstResult.traceHash, secondResult.traceHash)
        XCTAssertEqual(first.traceLines, second.traceLines, "the traces differ")
    }

    func testAnEvenRaftClusterIsRefusedNamingWhy() {
        XCTAssertThrowsError(try Simulation(SimulationOptions(seed: 1, nodes: 4, replication: .raft))) { error in
            XCTAssertTrue("\(error)".contains("odd"), "\(error)")
        }
    }
}
