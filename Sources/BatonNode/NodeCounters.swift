import BatonProtocol
import BatonReplication
import BatonRing

/// Every counter a node keeps, in one `CountersFile`: what `baton stat` shows
/// and what a metrics exporter would read. Allocated once at start; each has
/// one writer (named in its doc) and any number of readers.
public final class NodeCounters: @unchecked Sendable {
    public let file: CountersFile

    // Positions (each owned by the stage named).
    /// Commit position (commit stage): everything below is committed.
    public let commitPosition: PositionCounter
    /// The order stage's position: the end of the last frame it appended.
    public let orderPosition: PositionCounter
    /// The lowest position any subscriber still needs delivered (execute stage).
    public let executePosition: PositionCounter

    /// `Leadership` of this node (the replicator; always leading without replication): what the order stage obeys.
    public let leadership: PositionCounter
    /// The member that orders now, as this node knows it (-1: unknown).
    public let leaderId: PositionCounter
    /// Leadership changes published (the replicator).
    public let leadershipGeneration: PositionCounter
    /// The leadership generation the order stage obeys (the order stage).
    public let leadershipObserved: PositionCounter
    /// The oldest leadership generation whose ack requests may still be acked (the replicator).
    public let leadershipAckableFrom: PositionCounter

    // Traffic.
    /// Messages appended to the log (order).
    public let messagesIn: PositionCounter
    /// Payload bytes appended (order).
    public let bytesIn: PositionCounter
    /// Messages dropped as duplicates of ones already logged (order).
    public let duplicatesDropped: PositionCounter
    /// PublishAcks written to sessions (client I/O).
    public let acksSent: PositionCounter
    /// Frames delivered to subscribers (execute).
    public let messagesOut: PositionCounter
    /// Frame bytes delivered to subscribers (execute).
    public let bytesOut: PositionCounter

    // Back-pressure events.
    /// Times a session's Publish waited because the ingress ring was full (client I/O).
    public let ingressBackPressure: PositionCounter
    /// Times the order stage waited because the log buffer was full (order).
    public let logBackPressure: PositionCounter

    // Sessions.
    public let sessionsAccepted: PositionCounter
    public let sessionsRefused: PositionCounter
    public let publisherSessions: PositionCounter
    public let subscriberSessions: PositionCounter
    public let subscriptions: PositionCounter

    // Errors by kind (the writer named).
    public let protocolErrors: PositionCounter       // client I/O + execute: malformed, bad version, oversize, unknown template
    public let sequenceGaps: PositionCounter         // order
    public let sessionTimeouts: PositionCounter      // client I/O + execute
    public let slowSubscribersDropped: PositionCounter // execute
    public let ioErrors: PositionCounter             // client I/O + execute: socket errors
    public let agentErrors: PositionCounter          // runners

    public init(file: CountersFile) {
        self.file = file
        commitPosition = file.allocate(label: "position.commit")
        orderPosition = file.allocate(label: "position.order")
        executePosition = file.allocate(label: "position.execute")
        leadership = file.allocate(label: "leadership.state")
        leaderId = file.allocate(label: "leadership.leaderId")
        leadershipGeneration = file.allocate(label: "leadership.generation")
        leadershipObserved = file.allocate(label: "leadership.observed")
        leadershipAckableFrom = file.allocate(label: "leadership.ackableFrom")
        messagesIn = file.allocate(label: "messages.in")
        bytesIn = file.allocate(label: "bytes.in")
        duplicatesDropped = file.allocate(label: "messages.duplicatesDropped")
        acksSent = file.allocate(label: "acks.sent")
        messagesOut = file.allocate(label: "messages.out")
        bytesOut = file.allocate(label: "bytes.out")
        ingressBackPressure = file.allocate(label: "backPressure.ingressRing")
        logBackPressure = file.allocate(label: "backPressure.logBuffer")
        sessionsAccepted = file.allocate(label: "sessions.accepted")
        sessionsRefused = file.allocate(label: "sessions.refused")
        publisherSessions = file.allocate(label: "sessions.publishers")
        subscriberSessions = file.allocate(label: "sessions.subscribers")
        subscriptions = file.allocate(label: "subscriptions")
        protocolErrors = file.allocate(label: "errors.protocol")
        sequenceGaps = file.allocate(label: "errors.sequenceGap")
        sessionTimeouts = file.allocate(label: "errors.sessionTimeout")
        slowSubscribersDropped = file.allocate(label: "errors.subscriberTooSlow")
        ioErrors = file.allocate(label: "errors.io")
        agentErrors = file.allocate(label: "errors.agent")
    }

    /// Counts a fatal session Error by kind (client I/O and execute both call this).
    public func countSessionFailure(_ code: ClientErrorCode) {
        switch code {
        case .malformed, .unsupportedVersion, .messageTooLarge, .unknownTemplate, .notWelcomed, .payloadTooLarge, .wrongSessionKind:
            protocolErrors.getAndAddAtomic(1)
        case .sessionTimeout:
            sessionTimeouts.getAndAddAtomic(1)
        default:
            break
        }
    }
}

extension NodeCounters {
    /// The gate over this node's leadership counters, with the refusal texts a replication mode supplies.
    func leadershipGate(refusalTexts: [UInt32: String] = [:]) -> LeadershipGate {
        LeadershipGate(state: leadership, leaderId: leaderId, generation: leadershipGeneration, observed: leadershipObserved,
                       ackableFrom: leadershipAckableFrom,
                       refusalTexts: refusalTexts)
    }
}
