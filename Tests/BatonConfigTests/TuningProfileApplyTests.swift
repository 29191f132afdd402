import BatonAgent
import BatonConfig
import BatonLog
import BatonNode
import XCTest

/// `apply(to:)` sets exactly what the profile gives.
final class TuningProfileApplyTests: XCTestCase {
    private let machine = MachineTopology(onlineCPUs: [0, 1], numaNodeCount: 1)

    func testDedicatedProfileSetsEveryField() throws {
        let profile = try TuningProfile(parsing: """
            threading = "dedicated"
            idle = "yielding"
            numa_node = 0
            ingress_ring_bytes = 1_048_576
            ack_ring_bytes = 262_144
            log_buffer_bytes = 8_388_608
            io = "pwrite"
            uring_queue_depth = 128
            uring_sqpoll = true
            zero_ahead_bytes = 0
            durability = "interval:5"

            [threads.client-io]
            cpu = 0

            [threads.order]
            cpu = 1
            idle = "busy-spin"

            [threads.execute]
            idle = "sleeping(period=100us)"
            """, machine: machine)
        var configuration = baseConfiguration()
        profile.apply(to: &configuration)
        XCTAssertEqual(configuration.threading, .dedicated)
        XCTAssertEqual(configuration.idleStrategy, .yielding)
        XCTAssertEqual(configuration.cpus, [0, 1, nil, nil, nil, nil])
        XCTAssertEqual(configuration.idleStrategies, [nil, .busySpin, nil, nil, .sleeping(periodNanos: 100_000), nil])
        XCTAssertEqual(configuration.numaNode, 0)
        XCTAssertEqual(configuration.log.numaNode, 0)
        XCTAssertEqual(configuration.ingressRingBytes, 1 << 20)
        XCTAssertEqual(configuration.ackRingBytes, 256 << 10)
        XCTAssertEqual(configuration.log.bufferBytes, 8 << 20)
        XCTAssertEqual(configuration.log.maxInFlightBytes, 4 << 20)
        XCTAssertEqual(configuration.log.ioBackend, .pwrite)
        XCTAssertEqual(configuration.log.queueDepth, 128)
        XCTAssertTrue(configuration.log.uring.sqPoll)
        XCTAssertEqual(configuration.log.zeroAheadBytes, 0)
        XCTAssertEqual(configuration.log.durability, .interval(milliseconds: 5))
    }

    func testEmptyProfileChangesNothing() throws {
        let profile = try TuningProfile(parsing: "", machine: machine)
        var configuration = baseConfiguration()
        configuration.ingressRingBytes = 1 << 20
        profile.apply(to: &configuration)
        XCTAssertEqual(configuration.threading, .shared)
        XCTAssertEqual(configuration.idleStrategy, .defaultBackoff)
        XCTAssertEqual(configuration.cpus, [])
        XCTAssertNil(configuration.numaNode)
        XCTAssertEqual(configuration.ingressRingBytes, 1 << 20)
        XCTAssertEqual(configuration.log.bufferBytes, 64 << 20)
        XCTAssertEqual(configuration.log.durability, .batch)
    }

    func testSharedProfilePinsTheOneThread() throws {
        let profile = try TuningProfile(parsing: "threading = \"shared\"\ncpu = 1\nidle = \"no-op\"\n", machine: machine)
        let configuration = try profile.applied(to: baseConfiguration())
        XCTAssertEqual(configuration.cpus, [1])
        XCTAssertEqual(configuration.idleStrategy, .noOp)
        let layout = NodeLayout.describe(configuration).joined(separator: "\n")
        XCTAssertTrue(layout.contains("shared (1 thread)"), layout)
        XCTAssertTrue(layout.contains("CPU 1"), layout)
    }

    func testLayoutNamesEachThread() throws {
        let profile = try TuningProfile(parsing: """
            threading = "dedicated"
            [threads.order]
            cpu = 1
            idle = "busy-spin"
            """, machine: machine)
        let lines = NodeLayout.describe(try profile.applied(to: baseConfiguration()))
        let order = try XCTUnwrap(lines.first { $0.contains("stage order") })
        XCTAssertTrue(order.contains("CPU 1") && order.contains("busy-spin"), order)
        let log = try XCTUnwrap(lines.first { $0.contains("stage log") })
        XCTAssertTrue(log.contains("any CPU") && log.contains("backoff"), log)
        XCTAssertTrue(lines.contains { $0.hasPrefix("io: io_uring") })
    }
}
