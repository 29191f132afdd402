import BatonAgent
import BatonLog
import BatonNode

/// A tuning profile (a TOML file in `tuning/`): threads, CPUs, NUMA, idle
/// strategies, ring and buffer sizes, log I/O. Every key is optional; a key
/// left out keeps the node's default (or what `--config`/flags set).
///
/// Keys (see `tuning/example.toml` for every key with its allowed values):
/// `threading`, `idle`, `cpu` (the shared thread), `[threads.STAGE]` with
/// `cpu` and `idle` (dedicated mode; STAGE is client-io, order, log, commit,
/// execute), `numa_node`, `ingress_ring_bytes`, `ack_ring_bytes`,
/// `log_buffer_bytes`, `io`, `uring_queue_depth`, `uring_sqpoll`, `zero_ahead_bytes`,
/// `durability`, and `[replication]` (`udp_batch`, `mtu`,
/// `socket_buffer_bytes`: a chain member's UDP transport).
///
/// Invariant: a value was checked against the machine it was parsed for
/// (CPUs online, NUMA nodes present) and every key against its range.
/// Threading: a plain value.
public struct TuningProfile: Sendable, Equatable {
    public var threading: ThreadingMode?
    /// Default idle strategy of every thread.
    public var idle: IdleStrategyConfiguration?
    /// The CPU of the one thread in shared mode.
    public var cpu: Int?
    /// Per-stage settings (dedicated mode).
    public var stages: [PipelineStage: StageTuning] = [:]
    /// NUMA node for the agent threads and the log buffer's memory.
    public var numaNode: Int?
    public var ingressRingBytes: Int?
    public var ackRingBytes: Int?
    public var logBufferBytes: Int?
    public var io: LogIOBackend?
    public var uringQueueDepth: Int?
    public var uringSQPoll: Bool?
    /// The log writer's zero-ahead window (0: off); see `LogConfiguration.zeroAheadBytes`.
    public var zeroAheadBytes: Int?
    public var durability: DurabilityPolicy?
    /// A chain member's UDP batch, MTU and socket buffers.
    public var replication = ReplicationTuning()

    public init() {}

    /// Every top-level key, in the order `example.toml` lists them.
    public static let keys = ["threading", "idle", "cpu", "numa_node", "threads", "ingress_ring_bytes", "ack_ring_bytes",
                              "log_buffer_bytes", "io", "uring_queue_depth", "uring_sqpoll", "zero_ahead_bytes", "durability",
                              "replication"]
    static let stageKeys = ["cpu", "idle"]
    static let ringRange = (64 << 10)...(1 << 30)
    static let logBufferRange = (2 << 20)...(1 << 36)
    static let queueDepthRange = 8...4096
    static let ioValues = ["io_uring", "pwrite"]

    /// Reads and checks the profile at `path` against `machine`.
    public static func load(path: String, machine: MachineTopology = .current) throws(ConfigError) -> TuningProfile {
        try TuningProfile(parsing: TOMLDocument.readFile(path), path: path, machine: machine)
    }

    /// Parses and checks TOML text against `machine`; `path` only names the file in errors.
    public init(parsing text: String, path: String = "<profile>", machine: MachineTopology = .current) throws(ConfigError) {
        try self.init(reading: ConfigReader(kind: .tuning, values: TOMLDocument.parse(text, path: path)), machine: machine)
    }

    init(reading top: ConfigReader, machine: MachineTopology) throws(ConfigError) {
        try top.checkKeys(Self.keys)
        if let mode = try top.choice("threading", ThreadingMode.allCases.map(\.rawValue)) {
            threading = ThreadingMode(rawValue: mode)
        }
        idle = try Self.idle(top, "idle")
        cpu = try Self.cpu(top, "cpu", machine: machine)
        if let node = try top.integer("numa_node", in: 0...1023) {
            guard let count = machine.numaNodeCount else {
                throw .numaNodeUnavailable(.tuning, key: "numa_node", node: node,
                                           reason: "libnuma reports NUMA unavailable on this machine; leave numa_node out")
            }
            guard node < count else {
                throw .numaNodeUnavailable(.tuning, key: "numa_node", node: node, reason: "nodes available: 0...\(count - 1)")
            }
            numaNode = node
        }
        if let threads = try top.table("threads") {
            try threads.checkKeys(PipelineStage.allCases.map(\.rawValue))
            for stage in PipelineStage.allCases {
                guard let table = try threads.table(stage.rawValue) else { continue }
                try table.checkKeys(Self.stageKeys)
                stages[stage] = StageTuning(cpu: try Self.cpu(table, "cpu", machine: machine),
                                            idle: try Self.idle(table, "idle"))
            }
        }
        ingressRingBytes = try top.powerOfTwo("ingress_ring_bytes", in: Self.ringRange)
        ackRingBytes = try top.powerOfTwo("ack_ring_bytes", in: Self.ringRange)
        logBufferBytes = try top.powerOfTwo("log_buffer_bytes", in: Self.logBufferRange)
        if let backend = try top.choice("io", Self.ioValues) {
            io = backend == "pwrite" ? .pwrite : .automatic
        }
        uringQueueDepth = try top.powerOfTwo("uring_queue_depth", in: Self.queueDepthRange)
        uringSQPoll = try top.bool("uring_sqpoll")
        zeroAheadBytes = try top.integer("zero_ahead_bytes", in: 0...(1 << 30))
        let durabilityForms = "\"batch\" | \"none\" | \"interval:MS\" (MS a positive integer)"
        if let text = try top.string("durability", expected: "a string: \(durabilityForms)") {
            guard let policy = DurabilityPolicy(parsing: text) else {
                throw .invalidValue(.tuning, key: "durability", value: "\"\(text)\"", allowed: durabilityForms)
            }
            durability = policy
        }
        if let table = try top.table("replication") {
            replication = try ReplicationTuning(reading: table)
        }
        try checkThreadingConsistency()
    }

    /// Per-stage tables only mean something with a thread per stage; the shared
    /// thread's CPU is the top-level `cpu`.
    private func checkThreadingConsistency() throws(ConfigError) {
        let mode = threading ?? .shared
        if mode == .shared, let stage = stages.keys.sorted().first {
            throw .conflict(.tuning, key: "threads.\(stage.rawValue)",
                            reason: "per-stage settings need threading = \"dedicated\"; in shared mode one thread "
                                + "runs every stage (pin it with the top-level 'cpu', set its strategy with 'idle')")
        }
        if mode == .dedicated, let cpu {
            throw .conflict(.tuning, key: "cpu",
                            reason: "CPU \(cpu): the top-level 'cpu' pins the one thread of shared mode; "
                                + "in dedicated mode set [threads.STAGE] cpu for each stage")
        }
    }

    private static func cpu(_ table: ConfigReader, _ name: String, machine: MachineTopology) throws(ConfigError) -> Int? {
        guard let cpu = try table.integer(name, in: 0...(CPUTopology.limitCPUCount - 1)) else { return nil }
        guard machine.onlineCPUs.contains(cpu) else {
            throw .cpuNotOnline(.tuning, key: table.key(name), cpu: cpu, available: machine.onlineCPUs)
        }
        return cpu
    }

    private static func idle(_ table: ConfigReader, _ name: String) throws(ConfigError) -> IdleStrategyConfiguration? {
        guard let text = try table.string(name, expected: "a string: \(IdleStrategyConfiguration.allowedForms)") else {
            return nil
        }
        do {
            return try IdleStrategyConfiguration(parsing: text)
        } catch {
            throw .invalidValue(.tuning, key: table.key(name), value: "\"\(text)\"",
                                allowed: "\(IdleStrategyConfiguration.allowedForms) (\(error.reason))")
        }
    }
}
