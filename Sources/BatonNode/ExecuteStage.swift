import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// The execute stage: serves subscriber sessions committed frames in log
/// order, from any position (replay), filtered by stream, within each
/// subscription's credit.
///
/// Frames are read with a `LogReader` (from the log buffer while they are
/// there, else from the segment files) into the session's staging buffer, so
/// a subscriber never holds log-buffer space: a slow or stalled subscriber
/// cannot block publishers or other subscribers, and one further behind the
/// commit position than the lag limit is dropped with `subscriberTooSlow`.
///
/// Threading: an `Agent` on its runner's thread; the only thread touching its
/// sessions' sockets once they are handed over; single writer of
/// `executePosition`.
public final class ExecuteStage<Clock: NanoClock>: Agent {
    public let roleName = "execute"
    private let configuration: NodeConfiguration
    private let handoff: OneToOneRingBuffer
    private let reader: LogReader
    private let log: DurableLog
    private let commitPosition: PositionCounter
    private let counters: NodeCounters
    private let clock: Clock
    private let logger: Logger
    private var epoll: EPoll
    private var sessions: [SubscriberSession] = []
    private var freeSlots: [Int] = []
    private let stagingBytes: Int
    private let largestFrameBytes: Int
    private var lastHousekeepingNanos: Int64 = 0
    private var nextUse: UInt64 = 0

    public init(configuration: NodeConfiguration, handoff: OneToOneRingBuffer, log: DurableLog,
                commitPosition: PositionCounter, counters: NodeCounters, clock: Clock, logger: Logger) throws {
        self.configuration = configuration
        self.handoff = handoff
        self.log = log
        self.reader = log.makeReader()
        self.commitPosition = commitPosition
        self.counters = counters
        self.clock = clock
        self.logger = logger
        self.epoll = try EPoll(eventCapacity: 256)
        self.largestFrameBytes = FrameDescriptor.alignedFrameLength(payloadLength: configuration.maximumPayloadLength)
        self.stagingBytes = ClientMessageWriter.deliverHeaderLength + max(configuration.deliverBatchBytes, largestFrameBytes)
    }

    public func doWork() throws -> Int {
        var work = takeHandoffs()
        let ready = try epoll.wait(timeoutMillis: 0)
        for index in 0..<ready {
            let event = epoll[ready: index]
            let slot = Int(event.token & 0xFFFF_FFFF)
            guard slot < sessions.count else { continue }
            let session = sessions[slot]
            guard session.active, session.token == event.token else { continue }
            if event.events.contains(.writable) { continueWriting(session) }
            if session.active && (event.events.contains(.readable) || event.events.contains(.hangUp) || event.events.contains(.error)) {
                work += receive(session)
            }
        }
        let committed = commitPosition.getAcquire()
        var lowest = committed
        for session in sessions where session.active && !session.closing {
            work += deliver(session, committed: committed)
            for subscription in session.subscriptions where subscription.nextPosition < lowest {
                lowest = subscription.nextPosition
            }
        }
        if lowest > counters.executePosition.getPlain() { counters.executePosition.setRelease(lowest) }
        let now = clock.monotonicNanos()
        if now &- lastHousekeepingNanos >= 100_000_000 {
            lastHousekeepingNanos = now
            housekeeping(now: now, committed: committed)
        }
        return work
    }

    public func onClose() {
        for session in sessions where session.active {
            if !session.hasDeliverInFlight {
                _ = session.buffers?.queueError(.shuttingDown, text: "the node is shutting down")
                _ = session.buffers?.flushSend()
            }
            close(session, reason: nil)
        }
    }

    // MARK: - Hand-off from client I/O

    private func takeHandoffs() -> Int {
        handoff.read(limit: 16) { typeId, payload, length in
            precondition(typeId == PipelineRecordType.subscriberHandoff, "unexpected record \(typeId) on the hand-off ring")
            let record = HandoffRecord(payload, length: length)
            let connection = TCPConnection(descriptor: SocketDescriptor(rawValue: record.descriptor))
            let session: SubscriberSession
            if let slot = freeSlots.popLast() {
                session = sessions[slot]
            } else {
                session = SubscriberSession(slot: sessions.count, stagingBytes: stagingBytes)
                sessions.append(session)
            }
            session.sessionId = record.sessionId
            nextUse &+= 1
            session.token = nextUse << 32 | UInt64(session.slot)
            session.active = true
            session.closing = false
            session.buffers = SessionBuffers(connection: connection, sendCapacity: 16 << 10, maximumReceiveCapacity: 64 << 10)
            session.lastReceiveNanos = record.lastReceiveNanos
            session.lastSendNanos = clock.monotonicNanos()
            session.writeInterest = false
            session.subscriptions.removeAll(keepingCapacity: true)
            session.stagedLength = 0
            session.stagedWritten = 0
            counters.subscriberSessions.addRelease(1)
            let pending = record.pending
            if pending.count > 0, let buffers = session.buffers {
                guard pending.count <= buffers.maximumReceiveCapacity else {
                    close(session, reason: "\(pending.count) bytes pending at hand-off exceed the subscriber receive buffer")
                    return
                }
                buffers.appendReceived(pending)
            }
            do {
                try epoll.add(connection.descriptor, interest: [.readable, .readHangUp], token: session.token)
            } catch {
                close(session, reason: "cannot watch socket: \(error)")
                return
            }
            handleMessages(session)
        }
    }

    // MARK: - Requests

    private func receive(_ session: SubscriberSession) -> Int {
        guard let buffers = session.buffers else { return 0 }
        switch SessionIO.of(buffers.readAvailable(), "read", ioErrors: counters.ioErrors) {
        case .moved(let count):
            if count > 0 { session.lastReceiveNanos = clock.monotonicNanos() }
        case .idle:
            return 0
        case .close(let reason):
            close(session, reason: reason)
            return 1
        }
        handleMessages(session)
        return 1
    }

    private func handleMessages(_ session: SubscriberSession) {
        guard let buffers = session.buffers else { return }
        while session.active && !session.closing {
            switch ClientFrameScanner.scan(buffers.received, maxMessageLength: buffers.maximumReceiveCapacity - ClientProtocol.lengthPrefixBytes) {
            case .needMore(let needed):
                if let needed { buffers.ensureRoom(for: needed) } else if buffers.receiveStart > 0 { buffers.compact() }
                return
            case .invalid(let code, let text):
                fail(session, code, text)
                return
            case .message(let message, let consumed):
                handle(message, in: session)
                buffers.receiveStart &+= consumed
            }
        }
    }

    private func handle(_ message: DecodedMessage, in session: SubscriberSession) {
        let template = ClientProtocol.Template(rawValue: message.templateId)!
        switch template {
        case .subscribe:
            subscribe(session, try! message.block(as: SubscribeBlock.self))
        case .credit:
            let block = try! message.block(as: CreditBlock.self)
            guard let index = session.subscriptionIndex(block.subscriptionId) else {
                queueError(session, .unknownSubscription, relatedId: UInt64(block.subscriptionId),
                           "subscription \(block.subscriptionId) does not exist on this session")
                return
            }
            if !session.subscriptions[index].unlimitedCredit { session.subscriptions[index].credit &+= Int64(block.credit) }
        case .unsubscribe:
            let block = try! message.block(as: UnsubscribeBlock.self)
            guard let index = session.subscriptionIndex(block.subscriptionId) else {
                queueError(session, .unknownSubscription, relatedId: UInt64(block.subscriptionId),
                           "subscription \(block.subscriptionId) does not exist on this session")
                return
            }
            session.subscriptions.remove(at: index)
            counters.subscriptions.getAndAddAtomic(-1)
        case .heartbeat:
            break
        case .publish:
            fail(session, .wrongSessionKind, "a subscriber session cannot publish: use a separate connection")
        case .hello:
            fail(session, .malformed, "Hello sent twice")
        case .welcome, .publishAck, .subscribed, .deliver, .error:
            fail(session, .malformed, "\(template) is a server-to-client message")
        }
    }

    private func subscribe(_ session: SubscriberSession, _ block: SubscribeBlock) {
        let id = block.subscriptionId
        if session.subscriptionIndex(id) != nil {
            queueError(session, .malformed, relatedId: UInt64(id), "subscription \(id) already exists on this session")
            return
        }
        if session.subscriptions.count >= configuration.maximumSubscriptionsPerSession {
            queueError(session, .tooManySubscriptions, relatedId: UInt64(id),
                       "a session may have at most \(configuration.maximumSubscriptionsPerSession) subscriptions")
            return
        }
        let committed = commitPosition.getAcquire()
        let start: Int64
        switch SubscribeStart(rawValue: block.from) {
        case .earliest:
            start = log.startPosition
        case .latest:
            start = committed
        case .position:
            let requested = block.start
            if let problem = checkStart(requested, committed: committed) {
                queueError(session, .badPosition, relatedId: UInt64(id), problem)
                return
            }
            start = requested
        case .timestamp:
            queueError(session, .badPosition, relatedId: UInt64(id),
                       "subscribing from a timestamp needs the timestamp index, which this node does not keep; use a position")
            return
        case nil:
            fail(session, .malformed, "Subscribe.from \(block.from) is not 0 (earliest), 1 (latest), 2 (position) or 3 (timestamp)")
            return
        }
        session.subscriptions.append(Subscription(subscriptionId: id, streamId: block.streamId, nextPosition: start,
                                                  credit: Int64(block.credit), unlimitedCredit: block.credit == 0))
        counters.subscriptions.getAndAddAtomic(1)
        guard let buffers = session.buffers, buffers.sendSpace(atLeast: 64) else {
            close(session, reason: "send buffer full")
            return
        }
        var writer = buffers.sendWriter()
        try? ClientMessageWriter.writeSubscribed(into: &writer, subscriptionId: id, startPosition: start, commitPosition: committed)
        buffers.commitSend(writer)
        flushControl(session)
    }

    /// Why `position` cannot start a subscription, or nil if it can.
    private func checkStart(_ position: Int64, committed: Int64) -> String? {
        if position > committed { return "position \(position) is past the end of the committed log (\(committed))" }
        let start = log.startPosition
        if position < start { return "position \(position) is below the first retained position \(start)" }
        if position == committed { return nil }
        var probe = [UInt8](repeating: 0, count: 2 * FrameDescriptor.aligned(configuration.log.maximumFrameLength))
        do {
            _ = try probe.withUnsafeMutableBytes { buffer throws(LogError) in
                try reader.read(from: position, upTo: min(committed, position + Int64(buffer.count)), into: buffer)
            }
            return nil
        } catch {
            return "position \(position) is not a frame boundary: \(error)"
        }
    }

    // MARK: - Delivery

    private func deliver(_ session: SubscriberSession, committed: Int64) -> Int {
        if session.hasDeliverInFlight || session.subscriptions.isEmpty { return 0 }
        if let buffers = session.buffers, buffers.hasPendingSend { flushControl(session); if buffers.hasPendingSend { return 0 } }
        let count = session.subscriptions.count
        for step in 0..<count {
            let index = (session.nextSubscription + step) % count
            let subscription = session.subscriptions[index]
            if subscription.nextPosition >= committed { continue }
            if !subscription.unlimitedCredit && subscription.credit <= 0 { continue }
            session.nextSubscription = (index + 1) % count
            return stage(session, index, committed: committed)
        }
        return 0
    }

    /// Reads frames for one subscription into the staging buffer and starts writing a Deliver.
    private func stage(_ session: SubscriberSession, _ index: Int, committed: Int64) -> Int {
        var subscription = session.subscriptions[index]
        let headerLength = ClientMessageWriter.deliverHeaderLength
        // A Deliver never exceeds the message length clients were told, nor the batch size;
        // it always has room for the largest frame a publisher can make.
        var room = min(session.staging.count - headerLength, configuration.deliverBatchBytes)
        if !subscription.unlimitedCredit { room = min(room, Int(subscription.credit)) }
        room = max(room, largestFrameBytes)
        let frames = UnsafeMutableRawBufferPointer(rebasing: session.staging[headerLength..<(headerLength + room)])
        let result: LogReadResult
        do {
            result = try reader.read(from: subscription.nextPosition, upTo: committed, into: frames)
        } catch {
            if case .belowStart = error {
                fail(session, .badPosition, "subscription \(subscription.subscriptionId) is at \(subscription.nextPosition), which retention has deleted: \(error)")
            } else {
                counters.ioErrors.getAndAddAtomic(1)
                fail(session, .internal, "reading the log at \(subscription.nextPosition) failed: \(error)")
            }
            return 1
        }
        // Keep the data frames of the subscribed stream, packed to the front.
        let base = frames.baseAddress!
        var readOffset = 0
        var keptBytes = 0
        var keptFrames = 0
        var firstPosition: Int64 = -1
        while readOffset < result.bytes {
            let frame = FrameHeader(base + readOffset)
            let aligned = frame.alignedLength
            if frame.typeCode == FrameType.data.rawValue
                && (subscription.streamId == ClientProtocol.allStreams || frame.streamId == subscription.streamId) {
                if firstPosition < 0 { firstPosition = frame.position }
                if keptBytes != readOffset { (base + keptBytes).copyMemory(from: base + readOffset, byteCount: aligned) }
                keptBytes &+= aligned
                keptFrames &+= 1
            }
            readOffset &+= aligned
        }
        subscription.nextPosition = result.nextPosition
        if !subscription.unlimitedCredit { subscription.credit -= Int64(keptBytes) }
        session.subscriptions[index] = subscription
        guard keptFrames > 0 else { return 1 }
        // The Deliver header goes right before the kept frames.
        var writer = ByteWriter(UnsafeMutableRawBufferPointer(rebasing: session.staging[0..<headerLength]))
        try? ClientMessageWriter.writeDeliverHeader(into: &writer, subscriptionId: subscription.subscriptionId,
                                                    frameCount: keptFrames, firstPosition: firstPosition, frameBytes: keptBytes)
        session.stagedWritten = 0
        session.stagedLength = headerLength + keptBytes
        counters.messagesOut.addRelease(Int64(keptFrames))
        counters.bytesOut.addRelease(Int64(keptBytes))
        continueWriting(session)
        return 1
    }

    /// Writes control messages first, then the rest of the staged Deliver.
    private func continueWriting(_ session: SubscriberSession) {
        guard let buffers = session.buffers else { return }
        if buffers.hasPendingSend && !session.hasDeliverInFlight {
            flushControl(session)
            return
        }
        while session.hasDeliverInFlight {
            let remaining = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(session.staging)[session.stagedWritten..<session.stagedLength])
            switch SessionIO.of(buffers.connection.write(remaining), "write", ioErrors: counters.ioErrors) {
            case .moved(let count):
                session.stagedWritten += count
                session.lastSendNanos = clock.monotonicNanos()
                if session.stagedWritten == session.stagedLength {
                    session.stagedLength = 0
                    session.stagedWritten = 0
                }
            case .idle:
                setWriteInterest(session, true)
                return
            case .close(let reason):
                close(session, reason: reason)
                return
            }
        }
        if buffers.hasPendingSend { flushControl(session) } else { setWriteInterest(session, false) }
    }

    private func flushControl(_ session: SubscriberSession) {
        guard let buffers = session.buffers else { return }
        switch SessionIO.of(buffers.flushSend(), "write", ioErrors: counters.ioErrors) {
        case .moved:
            session.lastSendNanos = clock.monotonicNanos()
        case .idle:
            break
        case .close(let reason):
            close(session, reason: reason)
            return
        }
        if session.closing && !buffers.hasPendingSend {
            close(session, reason: nil)
            return
        }
        setWriteInterest(session, buffers.hasPendingSend || session.hasDeliverInFlight)
    }

    private func setWriteInterest(_ session: SubscriberSession, _ wanted: Bool) {
        guard session.writeInterest != wanted, let buffers = session.buffers else { return }
        session.writeInterest = wanted
        try? epoll.modify(buffers.connection.descriptor, interest: SessionBuffers.interest(wantsWrite: wanted), token: session.token)
    }

    private func queueError(_ session: SubscriberSession, _ code: ClientErrorCode, relatedId: UInt64 = 0, _ text: String) {
        guard let buffers = session.buffers, buffers.queueError(code, relatedId: relatedId, text: text) else {
            close(session, reason: "cannot queue error \(code): \(text)")
            return
        }
        if !session.hasDeliverInFlight { flushControl(session) }
    }

    private func fail(_ session: SubscriberSession, _ code: ClientErrorCode, _ text: String) {
        counters.countSessionFailure(code)
        logger.info("subscriber session \(session.sessionId >> 32): \(code): \(text)")
        // A Deliver half written cannot be followed by an Error on the same stream: close at once.
        guard !session.hasDeliverInFlight, let buffers = session.buffers, buffers.queueError(code, text: text) else {
            close(session, reason: nil)
            return
        }
        session.closing = true
        flushControl(session)
    }

    private func close(_ session: SubscriberSession, reason: String?) {
        guard session.active else { return }
        if let reason { logger.info("subscriber session \(session.sessionId >> 32) closed: \(reason)") }
        if let buffers = session.buffers {
            try? epoll.remove(buffers.connection.descriptor)
            buffers.connection.close()
        }
        counters.subscriptions.getAndAddAtomic(-Int64(session.subscriptions.count))
        session.subscriptions.removeAll(keepingCapacity: true)
        session.active = false
        session.buffers = nil
        session.stagedLength = 0
        session.stagedWritten = 0
        freeSlots.append(session.slot)
        counters.subscriberSessions.addRelease(-1)
    }

    private func housekeeping(now: Int64, committed: Int64) {
        for session in sessions where session.active {
            if now &- session.lastReceiveNanos > configuration.sessionTimeoutNanos {
                if session.closing { close(session, reason: "did not read its final Error"); continue }
                fail(session, .sessionTimeout, "nothing received for \(configuration.sessionTimeoutNanos / 1_000_000) ms")
                continue
            }
            var index = 0
            while index < session.subscriptions.count {
                let subscription = session.subscriptions[index]
                if committed &- subscription.nextPosition > configuration.subscriberLagLimitBytes {
                    session.subscriptions.remove(at: index)
                    counters.subscriptions.getAndAddAtomic(-1)
                    counters.slowSubscribersDropped.getAndAddAtomic(1)
                    queueError(session, .subscriberTooSlow, relatedId: UInt64(subscription.subscriptionId),
                               "subscription \(subscription.subscriptionId) is \(committed - subscription.nextPosition) bytes behind the commit position, over the limit of \(configuration.subscriberLagLimitBytes)")
                    continue
                }
                index += 1
            }
            if session.active && !session.closing && !session.hasDeliverInFlight
                && now &- session.lastSendNanos > configuration.heartbeatIntervalNanos,
               session.buffers?.queueHeartbeat(timestampNanos: clock.wallNanos()) == true {
                flushControl(session)
            }
        }
    }
}
