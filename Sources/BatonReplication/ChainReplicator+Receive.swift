import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension ChainReplicator {
    /// Takes one batch from the transport and applies each datagram.
    func receive(now: Int64) -> Int {
        let count = transport.receive { datagram, _ in
            self.onDatagram(datagram, now: now)
        }
        if count > 0 { counters.datagramsReceived.addRelease(Int64(count)) }
        return count
    }

    /// Checks one datagram and dispatches it; anything not applicable is dropped and counted.
    func onDatagram(_ datagram: UnsafeRawBufferPointer, now: Int64) {
        let check = ReplicationDatagramCheck.check(datagram, clusterId: clusterId, epoch: epoch)
        guard case let .valid(type, fromNode) = check else {
            if case let .dropped(reason) = check { counters.dropped(reason).addRelease(1) }
            return
        }
        let header = ReplicationHeader(UnsafeMutableRawPointer(mutating: datagram.baseAddress!))
        switch type {
        case .data where adopting && successor?.nodeId == fromNode:
            // A restarted head taking back what its successor holds and it lost.
            let bytes = UnsafeRawBufferPointer(rebasing: datagram[ReplicationProtocol.dataBytesOffset...])
            onData(position: header.int64(at: ReplicationField.dataPosition), bytes: bytes)
        case .nak where predecessor != nil && predecessor?.nodeId == fromNode:
            // A restarted head pulling this member's log from a position.
            onPull(position: header.int64(at: ReplicationField.nakPosition))
        case .data, .commit, .heartbeat:
            guard let predecessor, predecessor.nodeId == fromNode else {
                counters.droppedNotPeer.addRelease(1)
                return
            }
            switch type {
            case .data:
                let bytes = UnsafeRawBufferPointer(rebasing: datagram[ReplicationProtocol.dataBytesOffset...])
                onData(position: header.int64(at: ReplicationField.dataPosition), bytes: bytes)
            case .commit:
                predecessorCommit = max(predecessorCommit, header.int64(at: ReplicationField.commitPosition))
            default:
                let sent = header.int64(at: ReplicationField.heartbeatSent)
                if sent > receivedBytes { gapEnd = max(gapEnd, sent) }
                predecessorCommit = max(predecessorCommit, header.int64(at: ReplicationField.heartbeatCommit))
            }
        case .status, .nak:
            guard let successor, successor.nodeId == fromNode else {
                counters.droppedNotPeer.addRelease(1)
                return
            }
            if type == .status {
                onStatus(received: header.int64(at: ReplicationField.statusReceived),
                         chainDurable: header.int64(at: ReplicationField.statusChainDurable),
                         window: header.int64(at: ReplicationField.statusWindow), now: now)
            } else {
                onNak(position: header.int64(at: ReplicationField.nakPosition))
            }
        }
    }

    /// Data at `position`: only the bytes from `receivedBytes` on are taken.
    func onData(position: Int64, bytes: UnsafeRawBufferPointer) {
        let end = position &+ Int64(bytes.count)
        if end <= receivedBytes {
            counters.duplicateData.addRelease(1)
            return
        }
        if position > receivedBytes {
            counters.outOfOrderData.addRelease(1)
            if position > gapEnd { gapEnd = position }
            return
        }
        let skip = Int(receivedBytes &- position)
        let fresh = UnsafeRawBufferPointer(rebasing: bytes[skip...])
        guard appender.tryWriteReplicated(fresh, at: receivedBytes) else {
            counters.noRoomData.addRelease(1)
            if position > gapEnd { gapEnd = position }
            return
        }
        receivedBytes = end
        framesPending = true
    }

    /// Publishes the whole frames received in this batch (one CRC pass each).
    func publishReceivedFrames(now: Int64) -> Int {
        guard framesPending else { return 0 }
        framesPending = false
        counters.receivedBytesPosition.setRelease(receivedBytes)
        switch appender.publishReplicatedFrames(upTo: receivedBytes) {
        case .published:
            return 1
        case let .corrupt(position, reason):
            counters.corruptFrames.addRelease(1)
            logger.warning("replicated frame at \(position) from node \(predecessor?.nodeId ?? 0) failed its check (\(reason)); discarding from there and asking again")
            gapEnd = max(gapEnd, receivedBytes)
            receivedBytes = position
            counters.receivedBytesPosition.setReleaseAllowingDecrease(position)
            nakDeadline = now  // ask at once
            return 1
        }
    }

    /// Naks a gap that has lasted `nakDelayNanos`, backing off while it stays.
    func requestMissing(now: Int64) -> Int {
        guard gapEnd > receivedBytes, let predecessor else {
            nakBackoff = 0
            return 0
        }
        if nakBackoff == 0 {
            // A new gap: give reordering a moment to fill it.
            nakBackoff = configuration.nakDelayNanos
            nakDeadline = max(nakDeadline, now &+ nakBackoff)
            if nakDeadline > now { return 0 }
        }
        guard now >= nakDeadline else { return 0 }
        let from = appender.position  // a frame boundary: the sender resends whole frames from here
        guard let header = beginMessage(.nak, to: predecessor.replicationAddress) else { return 0 }
        header.setInt64(from, at: ReplicationField.nakPosition)
        header.setInt64(gapEnd &- from, at: ReplicationField.nakLength)
        counters.naksSent.addRelease(1)
        nakBackoff = min(nakBackoff &* 2, heartbeatInterval)
        nakDeadline = now &+ nakBackoff
        return 1
    }

    /// Sends Status upstream when anything in it changed, and at least every heartbeat interval.
    func reportStatus(now: Int64) -> Int {
        guard let predecessor else { return 0 }
        let received = appender.position
        let durable = logCounters.durable.getAcquire()
        let chainDurable = successor == nil ? durable : min(durable, successorChainDurable)
        let room = logCounters.minimumGating() &+ bufferCapacity &- received
        let window = max(0, min(Int64(configuration.receiverWindowBytes), room))
        // A progress reset of the gap's Nak timer: the sender is delivering.
        if received != lastStatus.received && gapEnd > receivedBytes { nakBackoff = 0 }
        let changed = received != lastStatus.received || durable != lastStatus.durable
            || chainDurable != lastStatus.chainDurable || window != lastStatus.window
        guard changed || now &- lastStatusNanos >= heartbeatInterval else { return 0 }
        guard let header = beginMessage(.status, to: predecessor.replicationAddress) else { return 0 }
        header.setInt64(received, at: ReplicationField.statusReceived)
        header.setInt64(durable, at: ReplicationField.statusDurable)
        header.setInt64(chainDurable, at: ReplicationField.statusChainDurable)
        header.setInt64(window, at: ReplicationField.statusWindow)
        lastStatus = (received, durable, chainDurable, window)
        lastStatusNanos = now
        return 1
    }
}
