import BatonCodec
import BatonProtocol

extension Publisher {
    /// Writes closed batches (and pending control messages between them)
    /// until the socket is full; returns the bytes written.
    @discardableResult
    func sendPending(now: Int64) -> Int {
        guard connection.isConnected else { return 0 }
        var written = 0
        while true {
            if buffer.isAtMessageBoundary {
                guard connection.flushControl() else { return written }
                if resendPending {
                    guard now >= resendAtNanos else { return written }
                    resendPending = false
                    buffer.rewind()
                }
            }
            guard buffer.hasUnsent else { return written }
            let bytes = buffer.unsentBytes()
            guard let count = connection.writeData(bytes), count > 0 else { return written }
            buffer.didSend(count)
            written &+= count
            if let acked = lastAckedSequence { buffer.release(through: acked) }
            if count < bytes.count { return written }
        }
    }

    /// Handles one message from the broker.
    func handle(_ message: DecodedMessage, now: Int64) throws(BatonClientError) -> ReceiveDisposition {
        switch message.templateId {
        case ClientProtocol.Template.publishAck.rawValue:
            let ack: PublishAckBlock
            do { ack = try message.block(as: PublishAckBlock.self) } catch {
                throw connection.fail(.protocolViolation("PublishAck: \(error.description)"))
            }
            try acknowledge(producer: ack.producerId, sequence: ack.sequence, position: ack.position)
            return .handled
        case ClientProtocol.Template.error.rawValue:
            let error = BatonConnection.serverError(message)
            if error.serverCode == .backPressure {
                resendPending = true
                resendAtNanos = now &+ retryDelayNanos
                return .handled
            }
            throw connection.fail(error)
        default:
            throw connection.fail(.protocolViolation("unexpected template \(message.templateId) on a publishing session"))
        }
    }

    /// Applies a cumulative acknowledgement.
    @inline(__always)
    func acknowledge(producer: UInt64, sequence: UInt64, position: Int64) throws(BatonClientError) {
        guard producer == producerId else {
            throw connection.fail(.protocolViolation("PublishAck for producer \(producer); this publisher is \(producerId)"))
        }
        if sequence < unackedFrom { return }  // an older ack, or one for a resent duplicate
        var covered = sequence
        if sequence >= nextSequence {
            // The broker had logged this producer id further than this publisher
            // has gone: what was sent here lay at or below its last sequence and
            // was dropped as a duplicate. Everything sent is acknowledged; the
            // owner learns why from `ackedAheadSequence`.
            ackedAheadSequence = sequence
            if nextSequence == unackedFrom { return }
            covered = nextSequence &- 1
        }
        unackedFrom = covered &+ 1
        brokers.progressed()
        lastAckedSequence = covered
        lastAckedPosition = position
        buffer.release(through: covered)
    }
}
