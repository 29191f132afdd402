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

    /// The head holds everything its successor does: order from here on.
    func finishAdopting() {
        adopting = false
        let end = appender.position
        if end > stagedPosition {
            counters.adoptedBytes.addRelease(end &- stagedPosition)
            logger.warning("took \(end - stagedPosition) bytes of log back from successor \(successor?.nodeId ?? 0); ordering from \(end)")
            stagedPosition = end
            counters.sentPosition.setRelease(end)
        }
        counters.headReady.setRelease(1)
    }

    /// A restarted head behind its successor asks for the missing frames (a
    /// Nak sent downstream) every heartbeat interval until it has them all.
    func pullFromSuccessor(now: Int64) -> Int {
        guard let successor, adoptTarget >= 0 else { return 0 }
        let position = appender.position
        if position >= adoptTarget {
            finishAdopting()
            return 1
        }
        guard now &- lastPullNanos >= heartbeatInterval,
              let header = beginMessage(.nak, to: successor.replicationAddress) else { return 0 }
        header.setInt64(position, at: ReplicationField.nakPosition)
        header.setInt64(adoptTarget &- position, at: ReplicationField.nakLength)
        counters.naksSent.addRelease(1)
        lastPullNanos = now
        return 1
    }

    /// A pull from the predecessor (a restarted head): send it this member's log from `position`.
    func onPull(position: Int64) {
        counters.naksReceived.addRelease(1)
        let end = logCounters.appended.getAcquire()
        guard position < end, position >= log.startPosition else { return }
        pushPosition = position
        counters.pullsServed.addRelease(1)
    }

    /// Sends the log upstream from `pushPosition` to the appended position
    /// (whole frames through a log reader, like a resend).
    func pushUpstream() -> Int {
        guard pushPosition >= 0, let predecessor else { return 0 }
        let chunkEnd = pushChunkPosition &+ Int64(pushChunkBytes)
        if pushChunkPosition < 0 || pushPosition < pushChunkPosition || pushPosition >= chunkEnd {
            guard transport.pendingCount == 0 else { return 0 }
            do {
                let result = try pushReader.read(from: pushPosition, into: pushChunk)
                pushChunkPosition = pushPosition
                pushChunkBytes = result.bytes
            } catch {
                logger.error("sending the log from \(pushPosition) back to node \(predecessor.nodeId) failed: \(error)")
                pushPosition = -1
                pushChunkPosition = -1
                return 0
            }
            if pushChunkBytes == 0 {
                pushPosition = -1
                pushChunkPosition = -1
                return 0
            }
        }
        var datagrams = 0
        var position = pushPosition
        let end = pushChunkPosition &+ Int64(pushChunkBytes)
        while position < end && transport.datagramRoom > 1 && headerSlotsUsed < headerSlotCount - 1 {
            let length = Int(min(end, position &+ Int64(dataBytesMax)) &- position)
            guard let header = beginMessage(.data, to: predecessor.replicationAddress) else { break }
            header.setInt64(position, at: ReplicationField.dataPosition)
            let offset = Int(position &- pushChunkPosition)
            let appendedRegion = transport.append(UnsafeRawBufferPointer(start: pushChunk.baseAddress! + offset, count: length))
            assert(appendedRegion)
            position &+= Int64(length)
            datagrams &+= 1
        }
        pushPosition = position
        if position >= logCounters.appended.getAcquire() {
            pushPosition = -1
            pushChunkPosition = -1
        }
        return datagrams
    }

    /// A Nak: resend from `position` unless a resend already covers it.
    func onNak(position: Int64) {
        counters.naksReceived.addRelease(1)
        if position >= stagedPosition { return }
        if resendPosition >= 0 && position >= resendPosition { return }
        startResend(from: position, reason: "nak")
    }

    func startResend(from position: Int64, reason: StaticString) {
        let start = max(position, log.startPosition)
        guard start < stagedPosition else { return }
        resendPosition = start
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
            if resendPosition < 0 && successorReceived < stagedPosition
                && now &- successorProgressNanos >= 4 &* heartbeatInterval {
                // Sent, not acknowledged, nothing heard: the tail of a burst was lost.
                startResend(from: successorReceived, reason: "timeout")
                successorProgressNanos = now
            }
            if resendPosition >= 0 {
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

    /// Go-back-N: resends from `resendPosition` up to `stagedPosition`, whole
    /// frames read through the log reader into the resend chunk (buffer or
    /// segments), sliced into datagrams. The chunk is refilled only when the
    /// previous one's datagrams have all gone (its memory is staged).
    func resend(to destination: IPv4SocketAddress) -> Int {
        let chunkEnd = chunkPosition &+ Int64(chunkBytes)
        if resendPosition < chunkPosition || resendPosition >= chunkEnd || chunkPosition < 0 {
            guard transport.pendingCount == 0 else { return 0 }
            do {
                // Whole frames up to the appended position (`stagedPosition` may be inside a frame).
                let result = try reader.read(from: resendPosition, into: chunkBuffer)
                chunkPosition = resendPosition
                chunkBytes = result.bytes
            } catch {
                logger.error("resend from \(resendPosition) to node \(successor?.nodeId ?? 0) failed: \(error); waiting for the successor's next report")
                resendPosition = -1
                chunkPosition = -1
                return 0
            }
            if chunkBytes == 0 {
                resendPosition = -1
                return 0
            }
        }
        var datagrams = 0
        var position = resendPosition
        // Within the chunk and the successor's window.
        let end = min(chunkPosition &+ Int64(chunkBytes), successorReceived &+ successorWindow)
        while position < end && transport.datagramRoom > 1 && headerSlotsUsed < headerSlotCount - 1 {
            let length = Int(min(end, position &+ Int64(dataBytesMax)) &- position)
            guard let header = beginMessage(.data, to: destination) else { break }
            header.setInt64(position, at: ReplicationField.dataPosition)
            let offset = Int(position &- chunkPosition)
            let appendedRegion = transport.append(UnsafeRawBufferPointer(start: chunkBuffer.baseAddress! + offset, count: length))
            assert(appendedRegion)
            position &+= Int64(length)
            datagrams &+= 1
        }
        guard position > resendPosition else { return 0 }
        counters.retransmittedBytes.addRelease(position &- resendPosition)
        resendPosition = position
        if position > stagedPosition {
            counters.dataBytesSent.addRelease(position &- stagedPosition)
            stagedPosition = position
        }
        if resendPosition >= stagedPosition {
            resendPosition = -1
            chunkPosition = -1
        }
        return datagrams
    }
}
