import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import XCTest

/// The profiles in `tuning/` against this machine (2 CPUs, 1 NUMA node at most).
final class ShippedProfileTests: XCTestCase {
    func testProfilesThatFitThisMachineAreAccepted() throws {
        for (name, threading) in [("default", ThreadingMode.dedicated), ("throughput", .shared), ("example", .shared)] {
            let profile = try TuningProfile.load(path: "\(tuningDirectory)/\(name).toml")
            let configuration = try profile.applied(to: baseConfiguration())
            XCTAssertEqual(configuration.threading, threading, name)
            XCTAssertFalse(NodeLayout.describe(configuration).isEmpty)
        }
    }

    /// The measured best for the tail on this 2-core machine (BENCHMARKS.md, "Write paths").
    func testDefaultProfileIsDedicatedBackoffPwrite() throws {
        let profile = try TuningProfile.load(path: "\(tuningDirectory)/default.toml")
        XCTAssertEqual(profile.threading, .dedicated)
        XCTAssertEqual(profile.io, .pwrite)
        XCTAssertEqual(profile.idle, .defaultBackoff)
        XCTAssertNil(profile.numaNode)
        XCTAssertTrue(profile.stages.isEmpty)
    }

    func testLowLatencyIsRefusedNamingTheCPU() throws {
        try XCTSkipIf(MachineTopology.current.onlineCPUs.contains(2), "this machine has CPU 2")
        assertConfigError(try TuningProfile.load(path: "\(tuningDirectory)/low-latency.toml"),
                          mentions: ["tuning key 'threads.client-io.cpu'", "CPU 2 is not online", "CPUs available: "])
    }

    func testLowLatencyIsAcceptedOnABigBox() throws {
        let bigBox = MachineTopology(onlineCPUs: Array(0..<16), numaNodeCount: 2)
        let profile = try TuningProfile.load(path: "\(tuningDirectory)/low-latency.toml", machine: bigBox)
        XCTAssertEqual(profile.threading, .dedicated)
        XCTAssertEqual(profile.idle, .busySpin)
        XCTAssertEqual(profile.stages[.order]?.cpu, 3)
        XCTAssertEqual(profile.stages[.execute]?.cpu, 6)
        XCTAssertEqual(profile.stages[.execute]?.idle?.name, "backoff")
        XCTAssertEqual(profile.numaNode, 0)
        XCTAssertEqual(profile.uringSQPoll, true)
        XCTAssertEqual(profile.replication.udpBatch, 32)
    }
}
