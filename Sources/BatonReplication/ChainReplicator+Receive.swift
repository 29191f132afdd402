import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension ChainReplicator {
    /// Takes one batch from the transport and applies each datagram.
    func receive(now: Int64) -> Int {
        let count = outbox.transport.receive { datagram, _ in
            self.onDatagram(datagram, now: now)
        }
        if count > 0 { counters.datagramsReceived.addRelease(Int64(count)) }
        return count
    }

    /// Checks one datagram and dispatches it to the part that handles its
    /// type, if it comes from the neighbour that sends that type; anything
    /// else is dropped and counted.
    func onDatagram(_ datagram: UnsafeRawBufferPointer, now: Int64) {
        let check = ReplicationDatagramCheck.check(datagram, clusterId: configuration.clusterId, epoch: epoch)
        guard case let .valid(type, fromNode) = check else {
            if case let .dropped(reason) = check { counters.dropped(reason).addRelease(1) }
            return
        }
        let address = UnsafeMutableRawPointer(mutating: datagram.baseAddress!)
        if failover != nil { failoverHeard(from: fromNode, now: now) }
        let fromPredecessor = predecessor?.nodeId == fromNode
        let fromSuccessor = successor?.nodeId == fromNode
        switch type {
        case .data where (fromPredecessor && (releasedGeneration == 0 || leadership.orderStageObserved(releasedGeneration)))
                         || (fromSuccessor && catchUp.isCatchingUp):
            // From the predecessor (once a former head's order stage has let go of
            // the appender); or, to a restarted head, what its successor sends back.
            let data = ReplicationData(address)
            guard takesStream(from: fromNode, incarnation: data.senderIncarnation) else {
                counters.staleIncarnationData.addRelease(1)
                return
            }
            let bytes = UnsafeRawBufferPointer(rebasing: datagram[ReplicationData.bytesOffset...])
            onData(position: data.position, bytes: bytes, now: now)
        case .commit where fromPredecessor:
            predecessorCommit = max(predecessorCommit, ReplicationCommit(address).commitPosition)
        case .heartbeat where fromPredecessor:
            let heartbeat = ReplicationHeartbeat(address)
            if heartbeat.sentPosition > receivedBytes { gaps.noteSent(upTo: heartbeat.sentPosition) }
            predecessorCommit = max(predecessorCommit, heartbeat.commitPosition)
        case .pull where fromPredecessor:
            onPull(ReplicationPull(address))
        case .status where fromSuccessor:
            onStatus(ReplicationStatus(address), now: now)
        case .status where acceptsLearner(fromNode):
            // A member removed from the chain learning the log from this tail (failover's rejoin).
            adoptLearner(membersById[fromNode]!)
            onStatus(ReplicationStatus(address), now: now)
        case .nak where fromSuccessor:
            onNak(ReplicationNak(address), now: now)
        case .data, .commit, .heartbeat, .pull, .status, .nak:
            counters.droppedNotPeer.addRelease(1)
        case .syncRequest, .sync, .timeoutNow:
            // Raft's messages: no member of a chain sends them.
            counters.droppedNotPeer.addRelease(1)
        case .voteRequest, .voteResponse, .configAppend, .configAppendAck, .probe:
            // The configuration log's and the failure detector's (a static chain has neither).
            onFailoverDatagram(type, from: fromNode, address, now: now)
        }
    }

    /// Data at `position`: the bytes from `receivedBytes` on are taken, and
    /// those past a gap kept at their position (`ReplicatedBytes`, `ByteRanges`).
    func onData(position: Int64, bytes: UnsafeRawBufferPointer, now: Int64) {
        if ReplicatedBytes.take(bytes, at: position, limit: .max, receivedBytes: &receivedBytes, ahead: ahead, now: now,
                                appender: appender, gaps: &gaps, counters: counters) {
            framesPending = true
        }
    }

    /// Whether Data from `node`'s `incarnation` may be taken
    /// (`DataStreamSource`): on a switch to another stream, what is held past
    /// a gap or in a partial frame is forgotten. (The incarnation is under
    /// Data's checksum trailer: one damaged on the wire is dropped before
    /// this and cannot retire the live stream — seeds 40 and 3750 before the
    /// trailer.)
    @inline(__always)
    func takesStream(from node: UInt32, incarnation: Int64) -> Bool {
        switch dataSource.take(from: node, incarnation: incarnation) {
        case .same:
            return true
        case .stale:
            return false
        case let .switched(forget):
            if forget {
                framesPending = false
                resetReceived(to: appender.position)
            }
            return true
        }
    }

    /// The received position goes back to (or is set at) `position`: what is
    /// held past it is forgotten — it may not be what will be sent again.
    func resetReceived(to position: Int64) {
        receivedBytes = position
        receiveGeneration = (receiveGeneration & ~0xFFFF_FFFF) | ((receiveGeneration &+ 1) & 0xFFFF_FFFF)
        ahead.removeAll()
        counters.receivedBytesPosition.setReleaseAllowingDecrease(position)
    }

    /// Publishes the whole frames received in this batch (one CRC pass each).
    func publishReceivedFrames(now: Int64) -> Int {
        guard framesPending else { return 0 }
        framesPending = false
        counters.receivedBytesPosition.setRelease(receivedBytes)
        switch appender.publishReplicatedFrames(upTo: receivedBytes) {
        case let .published(position):
            assert(position <= receivedBytes, "published \(position) past the received bytes \(receivedBytes)")
            // A head taking its log back moves its sent position over these bytes in
            // `releaseHeldBySuccessor` (its successor holds them: nothing is sent from them).
            return 1
        case let .corrupt(position, reason):
            counters.corruptFrames.addRelease(1)
            let from = catchUp.isCatchingUp ? successor?.nodeId ?? 0 : predecessor?.nodeId ?? 0
            logger.warning("replicated frame at \(position) from node \(from) failed its check (\(reason)); discarding from there and asking again")
            gaps.noteCorrupt(receivedEnd: receivedBytes, now: now)
            resetReceived(to: position)
            return 1
        }
    }

    /// Sends Status upstream when anything in it changed, and at least every heartbeat interval.
    func reportStatus(now: Int64) -> Int {
        guard let predecessor else { return 0 }
        let received = appender.position
        let durable = ownDurablePosition()
        let room = logCounters.minimumGating() &+ bufferCapacity &- received
        let report = StatusReport(received: received, durable: durable,
                                  chainDurable: commitFold.chainDurable(durable: durable, successorChainDurable: sender.chainDurable),
                                  window: max(0, min(Int64(configuration.receiverWindowBytes), room)))
        // Progress resets the gap's Nak timer: the sender is delivering.
        if statusSchedule.receivedMoved(received) { gaps.noteProgress(received: receivedBytes) }
        guard statusSchedule.isDue(report, now: now),
              let status = outbox.begin(ReplicationStatus.self, to: predecessor.replicationAddress) else { return 0 }
        status.receivedPosition = report.received
        status.durablePosition = report.durable
        status.chainDurablePosition = report.chainDurable
        status.windowBytes = report.window
        status.receiveGeneration = receiveGeneration
        statusSchedule.sent(report, now: now)
        if report.chainDurable > reportedChainDurable { reportedChainDurable = report.chainDurable }
        return 1
    }
}
