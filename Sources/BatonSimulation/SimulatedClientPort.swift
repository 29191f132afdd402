import BatonAgent
import BatonNode
import BatonProtocol
import BatonRing

/// A simulated member's client I/O agent (in place of the TCP
/// `ClientSessionsAgent`), on the same rings and with the same records: it
/// writes each connected publisher's batches to the ingress ring as
/// `IngressPublishRecord`s, and hands the acks and refusals it reads from the
/// egress ring to the publishers and the checker — so the checker judges what
/// the pipeline told a client, from the ingress ring to the ack.
///
/// Threading: the simulation's thread (an agent of one member).
public final class SimulatedClientPort: Agent {
    public let roleName = "client-io"
    private let member: Int
    private let clients: SimulatedClients
    private let ingress: ManyToOneRingBuffer
    private let egress: ManyToOneRingBuffer
    private let counters: NodeCounters

    init(member: Int, clients: SimulatedClients, rings: PipelineRings, counters: NodeCounters) {
        self.member = member
        self.clients = clients
        self.ingress = rings.ingress
        self.egress = rings.egress
        self.counters = counters
    }

    public func doWork() throws -> Int {
        var work = 0
        let now = clients.time.now
        for publisher in clients.publishers where publisher.connection?.member == member {
            guard let batch = publisher.nextBatch(now: now), let sessionId = publisher.connection?.sessionId else { continue }
            if try write(batch, of: publisher, sessionId: sessionId) {
                publisher.sent(batch, now: now)
                work += 1
            }
        }
        work += egress.read(limit: 256) { typeId, payload, _ in
            switch typeId {
            case PipelineRecordType.publishAck:
                let ack = AckRecord(payload)
                let commit = counters.commitPosition.getAcquire()
                clients.checker.acknowledged(by: member, producerId: ack.producerId, sequence: ack.sequence,
                                             endPosition: ack.endPosition, commit: commit)
                if let publisher = clients.publisher(producerId: ack.producerId),
                   publisher.acked(sequence: ack.sequence, sessionId: ack.sessionId) {
                    clients.trace.record(.acked(member: member, producerId: ack.producerId, sequence: ack.sequence,
                                                endPosition: ack.endPosition))
                }
            case PipelineRecordType.publishRefused:
                let refusal = RefusalRecord(payload)
                clients.trace.record(.refused(member: member, producerId: refusal.producerId, code: refusal.code))
                // A refused connection (not the leader, a gap after a lost batch) starts over, as a client would.
                if let publisher = clients.publisher(producerId: refusal.producerId),
                   publisher.connection?.sessionId == refusal.sessionId {
                    publisher.disconnect()
                }
            default:
                preconditionFailure("unexpected record type \(typeId) on the egress ring")
            }
        }
        return work
    }

    /// Writes one Publish batch record; false when the ingress ring is full.
    private func write(_ batch: (first: UInt64, count: UInt64), of publisher: SimulatedPublisher, sessionId: UInt64) throws -> Bool {
        var payloadBytes = 0
        for sequence in batch.first..<(batch.first + batch.count) {
            payloadBytes += PublishBlock.payloadLengthBytes + SimulatedPayload.length(producerId: publisher.producerId, sequence: sequence)
        }
        let length = IngressPublishRecord.payloadsOffset + payloadBytes
        guard let index = try ingress.tryClaim(typeId: PipelineRecordType.publish, length: length) else {
            counters.ingressBackPressure.addRelease(1)
            return false
        }
        let record = IngressPublishRecord(ingress.payloadPointer(at: index), length: length)
        record.sessionId = sessionId
        let block = record.block
        block.streamId = publisher.streamId
        block.count = UInt32(batch.count)
        block.producerId = publisher.producerId
        block.firstSequence = batch.first
        var cursor = record.address + IngressPublishRecord.payloadsOffset
        for sequence in batch.first..<(batch.first + batch.count) {
            let payloadLength = SimulatedPayload.length(producerId: publisher.producerId, sequence: sequence)
            cursor.storeBytes(of: UInt32(payloadLength).littleEndian, as: UInt32.self)
            SimulatedPayload.write(producerId: publisher.producerId, sequence: sequence, into: cursor + PublishBlock.payloadLengthBytes)
            cursor += PublishBlock.payloadLengthBytes + payloadLength
        }
        ingress.commit(index: index)
        return true
    }
}
