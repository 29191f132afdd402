import BatonProtocol
import BatonRing

/// The replication agent's counters, labelled `replication.*` in the node's
/// counters file so `baton stat` shows them live. Allocated once at set-up.
///
/// Single writer: the `ChainReplicator` agent, for every counter here;
/// readers on any thread use acquire loads.
public final class ReplicationCounters: @unchecked Sendable {
    /// `ChainRole.code` of this member.
    public let role: PositionCounter
    public let epoch: PositionCounter
    /// Everything below has been sent to the successor at least once (a gating position of the log buffer).
    public let sentPosition: PositionCounter
    /// The successor's last reported received position (end of its whole frames).
    public let successorReceived: PositionCounter
    /// The successor's last reported chain-durable position (min durable from it to the tail).
    public let successorChainDurable: PositionCounter
    /// The commit position as this member knows it: durable on every member.
    public let chainCommit: PositionCounter
    /// Bytes received from the predecessor and copied into the log buffer (may end inside a frame).
    public let receivedBytesPosition: PositionCounter
    /// Bytes a restarted head took back from its successor.
    public let adoptedBytes: PositionCounter
    /// Pulls (a restarted head's Nak) this member answered by sending its log upstream.
    public let pullsServed: PositionCounter

    public let datagramsSent: PositionCounter
    public let datagramsReceived: PositionCounter
    public let dataBytesSent: PositionCounter
    public let naksSent: PositionCounter
    public let naksReceived: PositionCounter
    public let retransmits: PositionCounter
    public let retransmittedBytes: PositionCounter
    /// Of those, bytes resent to fill a hole a Nak named (selective repeat; the rest went back-N).
    public let repairedBytes: PositionCounter
    /// Data datagrams wholly below the received position (duplicates).
    public let duplicateData: PositionCounter
    /// Data datagrams past the received position (a gap: held off, Nak'd).
    public let outOfOrderData: PositionCounter
    /// Data datagrams past a gap kept in the log buffer at their position (selective repeat).
    public let keptAheadData: PositionCounter
    /// Data datagrams dropped because an incarnation of their sender that has since restarted sent them.
    public let staleIncarnationData: PositionCounter
    /// Data datagrams not applied because the log buffer had no room (the window should prevent it).
    public let noRoomData: PositionCounter
    /// Frames that failed their check after arriving (discarded, asked for again).
    public let corruptFrames: PositionCounter
    /// Datagrams the socket reported as failed to send.
    public let sendErrors: PositionCounter
    /// Dropped datagrams by `ReplicationDropReason`.
    public let droppedMalformed: PositionCounter
    public let droppedWrongCluster: PositionCounter
    public let droppedWrongEpoch: PositionCounter
    public let droppedNotPeer: PositionCounter
    public let droppedBadChecksum: PositionCounter
    /// Chain failover: the configuration log's term, its leader (-1: unknown),
    /// configurations applied since start, whether this head refuses writes
    /// (`fenced`: 1 it hears no majority of the voters, so it may have been
    /// replaced; 2 its chain is at the minimum length and a member of it is
    /// confirmed failed; 0 neither), and the members its failure detector
    /// holds failed (a bit per member index).
    public let configurationTerm: PositionCounter
    public let configurationLeader: PositionCounter
    public let reconfigurations: PositionCounter
    public let fenced: PositionCounter
    public let membersFailed: PositionCounter
    /// Configuration-log and failure-detector datagrams taken (votes, Appends, acks, probes).
    public let configurationMessages: PositionCounter
    /// The members an operator holds out of the chain in force (a bit per
    /// member index of the cluster file).
    public let membersHeldOut: PositionCounter
    /// Membership changes by hand (`baton admin add-member`/`remove-member`,
    /// another process: written from outside the node, like Raft's transfer
    /// counters). The tool writes the node and the kind
    /// (`MembershipChangeKind`), then the request number; the member answers
    /// with the outcome (`MembershipChangeOutcome`), the epoch it proposed
    /// (0: none), then the request number handled.
    public let membershipRequests: PositionCounter
    public let membershipRequestNode: PositionCounter
    public let membershipRequestKind: PositionCounter
    public let membershipHandled: PositionCounter
    public let membershipOutcome: PositionCounter
    public let membershipProposedEpoch: PositionCounter

    public init(allocate: (String) -> PositionCounter) {
        role = allocate("replication.role")
        epoch = allocate("replication.epoch")
        sentPosition = allocate("replication.position.sent")
        successorReceived = allocate("replication.position.successorReceived")
        successorChainDurable = allocate("replication.position.successorChainDurable")
        chainCommit = allocate("replication.position.chainCommit")
        receivedBytesPosition = allocate("replication.position.receivedBytes")
        adoptedBytes = allocate("replication.adoptedBytes")
        pullsServed = allocate("replication.pullsServed")
        datagramsSent = allocate("replication.datagrams.sent")
        datagramsReceived = allocate("replication.datagrams.received")
        dataBytesSent = allocate("replication.data.bytesSent")
        naksSent = allocate("replication.naks.sent")
        naksReceived = allocate("replication.naks.received")
        retransmits = allocate("replication.retransmits")
        retransmittedBytes = allocate("replication.retransmits.bytes")
        repairedBytes = allocate("replication.retransmits.holeBytes")
        duplicateData = allocate("replication.data.duplicate")
        outOfOrderData = allocate("replication.data.outOfOrder")
        keptAheadData = allocate("replication.data.keptAhead")
        staleIncarnationData = allocate("replication.data.staleIncarnation")
        noRoomData = allocate("replication.data.noRoom")
        corruptFrames = allocate("replication.data.corruptFrames")
        sendErrors = allocate("replication.errors.send")
        droppedMalformed = allocate("replication.dropped.malformed")
        droppedWrongCluster = allocate("replication.dropped.wrongCluster")
        droppedWrongEpoch = allocate("replication.dropped.wrongEpoch")
        droppedNotPeer = allocate("replication.dropped.notPeer")
        droppedBadChecksum = allocate("replication.dropped.badChecksum")
        configurationTerm = allocate("replication.configuration.term")
        configurationLeader = allocate("replication.configuration.leader")
        reconfigurations = allocate("replication.configuration.changes")
        fenced = allocate("replication.fenced")
        membersFailed = allocate("replication.failureDetector.failed")
        configurationMessages = allocate("replication.configuration.messages")
        membersHeldOut = allocate("replication.configuration.heldOut")
        membershipRequests = allocate("replication.membership.requests")
        membershipRequestNode = allocate("replication.membership.node")
        membershipRequestKind = allocate("replication.membership.kind")
        membershipHandled = allocate("replication.membership.handled")
        membershipOutcome = allocate("replication.membership.outcome")
        membershipProposedEpoch = allocate("replication.membership.proposedEpoch")
    }

    /// The drop counter for `reason`.
    @inlinable
    public func dropped(_ reason: ReplicationDropReason) -> PositionCounter {
        switch reason {
        case .malformed: return droppedMalformed
        case .wrongCluster: return droppedWrongCluster
        case .wrongEpoch: return droppedWrongEpoch
        case .notPeer: return droppedNotPeer
        case .badChecksum: return droppedBadChecksum
        }
    }
}
