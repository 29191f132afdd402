import BatonAgent
import BatonLog
import BatonNet
import BatonReplication
import BatonRing
import BatonTestSupport
import BatonTime
import Glibc
import Logging

/// A chain of `ChainReplicator`s over an `InMemoryReplicationNetwork`, each
/// with a real log in a temporary directory and its log writer, all driven
/// by one thread with a `ManualClock`: the replication protocol with no
/// sockets and no threads. Faults come from `FaultInjectingTransport`
/// (seeded: the same seed gives the same run).
///
/// Threading: the test's thread only.
final class InMemoryChain {
    typealias Transport = FaultInjectingTransport<InMemoryReplicationTransport, ManualClock>
    let clock = ManualClock()
    let network = InMemoryReplicationNetwork(datagramBytesMax: 1_472, batchDatagrams: 16)
    let directories: [String]
    let logs: [DurableLog]
    let writers: [LogWriter<PwriteStorage, ManualClock>]
    let replicators: [ChainReplicator<Transport, ManualClock>]
    let leadership: [LeadershipGate]
    let counters: [ReplicationCounters]
    /// The memory every member's counters live in (kept for the chain's life).
    private let counterSets: [CounterSet]
    private var nextSequence: UInt64 = 0
    /// Members that crashed (`stop`): no longer stepped, unreachable.
    private(set) var stopped: Set<Int> = []

    init(members count: Int, faults: FaultInjection = FaultInjection(seed: 1), failover: ChainFailoverConfiguration? = nil) throws {
        var logger = Logger(label: "in-memory-chain")
        logger.logLevel = getenv("BATON_TEST_LOG") == nil ? .critical : .info
        let members = (0..<count).map { index in
            ClusterMember(nodeId: UInt32(index), replicationAddress: IPv4SocketAddress(10, 0, 0, UInt8(index + 1), port: 7500),
                          clientAddress: HostAndPort(host: "10.0.0.\(index + 1)", port: 7400))
        }
        var directories: [String] = []
        var logs: [DurableLog] = []
        var writers: [LogWriter<PwriteStorage, ManualClock>] = []
        var replicators: [ChainReplicator<Transport, ManualClock>] = []
        var gates: [LeadershipGate] = []
        var allCounters: [ReplicationCounters] = []
        var counterSets: [CounterSet] = []
        for member in members {
            let directory = makeTemporaryDirectory("in-memory-chain")
            directories.append(directory)
            var configuration = LogConfiguration(directory: directory)
            configuration.segmentBytes = 1 << 20
            configuration.bufferBytes = 256 << 10
            configuration.maximumFrameLength = 4096
            configuration.maxInFlightBytes = 128 << 10
            configuration.maximumBatchBytes = 64 << 10
            configuration.maximumWriteBytes = 64 << 10
            let log = try DurableLog.open(configuration, logger: logger)
            logs.append(log)
            // pwrite completes in the call: each round's writes are done by its end (no kernel queue in between).
            writers.append(try log.makeWriter(storage: PwriteStorage(queueDepth: configuration.queueDepth), clock: clock))
            let set = CounterSet(capacity: 64)
            counterSets.append(set)
            let counters = ReplicationCounters(allocate: { set.allocate(label: $0) })
            let gate = LeadershipGate(state: set.allocate(label: "leadership.state"), leaderId: set.allocate(label: "leadership.leaderId"),
                                      generation: set.allocate(label: "leadership.generation"),
                                      observed: set.allocate(label: "leadership.observed"),
                                      ackableFrom: set.allocate(label: "leadership.ackableFrom"))
            var replication = ReplicationConfiguration(clusterId: 42, members: members, nodeId: member.nodeId)
            replication.receiverWindowBytes = 64 << 10
            replication.failover = failover
            var memberFaults = faults
            memberFaults.seed = faults.seed &+ UInt64(member.nodeId)
            let transport = FaultInjectingTransport(base: network.bind(member.replicationAddress), faults: memberFaults, clock: clock)
            let replicator = ChainReplicator(configuration: replication, log: log, transport: transport, clock: clock,
                                             counters: counters, leadership: gate, logger: logger)
            replicators.append(replicator)
            gates.append(replicator.leadership)
            allCounters.append(counters)
        }
        self.directories = directories
        self.logs = logs
        self.writers = writers
        self.replicators = replicators
        self.leadership = gates
        self.counters = allCounters
        self.counterSets = counterSets
        for writer in writers { try writer.onStart() }
        for replicator in replicators { try replicator.onStart() }
    }

    deinit {
        for writer in writers { writer.onClose() }
        for directory in directories { removeTree(directory) }
    }

    /// Appends `count` frames of `bytes` bytes at the head, as its order
    /// stage would (only while the head leads and its buffer has room).
    /// Returns how many it appended.
    @discardableResult
    func publish(_ count: Int, bytes: Int = 200, at head: Int = 0) -> Int {
        guard leadership[head].current == .leading else { return 0 }
        let payload = [UInt8](repeating: 0x5A, count: bytes)
        var appended = 0
        for _ in 0..<count {
            let result = payload.withUnsafeBytes {
                logs[head].appender.tryAppend(payload: $0, streamId: 1, producerId: 7, sequence: nextSequence, timestampNanos: 0)
            }
            guard case .appended = result else { break }
            nextSequence += 1
            appended += 1
        }
        return appended
    }

    /// One round: every writer and every replicator does one duty cycle, then time moves by `step`.
    func step(nanos step: Int64 = 50_000) throws {
        // Each member's "order stage" (`publish`) obeys its gate's generation from this cycle on.
        for (index, gate) in leadership.enumerated() where !stopped.contains(index) { gate.orderStageObeys(gate.currentGeneration) }
        for (index, writer) in writers.enumerated() where !stopped.contains(index) { _ = try writer.doWork() }
        for (index, replicator) in replicators.enumerated() where !stopped.contains(index) { _ = try replicator.doWork() }
        clock.advance(nanos: step)
    }

    /// Member `index` crashes for good: it is no longer stepped and datagrams to it are lost.
    func stop(_ index: Int) {
        stopped.insert(index)
        network.unbind(replicators[index].configuration.members[index].replicationAddress)
    }

    /// Every live member (or those listed) applies a committed configuration, as its configuration log would tell it.
    func reconfigure(epoch: UInt32, chain: [Int], minimumLength: Int = 2, members: [Int]? = nil) {
        for index in members ?? replicators.indices.filter({ !stopped.contains($0) }) {
            replicators[index].reconfigure(epoch: epoch, chain: chain.map(UInt32.init), minimumLength: minimumLength,
                                           now: clock.monotonicNanos())
        }
    }

    /// Steps until `done` holds, at most `limit` rounds; false if it never did.
    func run(rounds limit: Int, until done: () -> Bool) throws -> Bool {
        for _ in 0..<limit {
            if done() { return true }
            try step()
        }
        return done()
    }

    /// Steps until the head leads, publishes `count` messages and steps until
    /// every member commits them; then checks every member's log is the
    /// head's byte for byte. Returns what failed, or nil.
    func replicate(_ count: Int, leaderRounds: Int, commitRounds: Int) throws -> String? {
        guard try run(rounds: leaderRounds, until: { leadership[0].current == .leading }) else { return "the head never led" }
        guard try publishAndCommit(count, rounds: commitRounds) else {
            return "commits \(commits), head appended \(logs[0].appendedPosition)"
        }
        let head = try logBytes(0)
        for index in 1..<logs.count where try logBytes(index) != head { return "member \(index)'s log differs from the head's" }
        return nil
    }

    /// Publishes `count` messages (as the head's room allows) and steps until
    /// every member commits the head's whole log; false if that takes more
    /// than `rounds`.
    func publishAndCommit(_ count: Int, rounds: Int) throws -> Bool {
        var published = 0
        return try run(rounds: rounds) {
            if published < count { published += publish(min(50, count - published)) }
            return published == count && commits.allSatisfy { $0 == logs[0].appendedPosition }
        }
    }

    /// The commit position each member publishes.
    var commits: [Int64] { counters.map { $0.chainCommit.getAcquire() } }

    /// Every member's log bytes from its start to its appended position.
    func logBytes(_ index: Int) throws -> [UInt8] {
        let log = logs[index]
        let reader = log.makeReader()
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 64)
        defer { chunk.deallocate() }
        var position = log.startPosition
        while position < log.appendedPosition {
            let result = try reader.read(from: position, into: chunk)
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<result.bytes]))
            position = result.nextPosition
        }
        return bytes
    }
}
