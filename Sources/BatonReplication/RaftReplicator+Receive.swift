import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol

extension RaftReplicator {
    /// Takes one batch from the transport and applies each datagram.
    func receive(now: Int64) -> Int {
        let count = outbox.transport.receive { datagram, _ in
            self.onDatagram(datagram, now: now)
        }
        if count > 0 { counters.datagramsReceived.addRelease(Int64(count)) }
        return count
    }

    /// Checks one datagram (the header's epoch is the sender's term, judged
    /// here, not by the check) and dispatches it by type and direction:
    /// leader → follower (Data, Heartbeat, Commit, Sync), follower → leader
    /// (Status, Nak, SyncRequest), voter ↔ voter (VoteRequest, VoteResponse).
    func onDatagram(_ datagram: UnsafeRawBufferPointer, now: Int64) {
        let check = ReplicationDatagramCheck.check(datagram, clusterId: configuration.clusterId)
        guard case let .valid(type, fromNode) = check else {
            if case let .dropped(reason) = check { counters.dropped(reason).addRelease(1) }
            return
        }
        guard fromNode != configuration.nodeId, let peer = link(of: fromNode) else {
            counters.droppedNotPeer.addRelease(1)
            return
        }
        let address = UnsafeMutableRawPointer(mutating: datagram.baseAddress!)
        let term = UInt64(ReplicationHeader(address).epoch)
        switch type {
        case .voteRequest:
            onVoteRequest(ReplicationVoteRequest(address), from: peer, now: now)
        case .voteResponse:
            onVoteResponse(ReplicationVoteResponse(address), from: fromNode, now: now)
        case .data:
            guard acceptLeaderMessage(from: peer, term: term, now: now, answerIfStale: false) else { return dropStale() }
            let bytes = UnsafeRawBufferPointer(rebasing: datagram[ReplicationData.bytesOffset...])
            onData(position: ReplicationData(address).position, bytes: bytes)
        case .heartbeat:
            guard acceptLeaderMessage(from: peer, term: term, now: now, answerIfStale: true) else { return dropStale() }
            let heartbeat = ReplicationHeartbeat(address)
            if synced && heartbeat.sentPosition > receivedBytes { gaps.noteSent(upTo: min(heartbeat.sentPosition, syncValidUpTo)) }
            leaderCommit = max(leaderCommit, heartbeat.commitPosition)
        case .commit:
            guard acceptLeaderMessage(from: peer, term: term, now: now, answerIfStale: false) else { return dropStale() }
            leaderCommit = max(leaderCommit, ReplicationCommit(address).commitPosition)
        case .sync:
            guard acceptLeaderMessage(from: peer, term: term, now: now, answerIfStale: true) else { return dropStale() }
            onSync(ReplicationSync(address), now: now)
        case .timeoutNow:
            guard acceptLeaderMessage(from: peer, term: term, now: now, answerIfStale: false) else { return dropStale() }
            onTimeoutNow(from: fromNode, now: now)
        case .status, .nak, .syncRequest:
            if term > election.term {
                _ = observe(term: term, now: now)
                return
            }
            guard election.role == .leader, term == election.term else { return dropStale() }
            election.onFollowerMessage(from: fromNode, term: term, now: now)
            peer.lastHeardNanos = now
            switch type {
            case .status: onStatus(ReplicationStatus(address), link: peer, now: now)
            case .nak: onNak(ReplicationNak(address), link: peer)
            default: onSyncRequest(ReplicationSyncRequest(address), link: peer, now: now)
            }
        case .pull, .configAppend, .configAppendAck, .probe:
            // The chain's messages: no Raft member sends them.
            counters.droppedNotPeer.addRelease(1)
        }
    }

    /// A message of an earlier term (or meant for another role): not applied.
    func dropStale() { counters.droppedWrongEpoch.addRelease(1) }
}
