import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension ChainReplicator {
    /// Status from the successor: its received position, chain-durable
    /// position and window. A first Status, or one lower than before (the
    /// successor restarted with less), starts a resend from its position.
    func onStatus(received: Int64, chainDurable: Int64, window: Int64, now: Int64) {
        if adopting {
            if received > appender.position {
                if adoptTarget < 0 {
                    logger.warning("successor \(successor?.nodeId ?? 0) holds the log up to \(received), beyond this head's \(appender.position): taking those frames from it before ordering")
                }
                adoptTarget = max(adoptTarget, received)
            } else {
                finishAdopting()
            }
        }
        if !successorKnown || received < successorReceived {
            if received < stagedPosition { startResend(from: received, reason: successorKnown ? "successor went back" : "successor joined") }
            successorKnown = true
            successorProgressNanos = now
        }
        if received > successorReceived { successorProgressNanos = now }
        successorReceived = received
        counters.successorReceived.setReleaseAllowingDecrease(received)
        successorWindow = window
        if chainDurable > successorChainDurable {
            successorChainDurable = chainDurable
            counters.successorChainDurable.setRelease(chainDurable)
        }
    }

    /// A Nak: resend from `position` unless a resend already covers it.
    func onNak(position: Int64) {
        counters.naksReceived.addRelease(1)
        if position >= stagedPosition { return }
        if resender.isActive && position >= resender.position { return }
        startResend(from: position, reason: "nak")
    }

    func startResend(from position: Int64, reason: StaticString) {
        let start = max(position, log.startPosition)
        guard start < stagedPosition else { return }
        resender.start(at: start)
        counters.retransmits.addRelease(1)
        logger.debug("resending to node \(successor?.nodeId ?? 0) from \(start) (\(reason)); sent up to \(stagedPosition)")
    }

    /// Sends to the successor: a resend in progress, else new bytes within the
    /// window; a Commit when the commit position moved; a Heartbeat when idle.
    func transmit(now: Int64) -> Int {
        guard let successor else { return 0 }
        let destination = successor.replicationAddress
        var work = 0
        if successorKnown {
            if !resender.isActive && successorReceived < stagedPosition
                && now &- successorProgressNanos >= 4 &* heartbeatInterval {
                // Sent, not acknowledged, nothing heard: the tail of a burst was lost.
                startResend(from: successorReceived, reason: "timeout")
                successorProgressNanos = now
            }
            if resender.isActive {
                work += resend(to: destination)
            } else {
                work += sendNew(to: destination)
            }
        }
        if commit > lastCommitSent, let header = beginMessage(.commit, to: destination) {
            header.setInt64(commit, at: ReplicationField.commitPosition)
            lastCommitSent = commit
            lastSentNanos = now
            work += 1
        }
        if work > 0 {
            lastSentNanos = now
        } else if now &- lastSentNanos >= heartbeatInterval,
                  let header = beginMessage(.heartbeat, to: destination) {
            header.setInt64(stagedPosition, at: ReplicationField.heartbeatSent)
            header.setInt64(commit, at: ReplicationField.heartbeatCommit)
            lastSentNanos = now
            work += 1
        }
        return work
    }

    /// New bytes, zero-copy from the log buffer: up to the appended position
    /// and the successor's window, at most `dataBytesMax` a datagram, never
    /// across the buffer's wrap (one iovec each). Leaves one datagram of room
    /// for a Commit or Heartbeat.
    func sendNew(to destination: IPv4SocketAddress) -> Int {
        let appended = logCounters.appended.getAcquire()
        let windowLimit = successorReceived &+ successorWindow
        let limit = min(appended, windowLimit)
        var position = stagedPosition
        var datagrams = 0
        while position < limit && transport.datagramRoom > 1 && headerSlotsUsed < headerSlotCount - 1 {
            let wrap = (position | bufferMask) &+ 1
            let length = Int(min(limit, wrap, position &+ Int64(dataBytesMax)) &- position)
            guard let header = beginMessage(.data, to: destination) else { break }
            header.setInt64(position, at: ReplicationField.dataPosition)
            let region = UnsafeRawBufferPointer(start: bufferBase + Int(position & bufferMask), count: length)
            let appendedRegion = transport.append(region)
            assert(appendedRegion, "a Data payload of at most dataBytesMax fits its datagram")
            position &+= Int64(length)
            datagrams &+= 1
        }
        if datagrams > 0 {
            counters.dataBytesSent.addRelease(position &- stagedPosition)
            stagedPosition = position
        }
        return datagrams
    }

    /// Go-back-N: resends from the resend cursor up to `stagedPosition`
    /// (whole frames re-read from the buffer or the segments), within the
    /// successor's window.
    func resend(to destination: IPv4SocketAddress) -> Int {
        let start = resender.position
        let datagrams = stage(resender, to: destination, limit: successorReceived &+ successorWindow, purpose: "resend")
        let position = resender.position
        guard position > start else { return datagrams }
        counters.retransmittedBytes.addRelease(position &- start)
        if position > stagedPosition {
            counters.dataBytesSent.addRelease(position &- stagedPosition)
            stagedPosition = position
        }
        if position >= stagedPosition { resender.stop() }
        return datagrams
    }

    /// Stages Data datagrams from `cursor` up to `limit` (and the end of its
    /// chunk), refilling the chunk first when the batch holds none of its
    /// bytes. Returns the datagrams staged; on a read error stops the cursor.
    func stage(_ cursor: LogResendCursor, to destination: IPv4SocketAddress, limit: Int64, purpose: StaticString) -> Int {
        if cursor.needsRefill {
            guard transport.pendingCount == 0 else { return 0 }
            do {
                guard try cursor.refill() else { return 0 }
            } catch {
                logger.error("\(purpose) from \(cursor.position) to \(destination) failed: \(error); waiting for the peer's next report")
                cursor.stop()
                return 0
            }
        }
        var datagrams = 0
        var position = cursor.position
        let end = min(cursor.chunkEnd, limit)
        while position < end && transport.datagramRoom > 1 && headerSlotsUsed < headerSlotCount - 1 {
            let length = Int(min(end, position &+ Int64(dataBytesMax)) &- position)
            guard let header = beginMessage(.data, to: destination) else { break }
            header.setInt64(position, at: ReplicationField.dataPosition)
            let appendedRegion = transport.append(cursor.bytes(from: position, length: length))
            assert(appendedRegion, "a Data payload of at most dataBytesMax fits its datagram")
            position &+= Int64(length)
            datagrams &+= 1
        }
        cursor.position = position
        return datagrams
    }
}
