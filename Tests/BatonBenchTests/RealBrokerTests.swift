import BatonBench
import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonTestSupport
import Logging
import XCTest

/// The harness against a real node in this process (as `--embedded` runs
/// it): the latency target measures ack and delivery for every message and
/// its steady state allocates nothing; the throughput run delivers every
/// acknowledged message to every subscriber.
final class RealBrokerTests: XCTestCase {
    var directory = ""
    var node: Node?

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("bench-test")
        var log = LogConfiguration(directory: directory)
        log.segmentBytes = 16 << 20
        log.bufferBytes = 8 << 20
        log.durability = .none
        var logger = Logger(label: "bench-test") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let node = try Node(configuration: NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: log),
                            logger: logger)
        try node.start()
        self.node = node
    }

    override func tearDown() {
        node?.stop()
        node = nil
        removeTree(directory)
    }

    func testLatencyTargetMeasuresEveryAckAndDelivery() throws {
        let address = try XCTUnwrap(node?.clientAddress)
        let target = try ClientLatencyTarget(publishTo: address, subscribeTo: [address, address], streamId: 7, payloadLength: 64,
                                             windowMessages: 4_096, producerId: 0xBE_4C_0001)
        defer { target.close() }
        var configuration = OpenLoopConfiguration(ratePerSecond: 4_000, warmupNanos: millis(250), durationNanos: millis(750))
        configuration.intervalNanos = millis(250)
        configuration.drainTimeoutNanos = seconds(5)
        var counting = AllocationCountingTarget(inner: target, from: 1_500, to: 3_500,
                                                counter: mallocCounter() ?? { 0 })
        let result = try OpenLoopRunner.run(&counting, configuration: configuration)
        XCTAssertTrue(result.isComplete, "unsent \(result.unsent), acks missing \(result.missingAcks), deliveries missing \(result.missingDeliveries)")
        XCTAssertEqual(result.deliveriesPerMessage, 2)
        XCTAssertEqual(result.histograms.ackCorrected.totalCount, 3_000)
        XCTAssertEqual(result.histograms.ackUncorrected.totalCount, 3_000)
        XCTAssertEqual(result.histograms.deliveryCorrected.totalCount, 6_000, "each message reaches both subscribers")
        XCTAssertEqual(result.histograms.deliveryUncorrected.totalCount, 6_000)
        XCTAssertGreaterThan(result.histograms.ackCorrected.min, 0)
        XCTAssertGreaterThanOrEqual(result.histograms.ackCorrected.valueAtPercentile(50),
                                    result.histograms.ackUncorrected.valueAtPercentile(50),
                                    "from the schedule is never shorter than from the send")
        #if !DEBUG
        if mallocCounter() != nil {
            XCTAssertEqual(counting.result.allocations, 0, "publishing, acks, deliveries and recording allocate nothing once warm")
        }
        #endif
    }

    func testThroughputDeliversEveryAcknowledgedMessage() throws {
        let address = try XCTUnwrap(node?.clientAddress)
        var configuration = ThroughputConfiguration(publishTo: address, subscribeTo: [address, address], publishers: 2,
                                                    payloadLength: 100, durationNanos: nil, countPerPublisher: 20_000,
                                                    runTag: 0x7E57_0000_0000)
        configuration.streamId = 9
        configuration.windowMessages = 4_096
        configuration.drainTimeoutNanos = seconds(20)
        var samples = 0
        let result = try ThroughputRun.run(configuration) { _ in samples += 1 }
        XCTAssertEqual(result.totalAcked, 40_000)
        XCTAssertEqual(result.totalDelivered, 80_000, "two subscribers each get every message")
        XCTAssertTrue(result.isComplete)
        XCTAssertEqual(result.ackedInWindow, 40_000, "no warm-up: the window is the whole run")
        XCTAssertGreaterThan(result.ackedPerSecond, 0)
        XCTAssertEqual(result.ackedMegabytesPerSecond, result.ackedPerSecond * 100 / 1e6, accuracy: 1e-6)
        XCTAssertGreaterThan(result.deliveredPerSecond, 0)
        XCTAssertEqual(samples, result.samples.count)
        XCTAssertEqual(result.samples.last?.acked, 40_000)
    }

    func testThroughputRefusesBadSettings() throws {
        let address = try XCTUnwrap(node?.clientAddress)
        let configuration = ThroughputConfiguration(publishTo: address, subscribeTo: [], publishers: 1, payloadLength: 8,
                                                    durationNanos: seconds(1), countPerPublisher: nil, runTag: 1 << 20)
        XCTAssertThrowsError(try ThroughputRun.run(configuration) { _ in }) { XCTAssertTrue("\($0)".contains("--size")) }
    }
}
