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
/// Threading: an `Agent` on its runner's thread; the only thread that touches
/// its sockets.
public final class ClientSessionsAgent<Clock: NanoClock>: Agent {
    public let roleName = "client-io"
    private let configuration: NodeConfiguration
    private let listener: TCPListener
    private var epoll: EPoll
    private let ingress: ManyToOneRingBuffer
    private let egress: ManyToOneRingBuffer
    private let handoff: OneToOneRingBuffer
    private let counters: NodeCounters
    private let commitPosition: PositionCounter
    private let clock: Clock
    private let logger: Logger
    private var sessions: [PublisherSession]
    private var freeSlots: [Int]
    private var retry: [Int] = []
    private var retrying: [Int] = []
    private var flushing: [Int] = []
    private var dirty: [Int] = []
    private var nextSerial: UInt64 = 1
    private var lastHousekeepingNanos: Int64 = 0
    private static var listenerToken: UInt64 { UInt64.max }
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
        epoll = try EPoll(eventCapacity: 256)
        try epoll.add(listener.descriptor, interest: .readable, token: ClientSessionsAgent.listenerToken)
        sessions = (0..<configuration.maximumSessions).map { PublisherSession(slot: $0) }
        freeSlots = Array((0..<configuration.maximumSessions).reversed())
        retry.reserveCapacity(configuration.maximumSessions)
        retrying.reserveCapacity(configuration.maximumSessions)
        flushing.reserveCapacity(configuration.maximumSessions)
        dirty.reserveCapacity(configuration.maximumSessions)
    }

    public func doWork() throws -> Int {
        var work = 0
        let ready = try epoll.wait(timeoutMillis: 0)
        for index in 0..<ready {
            let event = epoll[ready: index]
            if event.token == ClientSessionsAgent.listenerToken {
                work += acceptSessions()
                continue
            }
            let session = sessions[Int(event.token & 0xFFFF_FFFF)]
            guard session.active, session.sessionId == event.token else { continue }
            if event.events.contains(.writable) { flush(session) }
            if session.active && (event.events.contains(.readable) || event.events.contains(.hangUp) || event.events.contains(.error)) {
                work += pump(session, read: true)
            }
        }
        if !retry.isEmpty {
            // Swap rather than copy: sessions still blocked re-add themselves to `retry`.
            swap(&retry, &retrying)
            for slot in retrying where sessions[slot].active {
                sessions[slot].blockedOnIngress = false
                work += pump(sessions[slot], read: false)
            }
            retrying.removeAll(keepingCapacity: true)
        }
        work += drainEgress()
        while !dirty.isEmpty {
            // Swap: a flush may mark a session dirty again (an Error queued); it goes round once more.
            swap(&dirty, &flushing)
            for slot in flushing {
                sessions[slot].dirty = false
                if sessions[slot].active { flush(sessions[slot]) }
            }
            flushing.removeAll(keepingCapacity: true)
        }
        let now = clock.monotonicNanos()
        if now &- lastHousekeepingNanos >= 100_000_000 {
            lastHousekeepingNanos = now
            housekeeping(now: now)
        }
        return work
    }

    public func onClose() {
        for session in sessions where session.active {
            _ = session.buffers?.queueError(.shuttingDown, text: "the node is shutting down")
            _ = session.buffers?.flushSend()
            close(session, reason: nil)
        }
        listener.close()
    }

    // MARK: - Sessions

    private func acceptSessions() -> Int {
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
            guard let slot = freeSlots.popLast() else {
                counters.sessionsRefused.addRelease(1)
                refuseAtCapacity(connection)
                continue
            }
            let session = sessions[slot]
            session.sessionId = nextSerial << 32 | UInt64(slot)
            nextSerial &+= 1
            session.state = .awaitingHello
            session.buffers = SessionBuffers(connection: connection, sendCapacity: sendCapacity,
                                             maximumReceiveCapacity: configuration.maximumMessageLength + ClientProtocol.lengthPrefixBytes)
            session.lastReceiveNanos = clock.monotonicNanos()
            session.lastSendNanos = session.lastReceiveNanos
            session.hasPublished = false
            session.blockedOnIngress = false
            session.writeInterest = false
            session.pendingAckCount = 0
            session.active = true
            do {
                try epoll.add(connection.descriptor, interest: [.readable, .readHangUp], token: session.sessionId)
            } catch {
                logger.warning("cannot watch session socket: \(error)")
                close(session, reason: nil)
                continue
            }
            counters.sessionsAccepted.addRelease(1)
            counters.publisherSessions.getAndAddAtomic(1)
        }
        return accepted
    }

    private func refuseAtCapacity(_ connection: TCPConnection) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256, alignment: 8)
        defer { scratch.deallocate() }
        var writer = ByteWriter(scratch)
        if (try? ClientMessageWriter.writeError(into: &writer, code: .internal,
                                                text: "the node is at its limit of \(configuration.maximumSessions) sessions")) != nil {
            _ = connection.write(writer.written)
        }
        connection.close()
    }

    /// Reads (if asked) and handles every whole message the session has. Returns work done.
    private func pump(_ session: PublisherSession, read: Bool) -> Int {
        guard let buffers = session.buffers else { return 0 }
        var work = 0
        if read && session.state != .closing {
            switch SessionIO.of(buffers.readAvailable(), "read", ioErrors: counters.ioErrors) {
            case .moved(let count):
                if count > 0 { session.lastReceiveNanos = clock.monotonicNanos(); work += 1 }
            case .idle:
                break
            case .close(let reason):
                close(session, reason: reason)
                return work
            }
        }
        while session.active && session.state != .closing {
            switch ClientFrameScanner.scan(buffers.received, maxMessageLength: configuration.maximumMessageLength) {
            case .needMore(let needed):
                if let needed { buffers.ensureRoom(for: needed) } else if buffers.receiveStart > 0 { buffers.compact() }
                return work
            case .invalid(let code, let text):
                fail(session, code, text)
                return work
            case .message(let message, let consumed):
                switch handle(message, in: session, consumed: consumed) {
                case .handled:
                    buffers.receiveStart &+= consumed
                    work += 1
                case .blocked:
                    if !session.blockedOnIngress {
                        session.blockedOnIngress = true
                        retry.append(session.slot)
                        counters.ingressBackPressure.addRelease(1)
                    }
                    return work
                case .gone:
                    return work + 1
                }
            }
        }
        return work
    }

    private enum Handled { case handled, blocked, gone }

    private func handle(_ message: DecodedMessage, in session: PublisherSession, consumed: Int) -> Handled {
        let template = ClientProtocol.Template(rawValue: message.templateId)!
        if session.state == .awaitingHello {
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
            let id = (try? message.block(as: CreditBlock.self).subscriptionId) ?? 0
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

    private func welcome(_ session: PublisherSession, _ message: DecodedMessage) -> Handled {
        guard let hello = try? message.block(as: HelloBlock.self) else {
            fail(session, .malformed, "Hello block is malformed")
            return .gone
        }
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
        session.state = .open
        markDirty(session)
        return .handled
    }

    private func publish(_ session: PublisherSession, _ message: DecodedMessage) -> Handled {
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
    private func handOff(_ session: PublisherSession) -> Handled {
        guard let buffers = session.buffers else { return .gone }
        let pending = buffers.received
        let length = HandoffRecord.pendingOffset &+ pending.count
        guard length <= handoff.maxMessageLength else {
            fail(session, .malformed, "\(pending.count) bytes sent after Subscribe before the subscription started")
            return .gone
        }
        guard let index = try? handoff.tryClaim(typeId: PipelineRecordType.subscriberHandoff, length: length) else { return .blocked }
        // Flush what is queued (the Welcome) before the socket changes hands.
        while buffers.hasPendingSend {
            if case .transferred = buffers.flushSend() { continue }
            break
        }
        try? epoll.remove(buffers.connection.descriptor)
        HandoffRecord(handoff.payloadPointer(at: index), length: length)
            .write(descriptor: buffers.connection.descriptor.rawValue, sessionId: session.sessionId,
                   lastReceiveNanos: session.lastReceiveNanos, pending: pending)
        handoff.commit(index: index)
        release(session)
        return .gone
    }

    // MARK: - Egress (acks and refusals from the pipeline)

    private func drainEgress() -> Int {
        egress.read(limit: 1024) { typeId, payload, _ in
            switch typeId {
            case PipelineRecordType.publishAck:
                let ack = AckRecord(payload)
                guard let session = session(for: ack.sessionId) else { return }
                if session.noteAck(producerId: ack.producerId, sequence: ack.sequence, position: ack.framePosition) {
                    markDirty(session)
                } else {
                    fail(session, .internal, "more than \(PublisherSession.maximumPendingAcks) producers waiting for acks on one session")
                }
            case PipelineRecordType.publishRefused:
                let refusal = RefusalRecord(payload)
                guard let session = session(for: refusal.sessionId) else { return }
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

    private func session(for sessionId: UInt64) -> PublisherSession? {
        let slot = Int(sessionId & 0xFFFF_FFFF)
        guard slot < sessions.count else { return nil }
        let session = sessions[slot]
        return session.active && session.sessionId == sessionId ? session : nil
    }

    private func markDirty(_ session: PublisherSession) {
        if !session.dirty {
            session.dirty = true
            dirty.append(session.slot)
        }
    }

    /// Writes pending acks into the send buffer and the send buffer to the socket.
    private func flush(_ session: PublisherSession) {
        guard let buffers = session.buffers else { return }
        var written = 0
        while session.pendingAckCount > 0, buffers.sendSpace(atLeast: 64) {
            let index = session.pendingAckCount - 1
            var writer = buffers.sendWriter()
            try? ClientMessageWriter.writePublishAck(into: &writer, producerId: session.pendingAckProducers[index],
                                                     sequence: session.pendingAckSequences[index],
                                                     position: session.pendingAckPositions[index])
            buffers.commitSend(writer)
            session.pendingAckCount = index
            written += 1
        }
        if written > 0 { counters.acksSent.addRelease(Int64(written)) }
        switch SessionIO.of(buffers.flushSend(), "write", ioErrors: counters.ioErrors) {
        case .moved:
            session.lastSendNanos = clock.monotonicNanos()
        case .idle:
            break
        case .close(let reason):
            close(session, reason: reason)
            return
        }
        let needsWrite = buffers.hasPendingSend || session.pendingAckCount > 0
        if session.state == .closing && !needsWrite {
            close(session, reason: nil)
            return
        }
        if needsWrite != session.writeInterest {
            session.writeInterest = needsWrite
            try? epoll.modify(buffers.connection.descriptor, interest: SessionBuffers.interest(wantsWrite: needsWrite),
                              token: session.sessionId)
        }
    }

    private func queueError(_ session: PublisherSession, _ code: ClientErrorCode, relatedId: UInt64 = 0, _ text: String) {
        guard let buffers = session.buffers, buffers.queueError(code, relatedId: relatedId, text: text) else {
            close(session, reason: "cannot queue error \(code): \(text)")
            return
        }
        markDirty(session)
    }

    /// Sends a fatal Error and closes the session once it is written.
    private func fail(_ session: PublisherSession, _ code: ClientErrorCode, _ text: String, relatedId: UInt64 = 0) {
        counters.countSessionFailure(code)
        logger.info("session \(session.sessionId >> 32): \(code): \(text)")
        guard let buffers = session.buffers, buffers.queueError(code, relatedId: relatedId, text: text) else {
            close(session, reason: nil)
            return
        }
        session.state = .closing
        flush(session)
    }

    private func close(_ session: PublisherSession, reason: String?) {
        guard session.active else { return }
        if let reason { logger.info("session \(session.sessionId >> 32) closed: \(reason)") }
        if let buffers = session.buffers {
            try? epoll.remove(buffers.connection.descriptor)
            buffers.connection.close()
        }
        release(session)
    }

    /// Frees the slot (the socket is closed or handed off already).
    private func release(_ session: PublisherSession) {
        session.active = false
        session.buffers = nil
        session.sessionId = 0
        freeSlots.append(session.slot)
        counters.publisherSessions.getAndAddAtomic(-1)
    }

    private func housekeeping(now: Int64) {
        for session in sessions where session.active {
            if now &- session.lastReceiveNanos > configuration.sessionTimeoutNanos {
                if session.state == .closing {
                    close(session, reason: "did not read its final Error")
                } else {
                    fail(session, .sessionTimeout,
                         "nothing received for \(configuration.sessionTimeoutNanos / 1_000_000) ms")
                }
                continue
            }
            if session.state == .open && now &- session.lastSendNanos > configuration.heartbeatIntervalNanos,
               session.buffers?.queueHeartbeat(timestampNanos: clock.wallNanos()) == true {
                session.lastSendNanos = now
                markDirty(session)
            }
        }
    }
}
