import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime
import Logging

/// The delivery stage — the pipeline's execute stage (role and thread name
/// `execute`, counter `position.execute`): serves subscriber sessions
/// committed frames in log order, from any position (replay), filtered by
/// stream, within each subscription's credit.
///
/// Frames are read with a `LogReader` (from the log buffer while they are
/// there, else from the segment files) into the session's staging buffer, so
/// a subscriber never holds log-buffer space: a slow or stalled subscriber
/// cannot block publishers or other subscribers, and one further behind the
/// commit position than the lag limit is dropped with `subscriberTooSlow`.
///
/// The session lifecycle (slots and tokens in a `SessionTable`, epoll
/// dispatch, scan, fail, close, timeout, heartbeats) is the shared
/// `SessionHandler` extension; this type holds only the subscriber side's
/// requests and deliveries.
///
/// Threading: an `Agent` on its runner's thread; the only thread touching its
/// sessions' sockets once they are handed over; single writer of
/// `executePosition`.
public final class DeliveryStage<Clock: NanoClock>: Agent, SessionHandler {
    public let roleName = "execute"
    private let configuration: NodeConfiguration
    private let handoff: OneToOneRingBuffer
    private let reader: LogReader
    private let log: DurableLog
    private let commitPosition: PositionCounter
    private let counters: NodeCounters
    private let clock: Clock
    let sessionLoop: SessionLoop<SubscriberSession, Clock>
    private let stagingBytes: Int
    private let largestFrameBytes: Int
    private var lastHousekeepingNanos: Int64 = 0

    public init(configuration: NodeConfiguration, handoff: OneToOneRingBuffer, log: DurableLog,
                commitPosition: PositionCounter, counters: NodeCounters, clock: Clock, logger: Logger) throws {
        self.configuration = configuration
        self.handoff = handoff
        self.log = log
        self.reader = log.makeReader()
        self.commitPosition = commitPosition
        self.counters = counters
        self.clock = clock
        self.largestFrameBytes = FrameDescriptor.alignedFrameLength(payloadLength: configuration.maximumPayloadLength)
        self.stagingBytes = ClientMessageWriter.deliverHeaderLength + max(configuration.deliverBatchBytes, largestFrameBytes)
        // Slots are made as hand-offs arrive (each holds a staging buffer); the count is not capped here.
        let table = SessionTable<SubscriberSession>(capacity: Int(UInt32.max) - 1, preallocated: 0) { _ in
            preconditionFailure("no subscriber session is preallocated")
        }
        sessionLoop = try SessionLoop(table: table, configuration: configuration, counters: counters,
                                      openSessions: counters.subscriberSessions, clock: clock, logger: logger,
                                      logLabel: "subscriber session")
    }

    public func doWork() throws -> Int {
        var work = takeHandoffs()
        work += try pollSessions()
        let committed = commitPosition.getAcquire()
        var lowest = committed
        let table = sessionLoop.table
        for slot in 0..<table.slotCount where table[slot].lifecycle == .open {
            let session = table[slot]
            work += deliver(session, committed: committed)
            for subscription in session.subscriptions where subscription.nextPosition < lowest {
                lowest = subscription.nextPosition
            }
        }
        if lowest > counters.executePosition.getPlain() { counters.executePosition.setRelease(lowest) }
        assert(deliveredWithin(committed), "delivered past the commit position \(committed)")
        let now = clock.monotonicNanos()
        if now &- lastHousekeepingNanos >= 100_000_000 {
            lastHousekeepingNanos = now
            housekeepSessions(now: now) { session in dropLagging(session, committed: committed) }
        }
        return work
    }

    public func onClose() { closeAllSessions() }

    /// The stage's safety invariant (checked after every duty cycle in debug
    /// builds): no subscription has been served past the commit position, and
    /// the execute position is within it.
    func deliveredWithin(_ committed: Int64) -> Bool {
        guard counters.executePosition.getPlain() <= committed else { return false }
        let table = sessionLoop.table
        for slot in 0..<table.slotCount where table[slot].lifecycle == .open {
            for subscription in table[slot].subscriptions where subscription.nextPosition > committed { return false }
        }
        return true
    }

    // MARK: - Hand-off from client I/O

    private func takeHandoffs() -> Int {
        handoff.read(limit: 16) { typeId, payload, length in
            precondition(typeId == PipelineRecordType.subscriberHandoff, "unexpected record \(typeId) on the hand-off ring")
            let record = HandoffRecord(payload, length: length)
            let connection = TCPConnection(descriptor: SocketDescriptor(rawValue: record.descriptor))
            let stagingBytes = stagingBytes
            guard let session = sessionLoop.table.acquire(as: .open, make: { SubscriberSession(slot: $0, stagingBytes: stagingBytes) }) else {
                preconditionFailure("the subscriber session table holds 2^32 - 2 slots")
            }
            session.sessionId = record.sessionId
            session.subscriptions.removeAll(keepingCapacity: true)
            session.stagedLength = 0
            session.stagedWritten = 0
            let buffers = SessionBuffers(connection: connection, sendCapacity: 16 << 10, maximumReceiveCapacity: 64 << 10)
            sessionLoop.attach(session, buffers, lastReceiveNanos: record.lastReceiveNanos)
            let pending = record.pending
            if pending.count > 0 {
                guard pending.count <= buffers.maximumReceiveCapacity else {
                    close(session, reason: "\(pending.count) bytes pending at hand-off exceed the subscriber receive buffer")
                    return
                }
                buffers.appendReceived(pending)
            }
            do {
                try sessionLoop.watch(session)
            } catch {
                close(session, reason: "cannot watch socket: \(error)")
                return
            }
            _ = pump(session, read: false)
        }
    }

    // MARK: - Requests (the protocol half; the lifecycle is `SessionHandler+Lifecycle`)

    func handle(_ message: DecodedMessage, in session: SubscriberSession) -> SessionMessageOutcome {
        let template = ClientProtocol.Template(rawValue: message.templateId)!
        switch template {
        case .subscribe:
            subscribe(session, message.scannedBlock(as: SubscribeBlock.self))
        case .credit:
            let block = message.scannedBlock(as: CreditBlock.self)
            guard let index = knownSubscription(session, block.subscriptionId) else { return .handled }
            if !session.subscriptions[index].unlimitedCredit { session.subscriptions[index].credit &+= Int64(block.credit) }
        case .unsubscribe:
            let block = message.scannedBlock(as: UnsubscribeBlock.self)
            guard let index = knownSubscription(session, block.subscriptionId) else { return .handled }
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
        return .handled
    }

    /// The index of subscription `id`, or nil after queueing `unknownSubscription`.
    private func knownSubscription(_ session: SubscriberSession, _ id: UInt32) -> Int? {
        if let index = session.subscriptionIndex(id) { return index }
        queueError(session, .unknownSubscription, relatedId: UInt64(id), "subscription \(id) does not exist on this session")
        return nil
    }

    /// Requests never wait for room downstream.
    func blocked(_ session: SubscriberSession) {
        preconditionFailure("a subscriber request never blocks")
    }

    func listenerReady() -> Int { 0 }  // Sessions arrive by hand-off: there is no listener.

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
        do {
            try ClientMessageWriter.writeSubscribed(into: &writer, subscriptionId: id, startPosition: start, commitPosition: committed)
        } catch {
            preconditionFailure("a Subscribed (\(SubscribedBlock.encodedLength) bytes of block) fits the 64 bytes checked: \(error)")
        }
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
        do {
            try ClientMessageWriter.writeDeliverHeader(into: &writer, subscriptionId: subscription.subscriptionId,
                                                       frameCount: keptFrames, firstPosition: firstPosition, frameBytes: keptBytes)
        } catch {
            preconditionFailure("a Deliver header fills exactly the \(headerLength) bytes staged for it: \(error)")
        }
        session.stagedWritten = 0
        session.stagedLength = headerLength + keptBytes
        counters.messagesOut.addRelease(Int64(keptFrames))
        counters.bytesOut.addRelease(Int64(keptBytes))
        flush(session)
        return 1
    }

    /// Writes control messages first, then the rest of the staged Deliver.
    func flush(_ session: SubscriberSession) {
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

    /// Writes the send buffer (control messages), never while a Deliver is half written.
    private func flushControl(_ session: SubscriberSession) {
        guard let buffers = session.buffers, writeQueued(session, buffers) else { return }
        settle(session, needsWrite: buffers.hasPendingSend || session.hasDeliverInFlight)
    }

    func sendQueued(_ session: SubscriberSession) {
        if !session.hasDeliverInFlight { flushControl(session) }
    }

    /// A Deliver half written cannot be followed by anything else on the stream.
    func canQueueControl(_ session: SubscriberSession) -> Bool { !session.hasDeliverInFlight }

    func willRelease(_ session: SubscriberSession) {
        counters.subscriptions.getAndAddAtomic(-Int64(session.subscriptions.count))
        session.subscriptions.removeAll(keepingCapacity: true)
        session.stagedLength = 0
        session.stagedWritten = 0
    }

    /// Drops the session's subscriptions further behind the commit position than the lag limit.
    private func dropLagging(_ session: SubscriberSession, committed: Int64) {
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
    }
}
