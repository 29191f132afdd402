import BatonCodec
import BatonNet
import BatonProtocol
import BatonTestSupport
import CBatonSys
import Glibc
import Synchronization

/// A small broker stand-in on 127.0.0.1 (ephemeral port), run by one thread:
/// it speaks the client protocol with `ClientMessageWriter`, logs publishes
/// (dropping duplicates by producer id and sequence, like the order stage),
/// acknowledges them cumulatively, serves a scripted log to subscribers
/// within their credit, and injects the faults its script names.
///
/// Invariant: after `stop()` the thread has ended and every socket is
/// closed. Threading: the test thread calls `init`, `record`, `setAcking`,
/// `stop`; everything else runs on the server thread; shared state sits
/// behind a `Mutex` or an `Atomic`.
final class FakeServer: @unchecked Sendable {
    let script: FakeServerScript
    let port: UInt16
    private let listener: TCPListener
    private let recordStorage = Mutex(FakeServerRecord())
    private let stopRequested = Atomic<Bool>(false)
    private let ackingEnabled: Atomic<Bool>
    private var thread = pthread_t()
    private var joined = false

    // Server-thread state.
    private var sessions: [FakeSession] = []
    private var sessionCount = 0
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 64)
    private var lastSequence: [UInt64: UInt64] = [:]
    private var lastPosition: [UInt64: Int64] = [:]
    private var refusedFrom: [UInt64: UInt64] = [:]
    private var backPressureSent = false
    private var publishErrorSent = false
    private var logEnd: Int64 = 0
    /// The subscriber log: bytes, and (position, length, stream, isPadding) per frame.
    private var logBytes: [UInt8] = []
    private var logFrames: [(offset: Int, position: Int64, length: Int, streamId: UInt32, isPadding: Bool)] = []

    init(_ script: FakeServerScript = FakeServerScript()) throws {
        self.script = script
        ackingEnabled = Atomic(script.acking)
        listener = try TCPListener.listen(on: .loopback())
        port = try listener.localAddress().port
        buildLog()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = baton_thread_start(&thread, fakeServerThreadMain, context, -1, "fake-server")
        guard result == 0 else {
            Unmanaged<FakeServer>.fromOpaque(context).release()
            listener.close()
            throw TestFailure("cannot start the fake server thread: errno \(result)")
        }
    }

    deinit {
        scratch.deallocate()
    }

    var address: IPv4SocketAddress { .loopback(port: port) }

    /// A copy of what the server saw so far.
    var record: FakeServerRecord { recordStorage.withLock { $0 } }

    /// Turns acknowledging on (sending what is owed at once) or off.
    func setAcking(_ on: Bool) { ackingEnabled.store(on, ordering: .sequentiallyConsistent) }

    /// Stops the thread and closes every socket; idempotent.
    func stop() {
        guard !joined else { return }
        stopRequested.store(true, ordering: .sequentiallyConsistent)
        _ = baton_thread_join(thread)
        joined = true
    }

    /// Positions of the log's data frames, in order.
    var framePositions: [Int64] { logFrames.filter { !$0.isPadding }.map(\.position) }
    /// The position after the last frame of the log.
    var logEndPosition: Int64 { logFrames.last.map { $0.position + Int64($0.length) } ?? 0 }

    private func note(_ body: (inout FakeServerRecord) -> Void) { recordStorage.withLock { body(&$0) } }

    // MARK: - The log served to subscribers

    private func buildLog() {
        var position: Int64 = 0
        for (index, frame) in script.frames.enumerated() {
            let length = FrameDescriptor.alignedFrameLength(payloadLength: frame.payload.count)
            let offset = logBytes.count
            logBytes.append(contentsOf: [UInt8](repeating: 0, count: length))
            logBytes.withUnsafeMutableBytes { bytes in
                let header = FrameHeader(bytes.baseAddress! + offset)
                header.writeDataHeader(payloadLength: frame.payload.count, streamId: frame.streamId, position: position,
                                       producerId: frame.producerId, sequence: frame.sequence,
                                       timestampNanos: 1_700_000_000_000_000_000 + Int64(index))
                frame.payload.withUnsafeBytes { payload in
                    if payload.count > 0 { header.payload.copyMemory(from: payload.baseAddress!, byteCount: payload.count) }
                }
                header.seal()
                if script.corruptFrame == index {
                    let target = frame.payload.isEmpty ? FrameDescriptor.sequenceOffset : FrameDescriptor.headerLength
                    bytes[offset + target] ^= 0x40
                }
            }
            logFrames.append((offset, position, length, frame.streamId, false))
            position += Int64(length)
            if script.paddingAfterFrame == index {
                let padding = script.paddingBytes
                let paddingOffset = logBytes.count
                logBytes.append(contentsOf: [UInt8](repeating: 0, count: padding))
                logBytes.withUnsafeMutableBytes { bytes in
                    FrameHeader(bytes.baseAddress! + paddingOffset).writePadding(length: padding, position: position)
                }
                logFrames.append((paddingOffset, position, padding, 0, true))
                position += Int64(padding)
            }
        }
    }

    // MARK: - The server thread

    fileprivate func serve() {
        while !stopRequested.load(ordering: .sequentiallyConsistent) {
            var busy = acceptAll()
            for session in sessions where !session.closed {
                busy = readAndHandle(session) || busy
                if ackingEnabled.load(ordering: .sequentiallyConsistent) { sendOwedAck(session) }
                busy = deliver(session) || busy
                flush(session)
            }
            sessions.removeAll { $0.closed }
            if !busy { waitForActivity() }
        }
        for session in sessions where !session.closed { session.connection.close() }
        sessions.removeAll()
        listener.close()
    }

    private func acceptAll() -> Bool {
        var accepted = false
        while let (connection, _) = try? listener.accept() {
            sessionCount += 1
            sessions.append(FakeSession(connection: connection, number: sessionCount))
            let number = sessionCount
            note { $0.sessions = number }
            accepted = true
        }
        return accepted
    }

    private func waitForActivity() {
        var entries = [pollfd(fd: listener.descriptor.rawValue, events: Int16(POLLIN), revents: 0)]
        for session in sessions {
            let events = Int16(POLLIN) | (session.outbound.isEmpty ? 0 : Int16(POLLOUT))
            entries.append(pollfd(fd: session.connection.descriptor.rawValue, events: events, revents: 0))
        }
        _ = poll(&entries, nfds_t(entries.count), 2)
    }

    private func readAndHandle(_ session: FakeSession) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 256 * 1_024)
        var progressed = false
        while !session.closed {
            let result = chunk.withUnsafeMutableBytes { session.connection.read(into: $0) }
            switch result {
            case .transferred(let count):
                session.inbound.append(contentsOf: chunk[0..<count])
                progressed = true
            case .wouldBlock:
                handleMessages(session)
                return progressed
            case .closed, .error:
                handleMessages(session)
                close(session)
                return true
            }
        }
        return progressed
    }

    private func handleMessages(_ session: FakeSession) {
        let consumed: Int = session.inbound.withUnsafeBytes { bytes in
            var offset = 0
            while !session.closed {
                switch ClientFrameScanner.scan(UnsafeRawBufferPointer(rebasing: bytes[offset...]),
                                               maxMessageLength: script.maxMessageLength) {
                case .needMore:
                    return offset
                case .invalid(let code, let text):
                    note { $0.problems.append("client sent an invalid message: \(code) \(text)") }
                    sendError(session, FakeError(code: code, text: text))
                    close(session, afterFlush: true)
                    return bytes.count
                case .message(let message, let length):
                    handle(message, session)
                    offset += length
                }
            }
            return bytes.count
        }
        session.inbound.removeFirst(consumed)
    }

    private func handle(_ message: DecodedMessage, _ session: FakeSession) {
        guard let template = ClientProtocol.Template(rawValue: message.templateId) else { return }
        if template != .hello && !session.welcomed {
            sendError(session, FakeError(code: .notWelcomed, text: "\(template) before Hello"))
            close(session, afterFlush: true)
            return
        }
        switch template {
        case .hello:
            note { $0.hellos += 1 }
            if let refusal = script.refuseHello {
                sendError(session, refusal)
                close(session, afterFlush: true)
                return
            }
            session.welcomed = true
            send(session) { (writer: inout ByteWriter) throws(CodecError) in
                try ClientMessageWriter.writeWelcome(
                    into: &writer, version: 1, nodeId: 7, sessionId: UInt64(session.number),
                    maxMessageLength: script.maxMessageLength, maxPayloadLength: script.maxPayloadLength,
                    heartbeatIntervalMillis: script.heartbeatIntervalMillis, maxBatchCount: script.maxBatchCount,
                    commitPosition: logEndPosition, serverName: "fake-server")
            }
        case .publish:
            handlePublish(message, session)
        case .subscribe:
            handleSubscribe(message, session)
        case .credit:
            guard let block = try? message.block(as: CreditBlock.self) else { return }
            let credit = block.credit
            note { $0.credits.append(credit) }
            if let subscription = session.subscription, let remaining = subscription.creditRemaining {
                session.subscription!.creditRemaining = remaining + Int(credit)
            }
        case .unsubscribe:
            note { $0.unsubscribes += 1 }
            session.subscription = nil
        case .heartbeat:
            note { $0.heartbeats += 1 }
        default:
            note { $0.problems.append("client sent server-side template \(template)") }
        }
    }

    private func handlePublish(_ message: DecodedMessage, _ session: FakeSession) {
        let batch: PublishBatch
        switch PublishBatch.validate(message, maxPayloadLength: script.maxPayloadLength, maxBatchCount: script.maxBatchCount) {
        case .success(let valid): batch = valid
        case .failure(let error):
            note { $0.problems.append("invalid publish: \(error)") }
            sendError(session, FakeError(code: error.code, text: error.description))
            close(session, afterFlush: true)
            return
        }
        let producer = batch.block.producerId
        let first = batch.block.firstSequence
        var payloads: [[UInt8]] = []
        batch.forEachPayload { _, payload in payloads.append([UInt8](payload)) }
        session.publishes += 1
        note {
            $0.publishes.append(ReceivedPublish(session: session.number, streamId: batch.block.streamId,
                                                producerId: producer, firstSequence: first, payloads: payloads))
        }
        if let failure = script.errorOnFirstPublish, !publishErrorSent {
            publishErrorSent = true
            sendError(session, failure, relatedId: producer)
            if failure.code.isFatal { close(session, afterFlush: true) }
            return
        }
        if let refused = refusedFrom[producer] {
            if first > refused {
                sendError(session, FakeError(code: .backPressure, text: "still refusing after \(refused)"), relatedId: producer)
                return
            }
            refusedFrom[producer] = nil
        } else if script.backPressureFirstPublish && !backPressureSent {
            backPressureSent = true
            refusedFrom[producer] = first
            sendError(session, FakeError(code: .backPressure, text: "ingress full: resend from \(first)"), relatedId: producer)
            return
        }
        for (index, payload) in payloads.enumerated() {
            let sequence = first + UInt64(index)
            if let last = lastSequence[producer] {
                if sequence <= last { continue }
                if sequence > last + 1 {
                    sendError(session, FakeError(code: .sequenceGap, text: "sequence \(sequence) after \(last)"), relatedId: producer)
                    close(session, afterFlush: true)
                    return
                }
            }
            let position = logEnd
            logEnd += Int64(FrameDescriptor.alignedFrameLength(payloadLength: payload.count))
            lastSequence[producer] = sequence
            lastPosition[producer] = position
            note { $0.logged.append(LoggedMessage(producerId: producer, sequence: sequence, position: position, payload: payload)) }
        }
        if let drop = script.dropFirstSessionAfterPublishes, session.number == 1, session.publishes >= drop {
            session.connection.resetAndClose()
            session.closed = true
            return
        }
        session.owedAck = producer
        if ackingEnabled.load(ordering: .sequentiallyConsistent) { sendOwedAck(session) }
    }

    private func sendOwedAck(_ session: FakeSession) {
        guard let producer = session.owedAck, let sequence = lastSequence[producer], let position = lastPosition[producer] else { return }
        session.owedAck = nil
        note { $0.acks.append(sequence) }
        send(session) { (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writePublishAck(into: &writer, producerId: producer, sequence: sequence, position: position)
        }
    }

    private func handleSubscribe(_ message: DecodedMessage, _ session: FakeSession) {
        guard let block = try? message.block(as: SubscribeBlock.self) else { return }
        let request = ReceivedSubscribe(subscriptionId: block.subscriptionId, streamId: block.streamId, from: block.from,
                                        start: block.start, credit: block.credit)
        note { $0.subscribes.append(request) }
        var index = 0
        switch SubscribeStart(rawValue: request.from) {
        case .earliest: index = 0
        case .latest: index = logFrames.count
        case .position:
            if let found = logFrames.firstIndex(where: { $0.position == request.start }) {
                index = found
            } else if request.start == logEndPosition {
                index = logFrames.count
            } else {
                sendError(session, FakeError(code: .badPosition, text: "position \(request.start) is not a frame boundary"),
                          relatedId: UInt64(request.subscriptionId))
                return
            }
        default:
            sendError(session, FakeError(code: .malformed, text: "from \(request.from) not supported by the fake"))
            return
        }
        let startPosition = index < logFrames.count ? logFrames[index].position : logEndPosition
        session.subscription = FakeSubscription(id: request.subscriptionId, streamId: request.streamId, nextFrame: index,
                                                creditRemaining: request.credit == 0 ? nil : Int(request.credit))
        send(session) { (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeSubscribed(into: &writer, subscriptionId: request.subscriptionId,
                                                    startPosition: startPosition, commitPosition: logEndPosition)
        }
    }

    /// Sends the next Deliver of the session's subscription if its credit allows.
    private func deliver(_ session: FakeSession) -> Bool {
        guard var subscription = session.subscription, session.outbound.count < 1 << 20 else { return false }
        var selected: [Int] = []
        var bytes = 0
        var index = subscription.nextFrame
        while index < logFrames.count && selected.count < script.framesPerDeliver {
            let frame = logFrames[index]
            let wanted = frame.isPadding ? script.deliverPadding
                : (subscription.streamId == ClientProtocol.allStreams || frame.streamId == subscription.streamId)
            if wanted {
                if let credit = subscription.creditRemaining, bytes + frame.length > credit { break }
                selected.append(index)
                bytes += frame.length
            }
            index += 1
        }
        guard !selected.isEmpty else {
            subscription.nextFrame = index  // skipped frames of other streams, or stopped at the first it cannot afford
            session.subscription = subscription
            return false
        }
        subscription.nextFrame = index
        if let credit = subscription.creditRemaining { subscription.creditRemaining = credit - bytes }
        session.subscription = subscription
        let frames = selected.map { logFrames[$0] }
        let dataFrames = frames.filter { !$0.isPadding }.count
        note { $0.framesDelivered += dataFrames }
        let firstPosition = frames[0].position
        let id = subscription.id
        logBytes.withUnsafeBytes { log in
            send(session) { (writer: inout ByteWriter) throws(CodecError) in
                try ClientMessageWriter.writeDeliverHeader(into: &writer, subscriptionId: id, frameCount: frames.count,
                                                           firstPosition: firstPosition, frameBytes: bytes)
                for frame in frames {
                    try writer.write(bytes: UnsafeRawBufferPointer(rebasing: log[frame.offset..<frame.offset + frame.length]))
                }
            }
        }
        return true
    }

    // MARK: - Output

    private func send(_ session: FakeSession, _ build: (inout ByteWriter) throws(CodecError) -> Void) {
        var writer = ByteWriter(scratch)
        do {
            try build(&writer)
        } catch {
            note { $0.problems.append("fake server could not encode a message: \(error)") }
            return
        }
        session.outbound.append(contentsOf: writer.written)
        flush(session)
    }

    private func sendError(_ session: FakeSession, _ error: FakeError, relatedId: UInt64 = 0) {
        note { $0.errorsSent.append(error.code) }
        send(session) { (writer: inout ByteWriter) throws(CodecError) in
            try ClientMessageWriter.writeError(into: &writer, code: error.code, relatedId: relatedId, text: error.text)
        }
    }

    private func flush(_ session: FakeSession) {
        guard !session.closed else { return }
        while !session.outbound.isEmpty {
            let result = session.outbound.withUnsafeBytes { session.connection.write($0) }
            switch result {
            case .transferred(let count):
                session.outbound.removeFirst(count)
            case .wouldBlock:
                return
            case .closed, .error:
                close(session)
                return
            }
        }
        if session.closeAfterFlush { close(session) }
    }

    private func close(_ session: FakeSession, afterFlush: Bool = false) {
        guard !session.closed else { return }
        if afterFlush && !session.outbound.isEmpty {
            session.closeAfterFlush = true
            flush(session)
            return
        }
        session.connection.close()
        session.closed = true
    }
}

/// One client session of the fake server. Server thread only.
final class FakeSession {
    let connection: TCPConnection
    let number: Int
    var inbound: [UInt8] = []
    var outbound: [UInt8] = []
    var welcomed = false
    var closed = false
    var closeAfterFlush = false
    var publishes = 0
    var owedAck: UInt64?
    var subscription: FakeSubscription?

    init(connection: TCPConnection, number: Int) {
        self.connection = connection
        self.number = number
    }
}

/// A subscription of a fake session: the next log frame to consider and the credit left (nil: unlimited).
struct FakeSubscription {
    var id: UInt32
    var streamId: UInt32
    var nextFrame: Int
    var creditRemaining: Int?
}

/// The C entry point of the fake server's thread.
private func fakeServerThreadMain(_ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let server = Unmanaged<FakeServer>.fromOpaque(context).takeRetainedValue()
    server.serve()
}
