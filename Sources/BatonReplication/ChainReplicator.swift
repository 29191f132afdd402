import BatonAgent
import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import Logging

/// One member's replication agent: the **transmit** stage towards its
/// successor and the follower's **order** stage from its predecessor, over one
/// transport (one UDP socket).
///
/// Downstream (a successor exists): sends the log's bytes from `sentPosition`
/// up to the appended position and the successor's window, packed into
/// datagrams of at most the MTU, zero-copy (iovecs into the log buffer;
/// `sentPosition` gates buffer reuse, so staged bytes stay put until the
/// kernel has taken them). A Nak, a successor that reports a lower position
/// (it restarted) or one that has not moved for four heartbeat intervals
/// starts a go-back-N resend from that position, read through a `LogReader`
/// (the log buffer, or the segment files once the buffer has moved on).
///
/// Upstream (a predecessor exists): accepts only the bytes at its received
/// position (earlier bytes are duplicates; later ones reveal a gap, Nak'd
/// after `nakDelayNanos` with doubling back-off), copies them into the log
/// buffer, and publishes `appended` over whole frames that pass their CRC
/// check. Reports Status upstream: received and durable positions,
/// chain-durable = min(own durable, successor's chain-durable), and a window
/// no larger than its free buffer.
///
/// Commit: the head's commit is min(own durable, successor's chain-durable),
/// i.e. durable on every member; it travels down the chain in Commit and
/// Heartbeat messages, and each member publishes it (clamped to its own
/// durable position) in `counters.chainCommit` for its commit stage.
///
/// Every datagram is checked (`ReplicationDatagramCheck`) and must come from
/// the neighbour that sends its type; anything else is dropped and counted.
///
/// Threading: an `Agent`; every method runs on its runner's thread. On a
/// follower it is the single writer of the log appender.
public final class ChainReplicator<Transport: ReplicationTransport, Clock: LogClock>: Agent {
    public let roleName = "transmit"
    public let configuration: ReplicationConfiguration
    public let counters: ReplicationCounters
    let transport: Transport
    let clock: Clock
    let log: DurableLog
    let appender: LogAppender
    let logCounters: LogCounters
    let logger: Logger
    let nodeId: UInt32
    let clusterId: UInt64
    let epoch: UInt32
    let predecessor: ClusterMember?
    let successor: ClusterMember?
    let bufferBase: UnsafeMutableRawPointer
    let bufferMask: Int64
    let bufferCapacity: Int64
    /// Largest Data payload: MTU minus the 32-byte Data header.
    let dataBytesMax: Int
    let heartbeatInterval: Int64

    /// One 64-byte header slot per datagram of a batch.
    let headerSlots: UnsafeMutableRawPointer
    let headerSlotCount: Int
    var headerSlotsUsed = 0

    // MARK: Sender state (successor)
    /// Everything below has been staged at least once.
    var stagedPosition: Int64
    /// Go-back-N resends to the successor.
    let resender: LogResendCursor
    var successorKnown = false
    var successorReceived: Int64 = 0
    var successorWindow: Int64 = 0
    var successorChainDurable: Int64 = 0
    var successorProgressNanos: Int64 = 0
    var lastSentNanos: Int64 = 0
    var lastCommitSent: Int64 = -1

    // MARK: Head catch-up (a restarted head adopting what its successor has)
    /// The head has not yet learned that its log holds all its successor holds.
    var adopting: Bool
    /// What the successor reported holding when the head learned it is behind.
    var adoptTarget: Int64 = -1
    var lastPullNanos: Int64 = 0

    // MARK: Upstream push (answering a restarted head's pull)
    let pusher: LogResendCursor

    // MARK: Receiver state (predecessor)
    /// Contiguous bytes copied into the log buffer (may end inside a frame).
    var receivedBytes: Int64
    var framesPending = false
    /// The furthest position the predecessor has shown it has sent (a gap when > receivedBytes).
    var gapEnd: Int64 = -1
    var nakDeadline: Int64 = 0
    var nakBackoff: Int64 = 0
    var predecessorCommit: Int64 = 0
    var lastStatusNanos: Int64 = 0
    var lastStatus = (received: Int64(-1), durable: Int64(-1), chainDurable: Int64(-1), window: Int64(-1))

    /// This member's commit position (durable on every member).
    var commit: Int64

    public init(configuration: ReplicationConfiguration, log: DurableLog, transport: Transport, clock: Clock,
                counters: ReplicationCounters, logger: Logger) {
        precondition(configuration.chainIndex != nil, "node \(configuration.nodeId) is not a member")
        self.configuration = configuration
        self.counters = counters
        self.transport = transport
        self.clock = clock
        self.log = log
        self.appender = log.appender
        self.logCounters = log.counters
        self.logger = logger
        nodeId = configuration.nodeId
        clusterId = configuration.clusterId
        epoch = configuration.epoch
        predecessor = configuration.predecessor
        successor = configuration.successor
        bufferBase = log.buffer.base
        bufferMask = Int64(log.buffer.mask)
        bufferCapacity = Int64(log.buffer.capacity)
        dataBytesMax = transport.datagramBytesMax - ReplicationProtocol.dataBytesOffset
        heartbeatInterval = configuration.heartbeatIntervalNanos
        headerSlotCount = max(1, transport.datagramRoom)
        headerSlots = .allocate(byteCount: headerSlotCount * 64, alignment: 64)
        headerSlots.initializeMemory(as: UInt8.self, repeating: 0, count: headerSlotCount * 64)
        let chunkSize = max(1 << 20, 2 * FrameDescriptor.aligned(log.configuration.maximumFrameLength))
        resender = LogResendCursor(log: log, chunkBytes: chunkSize)
        pusher = LogResendCursor(log: log, chunkBytes: chunkSize)
        adopting = configuration.predecessor == nil && configuration.successor != nil
        let end = log.appendedPosition
        stagedPosition = end
        receivedBytes = end
        commit = log.startPosition
        counters.role.setRelease(configuration.role.code)
        counters.epoch.setRelease(Int64(configuration.epoch))
        counters.sentPosition.setRelease(end)
        counters.receivedBytesPosition.setRelease(end)
        counters.chainCommit.setRelease(commit)
        // A head with a successor orders nothing until it knows it is not behind it.
        counters.headReady.setRelease(adopting ? 0 : 1)
        if successor != nil {
            // The successor needs these bytes until it has them: they gate the
            // buffer (sent) and retention (received).
            log.addGating(counters.sentPosition)
            counters.successorReceived.setRelease(log.startPosition)
            log.addRetentionFloor(counters.successorReceived)
        }
    }

    deinit {
        headerSlots.deallocate()
    }

    public func doWork() throws -> Int {
        let now = clock.monotonicNanos()
        var work = 0
        // Finish an earlier batch the socket could not take first.
        if transport.pendingCount > 0 {
            if case .blocked = flush() { return receive(now: now) }
        }
        work += receive(now: now)
        if predecessor != nil {
            work += publishReceivedFrames(now: now)
            work += requestMissing(now: now)
        }
        work += advanceCommit()
        if predecessor != nil {
            work += reportStatus(now: now)
            work += pushUpstream()
        }
        if adopting {
            work += publishReceivedFrames(now: now)
            work += pullFromSuccessor(now: now)
        } else if successor != nil {
            work += transmit(now: now)
        }
        if transport.pendingCount > 0 { _ = flush() }
        return work
    }

    /// Sends what is staged; on completion the staged data bytes count as sent
    /// (releasing their buffer space) and the header slots are free again.
    func flush() -> TransportFlushResult {
        let result = transport.flush()
        if result.sent > 0 { counters.datagramsSent.addRelease(Int64(result.sent)) }
        if result.failed > 0 { counters.sendErrors.addRelease(Int64(result.failed)) }
        if case .complete = result {
            headerSlotsUsed = 0
            if successor != nil && stagedPosition > counters.sentPosition.getPlain() {
                counters.sentPosition.setRelease(stagedPosition)
            }
        }
        return result
    }

    /// Begins a datagram of `type` to `destination` with a fresh header slot
    /// (header and fixed fields; a Data payload is appended after); nil when the batch is full.
    func beginMessage(_ type: ReplicationProtocol.MessageType, to destination: IPv4SocketAddress) -> ReplicationHeader? {
        guard headerSlotsUsed < headerSlotCount, transport.datagramRoom > 0,
              transport.beginDatagram(to: destination) else { return nil }
        let slot = headerSlots + headerSlotsUsed &* 64
        headerSlotsUsed &+= 1
        let header = ReplicationHeader(slot)
        header.write(type: type, fromNode: nodeId, clusterId: clusterId, epoch: epoch)
        let appended = transport.append(UnsafeRawBufferPointer(start: slot, count: type.fixedLength))
        assert(appended, "a header always fits a fresh datagram")
        return header
    }

    /// Commit: the head folds its own durable position with the successor's
    /// chain-durable report; a follower takes its predecessor's word, clamped
    /// to its own durable position.
    func advanceCommit() -> Int {
        let durable = logCounters.durable.getAcquire()
        var candidate: Int64
        if predecessor == nil {
            candidate = successor == nil ? durable : min(durable, successorChainDurable)
        } else {
            candidate = min(predecessorCommit, durable)
        }
        candidate = min(candidate, logCounters.appended.getAcquire())
        guard candidate > commit else { return 0 }
        commit = candidate
        counters.chainCommit.setRelease(candidate)
        return 1
    }
}
