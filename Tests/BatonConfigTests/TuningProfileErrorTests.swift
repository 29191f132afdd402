import BatonConfig
import XCTest

/// Every kind of refusal names the key, the value and what is allowed.
final class TuningProfileErrorTests: XCTestCase {
    /// A 2-CPU machine with one NUMA node, like this one.
    private let machine = MachineTopology(onlineCPUs: [0, 1], numaNodeCount: 1)

    private func parse(_ text: String) throws -> TuningProfile {
        try TuningProfile(parsing: text, machine: machine)
    }

    func testUnknownKey() {
        assertConfigError(try parse("threading = \"shared\"\nthreadz = 2\n"),
                          mentions: ["tuning key 'threadz'", "unknown key", "threading", "ingress_ring_bytes"])
    }

    func testUnknownKeyInStageTable() {
        assertConfigError(try parse("threading = \"dedicated\"\n[threads.order]\ncore = 1\n"),
                          mentions: ["'threads.order.core'", "threads.order.cpu", "threads.order.idle"])
    }

    func testUnknownStage() {
        assertConfigError(try parse("threading = \"dedicated\"\n[threads.replicate]\ncpu = 1\n"),
                          mentions: ["'threads.replicate'", "threads.client-io", "threads.order", "threads.execute", "threads.transmit"])
    }

    func testCPUOutOfRange() {
        assertConfigError(try parse("threading = \"dedicated\"\n[threads.order]\ncpu = 7\n"),
                          mentions: ["tuning key 'threads.order.cpu': CPU 7 is not online; CPUs available: 0-1"])
        assertConfigError(try parse("threading = \"dedicated\"\n[threads.log]\ncpu = -1\n"),
                          mentions: ["'threads.log.cpu'", "-1"])
        assertConfigError(try parse("cpu = 2\n"), mentions: ["tuning key 'cpu'", "CPU 2 is not online"])
    }

    func testNumaNodeOutOfRange() {
        assertConfigError(try parse("numa_node = 3\n"),
                          mentions: ["tuning key 'numa_node'", "NUMA node 3", "0...0"])
        let noNuma = MachineTopology(onlineCPUs: [0, 1], numaNodeCount: nil)
        assertConfigError(try TuningProfile(parsing: "numa_node = 0\n", machine: noNuma),
                          mentions: ["'numa_node'", "NUMA unavailable"])
    }

    func testBadIdleStrategyText() {
        assertConfigError(try parse("idle = \"spin-fast\"\n"),
                          mentions: ["tuning key 'idle'", "\"spin-fast\"", "busy-spin", "backoff", "unknown strategy"])
        assertConfigError(try parse("threading = \"dedicated\"\n[threads.commit]\nidle = \"backoff(minPark=5)\"\n"),
                          mentions: ["'threads.commit.idle'", "backoff(minPark=5)", "unit"])
    }

    func testNonPowerOfTwoRing() {
        assertConfigError(try parse("ingress_ring_bytes = 100000\n"),
                          mentions: ["tuning key 'ingress_ring_bytes'", "100000", "power of two", "64 KiB", "1 GiB"])
        assertConfigError(try parse("ack_ring_bytes = 4096\n"), mentions: ["'ack_ring_bytes'", "4096", "power of two"])
        assertConfigError(try parse("log_buffer_bytes = 3_000_000\n"), mentions: ["'log_buffer_bytes'", "3000000"])
        assertConfigError(try parse("uring_queue_depth = 100\n"), mentions: ["'uring_queue_depth'", "100", "8 B"])
    }

    func testWrongType() {
        assertConfigError(try parse("ingress_ring_bytes = \"16MiB\"\n"),
                          mentions: ["tuning key 'ingress_ring_bytes'", "\"16MiB\" (string)", "wrong type", "power of two"])
        assertConfigError(try parse("uring_sqpoll = 1\n"), mentions: ["'uring_sqpoll'", "1 (integer)", "true or false"])
        assertConfigError(try parse("threading = 2\n"), mentions: ["'threading'", "\"shared\" | \"dedicated\""])
        assertConfigError(try parse("threads = 1\n"), mentions: ["'threads'", "table"])
        assertConfigError(try parse("idle = [\"busy-spin\"]\n"), mentions: ["'idle'", "array"])
    }

    func testUnknownWords() {
        assertConfigError(try parse("threading = \"pinned\"\n"),
                          mentions: ["'threading'", "\"pinned\"", "\"shared\" | \"dedicated\""])
        assertConfigError(try parse("io = \"aio\"\n"), mentions: ["'io'", "\"aio\"", "\"io_uring\" | \"pwrite\""])
        assertConfigError(try parse("durability = \"interval:0\"\n"),
                          mentions: ["'durability'", "interval:0", "\"batch\" | \"none\" | \"interval:MS\""])
    }

    func testReplicationRanges() {
        assertConfigError(try parse("[replication]\nmtu = 100\n"), mentions: ["'replication.mtu'", "100", "576...65507"])
        assertConfigError(try parse("[replication]\nudp_batch = 0\n"), mentions: ["'replication.udp_batch'", "1...1024"])
        assertConfigError(try parse("[replication]\nwindow = 3\n"), mentions: ["'replication.window'", "replication.mtu"])
    }

    func testStageTablesNeedDedicatedMode() {
        assertConfigError(try parse("[threads.order]\ncpu = 1\n"), mentions: ["'threads.order'", "dedicated"])
        assertConfigError(try parse("threading = \"dedicated\"\ncpu = 1\n"), mentions: ["tuning key 'cpu'", "[threads.STAGE]"])
    }

    func testSyntaxErrorNamesTheLine() {
        assertConfigError(try parse("threading = \"shared\"\nidle = \n"), mentions: ["line 2"])
    }

    func testCombinationRefusedByTheNode() throws {
        // A queue depth of 8 cannot hold two batches of 4 writes and their syncs.
        let profile = try parse("uring_queue_depth = 8\n")
        let base = baseConfiguration()
        assertConfigError(try profile.applied(to: base), mentions: ["queueDepth"])
    }
}
