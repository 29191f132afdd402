import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// The client I/O agent: accepts TCP sessions, greets them (Hello/Welcome),
/// validates Publish batches and puts them on the ingress ring, and writes
/// PublishAcks and Errors back. A session's first Subscribe hands its socket
/// to the execute stage, which serves it from then on (one owner per socket,
/// so no two threads ever write to one).
///
/// Bad input — a short or oversize frame, an unknown template or version, a
/// request before Hello, a malformed batch — gets an Error naming the problem
/// and the session is closed; it never reaches the ingress ring, and every
/// other session goes on. Memory per session is bounded (`SessionBuffers`).
///
/// Back-pressure: when the ingress ring is full the session's batch waits in
/// its receive buffer and the agent stops reading that socket, so TCP pushes
/// back on the client. Nothing queues without bound.
///
/// The session lifecycle (slots and tokens in a `SessionTable`, epoll
/// dispatch, scan, fail, close, timeout, heartbeats) is the shared
/// `SessionHandler` extension; this type holds only the publisher side's
/// messages, acks and back-pressure.
///
/// Threading: an `Agent` on its runner's thread; the only thread that touches
/// its sockets.
public final class ClientSessionsAgent<Clock: NanoClock>: Agent, SessionHandler {
    public let roleName = "client-io"
    private let configuration: NodeConfiguration
    private let listener: TCPListener
    let sessionLoop: SessionLoop<PublisherSession, Clock>
    private let ingress: ManyToOneRingBuffer
    private let egress: ManyToOneRingBuffer
    private let handoff: OneToOneRingBuffer
    private let counters: NodeCounters
    private let commitPosition: PositionCounter
    private let clock: Clock
    private let logger: Logger
    private var retry: [Int] = []
    private var retrying: [Int] = []
    private var flushing: [Int] = []
    private var dirty: [Int] = []
    private var lastHousekeepingNanos: Int64 = 0
    private let sendCapacity = 64 << 10

    /// The address clients connect to (useful with port 0).
    public let boundAddress: IPv4SocketAddress

    public init(configuration: NodeConfiguration, ingress: ManyToOneRingBuffer, egress: ManyToOneRingBuffer,
                handoff: OneToOneRingBuffer, counters: NodeCounters, commitPosition: PositionCounter,
                clock: Clock, logger: Logger) throws {
        self.configuration = configuration
        self.ingress = ingress
        self.egress = egress
        self.handoff = handoff
        self.counters = counters
        self.commitPosition = commitPosition
        self.clock = clock
        self.logger = logger
        let address = try IPv4SocketAddress(configuration.listen)
        listener = try TCPListener.listen(on: address, backlog: 1024)
        boundAddress = try listener.localAddress()
        let table = SessionTable(capacity: configuration.maximumSessions, preallocated: configuration.maximumSessions) {
            PublisherSession(slot: $0)
        }
        sessionLoop = try SessionLoop(table: table, configuration: configuration, counters: counters,
                                      openSessions: counters.publisherSessions, clock: clock, logger: logger,
                                      logLabel: "session")
        try sessionLoop.epoll.add(listener.descriptor, interest: .readable, token: SessionToken.listener.rawValue)
        retry.reserveCapacity(configuration.maximumSessions)
        retrying.reserveCapacity(configuration.maximumSessions)
        flushing.reserveCapacity(configuration.maximumSessions)
        dirty.reserveCapacity(configuration.maximumSessions)
    }

    public func doWork() throws -> Int {
        var work = try pollSessions()
        let table = sessionLoop.table
        if !retry.isEmpty {
            // Swap rather than copy: sessions still blocked re-add themselves to `retry`.
            swap(&retry, &retrying)
            for slot in retrying where table[slot].lifecycle.isActive {
                table[slot].blockedOnIngress = false
                work += pump(table[slot], read: false)
            }
            retrying.removeAll(keepingCapacity: true)
        }
        work += drainEgress()
        while !dirty.isEmpty {
            // Swap: a flush may mark a session dirty again (an Error queued); it goes round once more.
            swap(&dirty, &flushing)
            for slot in flushing {
                table[slot].dirty = false
                if table[slot].lifecycle.isActive { flush(table[slot]) }
            }
            flushing.removeAll(keepingCapacity: true)
        }
        let now = clock.monotonicNanos()
        if now &- lastHousekeepingNanos >= 100_000_000 {
            lastHousekeepingNanos = now
            housekeepSessions(now: now) { _ in }
        }
        return work
    }

    public func onClose() {
        closeAllSessions()
        listener.close()
    }

    // MARK: - Sessions

    func listenerReady() -> Int {
        var accepted = 0
        while accepted < 64 {
            let connection: TCPConnection
            do {
                guard let (accepted, _) = try listener.accept() else { break }
                connection = accepted
            } catch {
                counters.ioErrors.getAndAddAtomic(1)
                logger.warning("accept failed: \(error)")
                break
            }
            accepted += 1
            guard let session = sessionLoop.table.acquire(as: .awaitingHello, make: { PublisherSession(slot: $0) }) else {
                counters.sessionsRefused.addRelease(1)
                refuseAtCapacity(connection)
                continue
            }
            session.sessionId = session.token.rawValue
            session.hasPublished = false
            session.blockedOnIngress = false
            session.pendingAckCount = 0
            let buffers = SessionBuffers(connection: connection, sendCapacity: sendCapacity,
                                         maximumReceiveCapacity: configuration.maximumMessageLength + ClientProtocol.lengthPrefixBytes)
            sessionLoop.attach(session, buffers, lastReceiveNanos: clock.monotonicNanos())
            do {
                try sessionLoop.watch(session)
            } catch {
                logger.warning("cannot watch session socket: \(error)")
                close(session, reason: nil)
                continue
            }
            counters.sessionsAccepted.addRelease(1)
        }
        return accepted
    }

    private func refuseAtCapacity(_ connection: TCPConnection) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { scratch.deallocate() }
        var writer = ByteWriter(scratch)
        do {
            // A short Error: at most 65,536 sessions, so the text is under 50 bytes.
            try ClientMessageWriter.writeError(into: &writer, code: .internal,
                                               text: "the node is at its limit of \(configuration.maximumSessions) sessions")
        } catch {
            preconditionFailure("the at-capacity Error fits 256 bytes: \(error)")
        }
        _ = connection.write(writer.written)
        connection.close()
    }

    // MARK: - Messages (the protocol half; the lifecycle is `SessionHandler+Lifecycle`)

    func handle(_ message: DecodedMessage, in session: PublisherSession) -> SessionMessageOutcome {
        let template = ClientProtocol.Template(rawValue: message.templateId)!
        if session.lifecycle == .awaitingHello {
            guard template == .hello else {
                fail(session, .notWelcomed, "expected Hello as the first message, got \(template)")
                return .gone
            }
            return welcome(session, message)
        }
        switch template {
        case .publish:
            return publish(session, message)
        case .subscribe:
            if session.hasPublished {
                fail(session, .wrongSessionKind, "a session that has published cannot subscribe: use a separate connection")
                return .gone
            }
            return handOff(session)
        case .heartbeat:
            return .handled
        case .credit, .unsubscribe:
            let id = template == .credit ? message.scannedBlock(as: CreditBlock.self).subscriptionId
                                         : message.scannedBlock(as: UnsubscribeBlock.self).subscriptionId
            queueError(session, .unknownSubscription, relatedId: UInt64(id), "subscription \(id) does not exist on this session")
            return .handled
        case .hello:
            fail(session, .malformed, "Hello sent twice")
            return .gone
        case .welcome, .publishAck, .subscribed, .deliver, .error:
            fail(session, .malformed, "\(template) is a server-to-client message")
            return .gone
        }
    }

    func blocked(_ session: PublisherSession) {
        if !session.blockedOnIngress {
            session.blockedOnIngress = true
            retry.append(session.slot)
            counters.ingressBackPressure.addRelease(1)
        }
    }

    private func welcome(_ session: PublisherSession, _ message: DecodedMessage) -> SessionMessageOutcome {
        let hello = message.scannedBlock(as: HelloBlock.self)
        let supported = ClientProtocol.schema.supportedVersions
        let minimum = hello.minVersion
        let maximum = hello.maxVersion
        guard minimum <= maximum, minimum <= supported.upperBound, maximum >= supported.lowerBound else {
            fail(session, .unsupportedVersion,
                 "client speaks versions \(minimum) to \(maximum), this node \(supported.lowerBound) to \(supported.upperBound)")
            return .gone
        }
        guard let buffers = session.buffers, buffers.sendSpace(atLeast: 128) else { return .blocked }
        var writer = buffers.sendWriter()
        do {
            try ClientMessageWriter.writeWelcome(
                into: &writer, version: min(maximum, supported.upperBound), nodeId: configuration.nodeId,
                sessionId: session.sessionId, maxMessageLength: configuration.maximumMessageLength,
                maxPayloadLength: configuration.maximumPayloadLength,
                heartbeatIntervalMillis: Int(configuration.heartbeatIntervalNanos / 1_000_000),
                maxBatchCount: configuration.maximumBatchCount, commitPosition: commitPosition.getAcquire(),
                serverName: "baton-\(configuration.nodeId)")
        } catch {
            fail(session, .internal, "cannot write Welcome: \(error)")
            return .gone
        }
        buffers.commitSend(writer)
        sessionLoop.table.move(session, to: .open)
        markDirty(session)
        return .handled
    }

    private func publish(_ session: PublisherSession, _ message: DecodedMessage) -> SessionMessageOutcome {
        let batch: PublishBatch
        switch PublishBatch.validate(message, maxPayloadLength: configuration.maximumPayloadLength,
                                     maxBatchCount: configuration.maximumBatchCount) {
        case .success(let valid): batch = valid
        case .failure(let error):
            fail(session, error.code, error.description)
            return .gone
        }
        let length = IngressPublishRecord.payloadsOffset &+ batch.payloads.count
        let index: Int
        do {
            guard let claimed = try ingress.tryClaim(typeId: PipelineRecordType.publish, length: length) else { return .blocked }
            index = claimed
        } catch {
            fail(session, .messageTooLarge, "publish batch of \(length) bytes does not fit the ingress ring: \(error)")
            return .gone
        }
        let record = IngressPublishRecord(ingress.payloadPointer(at: index), length: length)
        record.sessionId = session.sessionId
        record.block.address.copyMemory(from: batch.block.address, byteCount: PublishBlock.encodedLength)
        if let source = batch.payloads.baseAddress, batch.payloads.count > 0 {
            (record.address + IngressPublishRecord.payloadsOffset).copyMemory(from: source, byteCount: batch.payloads.count)
        }
        ingress.commit(index: index)
        session.hasPublished = true
        return .handled
    }

    /// Moves the session to the execute stage with the bytes it has not handled yet.
    private func handOff(_ session: PublisherSession) -> SessionMessageOutcome {
        guard let buffers = session.buffers else { return .gone }
        let pending = buffers.received
        let length = HandoffRecord.pendingOffset &+ pending.count
        guard length <= handoff.maxMessageLength else {
            fail(session, .malformed, "\(pending.count) bytes sent after Subscribe before the subscription started")
            return .gone
        }
        let claimed: Int?
        do {
            claimed = try handoff.tryClaim(typeId: PipelineRecordType.subscriberHandoff, length: length)
        } catch {
            preconditionFailure("a hand-off record of \(length) bytes was checked against the ring's limit: \(error)")
        }
        guard let index = claimed else { return .blocked }
        // Flush what is queued (the Welcome) before the socket changes hands.
        while buffers.hasPendingSend {
            if case .transferred = buffers.flushSend() { continue }
            break
        }
        sessionLoop.unwatch(session)
        HandoffRecord(handoff.payloadPointer(at: index), length: length)
            .write(descriptor: buffers.connection.descriptor.rawValue, sessionId: session.sessionId,
                   lastReceiveNanos: session.lastReceiveNanos, pending: pending)
        handoff.commit(index: index)
        sessionLoop.release(session)
        return .gone
    }

    // MARK: - Egress (acks and refusals from the pipeline)

    private func drainEgress() -> Int {
        egress.read(limit: 1024) { typeId, payload, _ in
            switch typeId {
            case PipelineRecordType.publishAck:
                let ack = AckRecord(payload)
                guard let session = sessionLoop.table.session(for: SessionToken(rawValue: ack.sessionId)) else { return }
                if session.noteAck(producerId: ack.producerId, sequence: ack.sequence, position: ack.framePosition) {
                    markDirty(session)
                } else {
                    fail(session, .internal, "more than \(PublisherSession.maximumPendingAcks) producers waiting for acks on one session")
                }
            case PipelineRecordType.publishRefused:
                let refusal = RefusalRecord(payload)
                guard let session = sessionLoop.table.session(for: SessionToken(rawValue: refusal.sessionId)) else { return }
                let code = ClientErrorCode(rawValue: refusal.code) ?? .internal
                if code.isFatal {
                    fail(session, code, refusal.text, relatedId: refusal.producerId)
                } else {
                    queueError(session, code, relatedId: refusal.producerId, refusal.text)
                }
            default:
                preconditionFailure("unexpected record type \(typeId) on the egress ring")
            }
        }
    }

    private func markDirty(_ session: PublisherSession) {
        if !session.dirty {
            session.dirty = true
            dirty.append(session.slot)
        }
    }

    /// Writes pending acks into the send buffer and the send buffer to the socket.
    func flush(_ session: PublisherSession) {
        guard let buffers = session.buffers else { return }
        var written = 0
        while session.pendingAckCount > 0, buffers.sendSpace(atLeast: 64) {
            let index = session.pendingAckCount - 1
            var writer = buffers.sendWriter()
            do {
                try ClientMessageWriter.writePublishAck(into: &writer, producerId: session.pendingAckProducers[index],
                                                        sequence: session.pendingAckSequences[index],
                                                        position: session.pendingAckPositions[index])
            } catch {
                preconditionFailure("a PublishAck (\(PublishAckBlock.encodedLength) bytes of block) fits the 64 bytes checked: \(error)")
            }
            buffers.commitSend(writer)
            session.pendingAckCount = index
            written += 1
        }
        if written > 0 { counters.acksSent.addRelease(Int64(written)) }
        guard writeQueued(session, buffers) else { return }
        settle(session, needsWrite: buffers.hasPendingSend || session.pendingAckCount > 0)
    }

    func sendQueued(_ session: PublisherSession) { markDirty(session) }

    /// Acks and Errors are whole messages in the send buffer: anything may follow them.
    func canQueueControl(_ session: PublisherSession) -> Bool { true }

    func willRelease(_ session: PublisherSession) {}
}
