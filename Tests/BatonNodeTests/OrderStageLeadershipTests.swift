import BatonLog
import BatonNode
import BatonProtocol
import BatonReplication
import BatonRing
import BatonTestSupport
import BatonTime
import Logging
import XCTest

/// The order stage obeys the replicator's leadership gate, read every duty
/// cycle: no sockets, no threads — the test writes the ingress ring, plays
/// the replicator, and reads what the stage put on the egress and ack rings.
final class OrderStageLeadershipTests: XCTestCase {
    private var directory = ""
    private var log: DurableLog!
    private var file: CountersFile!
    private var counters: NodeCounters!
    private let ingress = ManyToOneRingBuffer(capacity: 64 << 10)
    private let ackRequests = OneToOneRingBuffer(capacity: 64 << 10)
    private let egress = ManyToOneRingBuffer(capacity: 64 << 10)
    private var gate: LeadershipGate!
    private var order: OrderStage<ManualClock>!

    override func setUpWithError() throws {
        directory = makeTemporaryDirectory("order-leadership")
        var logger = Logger(label: "order-leadership")
        logger.logLevel = .critical
        var configuration = LogConfiguration(directory: directory)
        configuration.bufferBytes = 256 << 10
        configuration.segmentBytes = 1 << 20
        configuration.maximumFrameLength = 4096
        log = try DurableLog.open(configuration, logger: logger)
        file = try CountersFile(creatingAt: directory + "/counters.dat", capacity: 64)
        counters = NodeCounters(file: file)
        gate = LeadershipGate(state: counters.leadership, leaderId: counters.leaderId,
                              generation: counters.leadershipGeneration, observed: counters.leadershipObserved,
                              ackableFrom: counters.leadershipAckableFrom,
                              refusalTexts: [0: "node 1 follows; publish to node 0"])
        order = OrderStage(ingress: ingress, ackRequests: ackRequests, egress: egress, log: log,
                           producers: ProducerTable(maximumProducers: 16), counters: counters, clock: ManualClock(),
                           maximumPayloadLength: 1024, leadership: gate)
    }

    override func tearDown() {
        order = nil
        log = nil
        removeTree(directory)
    }

    /// A validated Publish batch from session 5, as the client I/O agent writes it.
    private func offer(producer: UInt64, sequences: ClosedRange<UInt64>, payload: [UInt8] = Array(repeating: 7, count: 40)) {
        let count = sequences.count
        let length = IngressPublishRecord.payloadsOffset + count * (4 + payload.count)
        let index = try! ingress.tryClaim(typeId: PipelineRecordType.publish, length: length)!
        let record = IngressPublishRecord(ingress.payloadPointer(at: index), length: length)
        record.sessionId = 5
        record.block.streamId = 1
        record.block.count = UInt32(count)
        record.block.producerId = producer
        record.block.firstSequence = sequences.lowerBound
        var offset = IngressPublishRecord.payloadsOffset
        for _ in sequences {
            (record.address + offset).storeLittleEndian(UInt32(payload.count), toByteOffset: 0)
            payload.withUnsafeBytes { (record.address + offset + 4).copyMemory(from: $0.baseAddress!, byteCount: payload.count) }
            offset += 4 + payload.count
        }
        ingress.commit(index: index)
    }

    private func refusals() -> [(code: UInt16, text: String)] {
        var found: [(UInt16, String)] = []
        _ = egress.read(limit: 100) { typeId, payload, _ in
            XCTAssertEqual(typeId, PipelineRecordType.publishRefused)
            let refusal = RefusalRecord(payload)
            found.append((refusal.code, refusal.text))
        }
        return found
    }

    private func ackedSequences() -> [UInt64] {
        var found: [UInt64] = []
        _ = ackRequests.read(limit: 100) { _, payload, _ in found.append(AckRecord(payload).sequence) }
        return found
    }

    func testAFollowerRefusesNamingTheLeaderAndNeverAppends() throws {
        gate.publish(.following, leader: 0)
        try order.onStart()
        offer(producer: 9, sequences: 0...2)
        XCTAssertEqual(try order.doWork(), 1)
        let refused = refusals()
        XCTAssertEqual(refused.map(\.code), [ClientErrorCode.notLeader.rawValue])
        XCTAssertEqual(refused.first?.text, "node 1 follows; publish to node 0")
        XCTAssertEqual(log.appender.position, 0)
        gate.publish(.following, leader: 3)
        offer(producer: 9, sequences: 0...0)
        _ = try order.doWork()
        XCTAssertTrue(refusals().first?.text.contains("knows no leader") == true, "an unknown leader is said so")
    }

    func testWaitingTakesNothingUntilLeading() throws {
        gate.publish(.waiting, leader: 0)
        try order.onStart()
        offer(producer: 9, sequences: 0...1)
        XCTAssertEqual(try order.doWork(), 0)
        XCTAssertEqual(ingress.size > 0, true, "the batch stays on the ring")
        gate.publish(.leading, leader: 0)
        XCTAssertEqual(try order.doWork(), 1)
        XCTAssertEqual(ackedSequences(), [1])
        XCTAssertGreaterThan(log.appender.position, 0)
        XCTAssertEqual(counters.orderPosition.getAcquire(), log.appender.position)
    }

    /// Frames the replicator appended while this member followed are in the
    /// producer table once it leads: a publisher's resend of them is acked,
    /// not logged twice.
    func testOnLeadingTheFramesAppendedMeanwhileCountAsLogged() throws {
        gate.publish(.following, leader: 0)
        try order.onStart()
        _ = try order.doWork()
        // The replicator's frames: producer 9, sequences 0...2.
        for sequence in UInt64(0)...2 {
            let payload = [UInt8](repeating: 7, count: 40)
            let result = payload.withUnsafeBytes {
                log.appender.tryAppend(payload: $0, streamId: 1, producerId: 9, sequence: sequence, timestampNanos: 0)
            }
            guard case .appended = result else { return XCTFail("append \(result)") }
        }
        let replicatedEnd = log.appender.position
        gate.publish(.leading, leader: 1)
        offer(producer: 9, sequences: 0...2)
        XCTAssertEqual(try order.doWork(), 1)
        XCTAssertEqual(log.appender.position, replicatedEnd, "a resend of replicated frames is not logged again")
        XCTAssertEqual(counters.duplicatesDropped.getAcquire(), 3)
        XCTAssertEqual(ackedSequences(), [2])
        offer(producer: 9, sequences: 3...3)
        XCTAssertEqual(try order.doWork(), 1)
        XCTAssertGreaterThan(log.appender.position, replicatedEnd)
        XCTAssertEqual(ackedSequences(), [3])
    }

    /// A follower whose log start moved past frames its producer table never
    /// saw (retention deleted them while it followed) starts leading without
    /// reading below the start: it records from the log's start (found by
    /// `RaftRejoinTests` under TSan, where every duty cycle of such a new
    /// leader failed).
    func testLeadingBeginsFromTheLogsStartWhenRetentionDeletedUnseenFrames() throws {
        gate.publish(.following, leader: 0)
        try order.onStart()
        _ = try order.doWork()
        let payload = [UInt8](repeating: 7, count: 40)
        var ends: [Int64] = []
        for sequence in UInt64(0)...4 {
            let result = payload.withUnsafeBytes {
                log.appender.tryAppend(payload: $0, streamId: 1, producerId: 9, sequence: sequence, timestampNanos: 0)
            }
            guard case .appended = result else { return XCTFail("append \(result)") }
            ends.append(log.appender.position)
        }
        // Retention moved the start past sequences 0...2 (as the writer publishes it).
        log.counters.start.setRelease(ends[2])
        gate.publish(.leading, leader: 1)
        offer(producer: 9, sequences: 5...5)
        XCTAssertEqual(try order.doWork(), 1, "leading begins; nothing is read below the start")
        XCTAssertEqual(ackedSequences(), [5])
        offer(producer: 9, sequences: 3...4)
        XCTAssertEqual(try order.doWork(), 1)
        XCTAssertEqual(counters.duplicatesDropped.getAcquire(), 2, "frames after the start are known")
    }
}

