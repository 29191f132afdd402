import BatonAgent
import BatonCodec
import BatonLog
import BatonProtocol
import BatonReplication
import BatonRing
import BatonTime

/// The order stage (head / single node): takes validated Publish batches from
/// the ingress ring, drops messages already logged for their producer
/// (idempotent resend), gives each new message a position and timestamp by
/// appending its frame to the log buffer, and asks the commit stage to ack
/// the batch once it is committed.
///
/// Back-pressure: a batch is taken from the ingress ring only when the log
/// buffer has room for all of it and the ack ring has room for its request;
/// otherwise it stays on the ring (and the client I/O agent stops reading from
/// sockets once the ring fills). Nothing is queued without bound.
///
/// Every duty cycle starts with one read of the replicator's leadership gate:
/// leading, it orders; waiting (a restarted chain head taking back its
/// successor's log, a Raft candidate), it takes nothing; following, it
/// answers every Publish with `notLeader` and the text naming the leader, and
/// never touches the appender (the replicator writes it there). When it starts
/// leading (again), it first adds the frames the replicator appended meanwhile
/// to the producer table, so resends of them are recognised, and orders from
/// the new end.
///
/// Threading: an `Agent`; every method runs on its runner's thread. It is the
/// single writer of the log appender while leading, of `orderPosition` and of
/// the producer table.
public final class OrderStage<Clock: NanoClock>: Agent {
    public let roleName = "order"
    private let ingress: ManyToOneRingBuffer
    private let ackRequests: OneToOneRingBuffer
    private let egress: ManyToOneRingBuffer
    private let appender: LogAppender
    private let producers: ProducerTable
    private let counters: NodeCounters
    private let clock: Clock
    private let maximumFrameBytes: Int
    private let batchLimit: Int
    private var stalled = false
    private let log: DurableLog
    private let leadership: LeadershipGate
    /// Whether the last duty cycle led (false at first: leading begins by catching up the producer table).
    private var leading = false
    /// The log's end as the producer table knows it: every frame below is recorded there.
    private var producersKnownEnd: Int64
    /// The log's truncations (`LogCounters.truncationCompleted`) the producer table accounts for.
    private var producersKnownTruncations: Int64
    /// The leadership generation of this duty cycle: stamped on every ack request.
    private var generation: Int64 = 0

    public init(ingress: ManyToOneRingBuffer, ackRequests: OneToOneRingBuffer, egress: ManyToOneRingBuffer,
                log: DurableLog, producers: ProducerTable, counters: NodeCounters, clock: Clock,
                maximumPayloadLength: Int, batchLimit: Int = 64, leadership: LeadershipGate) {
        self.log = log
        self.leadership = leadership
        let appender = log.appender
        self.producersKnownEnd = appender.position
        self.producersKnownTruncations = log.counters.truncationCompleted.getAcquire()
        self.ingress = ingress
        self.ackRequests = ackRequests
        self.egress = egress
        self.appender = appender
        self.producers = producers
        self.counters = counters
        self.clock = clock
        self.maximumFrameBytes = FrameDescriptor.alignedFrameLength(payloadLength: maximumPayloadLength)
        self.batchLimit = batchLimit
    }

    public func onStart() throws {
        if leadership.current != .following { counters.orderPosition.setRelease(appender.position) }
    }

    public func doWork() throws -> Int {
        defer { assertInvariants() }
        // The generation first: a new generation is never seen with an older state.
        generation = leadership.currentGeneration
        leadership.orderStageObeys(generation)
        switch leadership.current {
        case .leading:
            if !leading { try startLeading() }
        case .waiting:
            leading = false
            return 0
        case .following:
            leading = false
            return ingress.controlledRead(limit: batchLimit) { _, payload, length in
                let record = IngressPublishRecord(payload, length: length)
                let text = self.leadership.refusalTextBytes(upTo: RefusalRecord.maximumTextLength)
                return self.refuse(record.sessionId, record.block.producerId, .notLeader, bytes: text) ? .continue : .abort
            }
        case .tooFewReplicas:
            leading = false
            return ingress.controlledRead(limit: batchLimit) { _, payload, length in
                let record = IngressPublishRecord(payload, length: length)
                let text = self.leadership.tooFewReplicasTextBytes(upTo: RefusalRecord.maximumTextLength)
                return self.refuse(record.sessionId, record.block.producerId, .notEnoughReplicas, bytes: text) ? .continue : .abort
            }
        }
        let taken = ingress.controlledRead(limit: batchLimit) { typeId, payload, length in
            precondition(typeId == PipelineRecordType.publish, "unexpected record type \(typeId) on the ingress ring")
            return self.order(IngressPublishRecord(payload, length: length))
        }
        if taken > 0 {
            producersKnownEnd = appender.position
            counters.orderPosition.setRelease(producersKnownEnd)
        }
        return taken
    }

    /// Debug builds, after every duty cycle: while leading, the producer
    /// table knows every frame of the log and the order position is the
    /// log's end (this stage is the appender's only writer then).
    func assertInvariants() {
        guard leading else { return }
        assert(producersKnownEnd == appender.position && counters.orderPosition.getPlain() == appender.position,
               "leading with the producer table at \(producersKnownEnd), order position \(counters.orderPosition.getPlain()), log end \(appender.position)")
    }

    /// Leading begins here: the replicator may have appended frames since the
    /// producer table last saw the log (frames a chain head took back from its
    /// successor; a Raft follower's log) — record their producers, so resends
    /// of them are recognised, and order from the log's end.
    private func startLeading() throws {
        let end = appender.position
        let truncations = log.counters.truncationCompleted.getAcquire()
        if truncations != producersKnownTruncations || end < producersKnownEnd {
            // A Raft follower's log was truncated: the table may name frames
            // that are gone (a resend of them must be ordered again). Rebuilt
            // from the whole log — rare (a leader change after a divergence).
            producers.removeAll()
            producersKnownEnd = log.startPosition
            producersKnownTruncations = truncations
        }
        // Retention may have deleted frames the table never saw (a follower's log moved on
        // since): their producers' state went with them; record from the log's start.
        producersKnownEnd = max(producersKnownEnd, log.startPosition)
        if end > producersKnownEnd {
            do {
                try producers.record(framesOf: log, from: producersKnownEnd, upTo: end)
            } catch {
                // Retention moved the start during the scan: the next duty cycle scans from the new one.
                producersKnownEnd = max(producersKnownEnd, log.startPosition)
                throw error
            }
            producersKnownEnd = end
        }
        counters.orderPosition.setRelease(end)
        leading = true
    }

    /// Orders one batch, or leaves it on the ring (`.abort`) when the log or the ack ring is full.
    private func order(_ record: IngressPublishRecord) -> ControlledReadAction {
        let block = record.block
        let producerId = block.producerId
        let firstSequence = block.firstSequence
        let count = UInt64(block.count)
        let lastSequence = firstSequence &+ count &- 1
        var skip: UInt64 = 0
        if let known = producers.entry(for: producerId) {
            if lastSequence <= known.lastSequence {
                // Entirely a resend: ack what is logged (it may not be committed yet).
                guard requestAck(record.sessionId, producerId, known) else { return stall() }
                counters.duplicatesDropped.addRelease(Int64(count))
                stalled = false
                return .continue
            }
            if firstSequence > known.lastSequence &+ 1 {
                let text = "publish from producer \(producerId) starts at sequence \(firstSequence) but the last logged is \(known.lastSequence): \(firstSequence - known.lastSequence - 1) missing"
                guard refuse(record.sessionId, producerId, .sequenceGap, text) else { return stall() }
                counters.sequenceGaps.addRelease(1)
                stalled = false
                return .continue
            }
            skip = known.lastSequence &+ 1 &- firstSequence
        } else if producers.count >= producers.capacity {
            let text = "the node already tracks its maximum of \(producers.capacity) producers"
            guard refuse(record.sessionId, producerId, .backPressure, text) else { return stall() }
            return .continue
        }
        // Room for every frame of the batch, plus the worst-case padding of one boundary crossing each.
        let frameBytes = PublishBatchBytes.frameBytes(of: record.payloads, count: Int(count))
        let crossings = frameBytes / appender.boundaryBytes &+ 1
        guard appender.hasRoom(forBytes: frameBytes &+ crossings &* maximumFrameBytes),
              ackRequests.freeBytes >= 2 * (AckRecord.length + 64) else { return stall() }
        let streamId = block.streamId
        let timestamp = clock.wallNanos()
        var index: UInt64 = 0
        var framePosition: Int64 = -1
        var appendedCount = 0
        var appendedBytes = 0
        PublishBlock.forEachPayload(in: record.payloads, count: Int(count)) { _, payload in
            defer { index &+= 1 }
            if index < skip { return }
            let result = appender.tryAppend(payload: payload, streamId: streamId, producerId: producerId,
                                            sequence: firstSequence &+ index, timestampNanos: timestamp)
            guard case .appended(let position) = result else {
                preconditionFailure("log append failed after the room check: \(result)")
            }
            framePosition = position
            appendedCount &+= 1
            appendedBytes &+= payload.count
        }
        let entry = ProducerTable.Entry(lastSequence: lastSequence, endPosition: appender.position, framePosition: framePosition)
        let recorded = producers.record(producerId: producerId, sequence: lastSequence,
                                        framePosition: framePosition, endPosition: appender.position)
        // Neither can fail: the capacity and room checks above hold, and this stage is the only writer of both.
        precondition(recorded, "producer table refused producer \(producerId) after the capacity check")
        let requested = requestAck(record.sessionId, producerId, entry)
        precondition(requested, "ack ring refused a request after the room check")
        counters.messagesIn.addRelease(Int64(appendedCount))
        counters.bytesIn.addRelease(Int64(appendedBytes))
        if skip > 0 { counters.duplicatesDropped.addRelease(Int64(skip)) }
        stalled = false
        return .continue
    }

    private func stall() -> ControlledReadAction {
        if !stalled {
            stalled = true
            counters.logBackPressure.addRelease(1)
        }
        return .abort
    }

    private func requestAck(_ sessionId: UInt64, _ producerId: UInt64, _ entry: ProducerTable.Entry) -> Bool {
        guard let index = ackRequests.claimValid(typeId: PipelineRecordType.ackRequest, length: AckRecord.length) else {
            return false
        }
        let ack = AckRecord(ackRequests.payloadPointer(at: index))
        ack.sessionId = sessionId
        ack.producerId = producerId
        ack.sequence = entry.lastSequence
        ack.framePosition = entry.framePosition
        ack.endPosition = entry.endPosition
        ack.generation = generation
        ackRequests.commit(index: index)
        return true
    }

    private func refuse(_ sessionId: UInt64, _ producerId: UInt64, _ code: ClientErrorCode, _ text: String) -> Bool {
        refuse(sessionId, producerId, code, bytes: RefusalRecord.encodedText(text))
    }

    /// Refuses with text already encoded (the leadership gate's, made at set-up: no allocation per refusal).
    private func refuse(_ sessionId: UInt64, _ producerId: UInt64, _ code: ClientErrorCode, bytes: [UInt8]) -> Bool {
        let length = RefusalRecord.length(textBytes: bytes.count)
        guard let index = egress.claimValid(typeId: PipelineRecordType.publishRefused, length: length) else { return false }
        RefusalRecord(egress.payloadPointer(at: index)).write(sessionId: sessionId, producerId: producerId, code: code, text: bytes)
        egress.commit(index: index)
        return true
    }
}

/// Sums the log space of an ingress Publish record's payloads (validated on ingress).
enum PublishBatchBytes {
    @inline(__always)
    static func frameBytes(of payloads: UnsafeRawBufferPointer, count: Int) -> Int {
        var total = 0
        PublishBlock.forEachPayload(in: payloads, count: count) { _, payload in
            total &+= FrameDescriptor.alignedFrameLength(payloadLength: payload.count)
        }
        return total
    }
}
