import BatonAgent
import BatonLog
import BatonNet
import BatonProtocol
import BatonReplication

/// How a node's agents map onto threads.
public enum ThreadingMode: String, Sendable, CaseIterable {
    /// Every stage and the client I/O on one thread (a composite agent): fits a small machine.
    case shared
    /// One thread per stage and one for client I/O, each optionally pinned.
    case dedicated
}

/// Everything a single node needs to start. Defaults fit this 2-core machine.
///
/// Invariant after `validate()`: every size is within its documented range.
/// A plain value; build it on one thread and hand it to `Node.init`.
public struct NodeConfiguration: Sendable {
    /// The node's id (Welcome.nodeId; replication uses it later).
    public var nodeId: UInt32 = 0
    /// Where clients connect (`127.0.0.1:0` picks a free port).
    public var listen: HostAndPort
    /// The durable log: directory, segment and buffer sizes, durability policy.
    public var log: LogConfiguration
    /// Threading mode and per-thread idle strategy.
    public var threading: ThreadingMode = .shared
    public var idleStrategy: IdleStrategyConfiguration = .defaultBackoff
    /// Per-thread idle strategies in dedicated mode, in the order of `cpus`
    /// (missing or nil = `idleStrategy`). Ignored in shared mode.
    public var idleStrategies: [IdleStrategyConfiguration?] = []
    /// CPUs for the dedicated threads in order: client I/O, order, log, commit, execute
    /// (missing or nil = unpinned). In shared mode the first pins the one thread.
    public var cpus: [Int?] = []
    /// Run every agent thread on this NUMA node (and prefer it for their memory), or nil.
    /// The log buffer's node is `log.numaNode`.
    public var numaNode: Int? = nil
    /// Bytes of the ingress ring (client I/O → order); a power of two.
    public var ingressRingBytes: Int = 16 << 20
    /// Bytes of the ack rings (order → commit → client I/O); powers of two.
    public var ackRingBytes: Int = 4 << 20
    /// Most concurrent client sessions; more are refused at accept.
    public var maximumSessions: Int = 1024
    /// Most subscriptions per subscriber session.
    public var maximumSubscriptionsPerSession: Int = 16
    /// Most producers the order stage remembers for de-duplication.
    public var maximumProducers: Int = 65_536
    /// Limits announced in Welcome.
    public var maximumMessageLength: Int = ClientProtocol.defaultMaxMessageLength
    public var maximumPayloadLength: Int = ClientProtocol.defaultMaxPayloadLength
    public var maximumBatchCount: Int = ClientProtocol.defaultMaxBatchCount
    /// A session that sends nothing for this long is closed (also one that never says Hello).
    public var sessionTimeoutNanos: Int64 = 10_000_000_000
    /// Heartbeat interval announced to clients.
    public var heartbeatIntervalNanos: Int64 = 1_000_000_000
    /// A subscriber further than this behind the commit position is dropped with `subscriberTooSlow`.
    public var subscriberLagLimitBytes: Int64 = 1 << 40
    /// Bytes a subscriber session may have queued for the socket per write (one Deliver).
    public var deliverBatchBytes: Int = 256 << 10

    /// False: the node starts no thread of its own; its agents form one
    /// composite the owner takes with `Node.takeAgent()` and runs (e.g. every
    /// member of an in-process chain on one thread). `threading` is then ignored.
    public var runsOwnThreads = true
    /// Chain membership (nil: a single node, commit = local durable).
    public var replication: ReplicationConfiguration? = nil
    /// Tests only: faults injected on the replication transport's receive side.
    public var faultInjection: FaultInjection? = nil

    public init(listen: HostAndPort, log: LogConfiguration) {
        self.listen = listen
        self.log = log
    }

    /// Checks every value; the error names the key and the allowed range.
    public func validate() throws(NodeError) {
        func powerOfTwo(_ value: Int, _ key: String, minimum: Int) throws(NodeError) {
            if value < minimum || value & (value - 1) != 0 {
                throw .configuration(key: key, reason: "\(value) must be a power of two of at least \(minimum)")
            }
        }
        try powerOfTwo(ingressRingBytes, "ingressRingBytes", minimum: 64 << 10)
        try powerOfTwo(ackRingBytes, "ackRingBytes", minimum: 64 << 10)
        if maximumSessions < 1 || maximumSessions > 65_536 {
            throw .configuration(key: "maximumSessions", reason: "\(maximumSessions) must be 1 to 65536")
        }
        if maximumProducers < 1 || maximumProducers > 1 << 24 {
            throw .configuration(key: "maximumProducers", reason: "\(maximumProducers) must be 1 to 16777216")
        }
        if maximumPayloadLength < 0 || maximumPayloadLength + 48 > log.maximumFrameLength {
            throw .configuration(key: "maximumPayloadLength",
                                 reason: "\(maximumPayloadLength) + 48-byte frame header must fit the log's maximum frame length \(log.maximumFrameLength)")
        }
        if maximumMessageLength < 64 || maximumMessageLength > ingressRingBytes / 8 - 64 {
            throw .configuration(key: "maximumMessageLength",
                                 reason: "\(maximumMessageLength) must be 64 to \(ingressRingBytes / 8 - 64) (an eighth of the ingress ring)")
        }
        let largestDeliver = 32 + max(deliverBatchBytes, ((maximumPayloadLength + 48 + 31) / 32) * 32)
        if largestDeliver > maximumMessageLength {
            throw .configuration(key: "deliverBatchBytes",
                                 reason: "a Deliver of \(largestDeliver) bytes would exceed maximumMessageLength \(maximumMessageLength)")
        }
        if maximumBatchCount < 1 || maximumBatchCount > 1 << 20 {
            throw .configuration(key: "maximumBatchCount", reason: "\(maximumBatchCount) must be 1 to 1048576")
        }
        if sessionTimeoutNanos < 1_000_000 {
            throw .configuration(key: "sessionTimeout", reason: "must be at least 1 ms")
        }
        for case let cpu? in cpus where cpu < 0 {
            throw .configuration(key: "cpus", reason: "CPU \(cpu) is negative")
        }
        do { try log.validate() } catch { throw .configuration(key: "log", reason: error.description) }
        if let replication {
            do { try replication.validate() } catch { throw .configuration(key: "replication", reason: error.description) }
        }
    }
}
