import BatonNet
import BatonReplication

/// The simulation's network: every datagram a member flushes is routed here
/// (through `InMemoryReplicationNetwork.router`), given a delivery time from
/// the seed's latency distribution, perhaps dropped, duplicated, corrupted or
/// held back, blocked by a partition, and handed to its destination's inbox
/// when the simulated time reaches it (`deliverDue`). A datagram to a member
/// that is down when it arrives is lost, as UDP would lose it.
///
/// Links are directed (`from` → `to` member index): a one-way partition blocks
/// one direction only.
///
/// Invariant: `inFlight` is a min-heap on (delivery time, send order), so
/// delivery order is a function of the seed alone.
/// Threading: the simulation's thread.
public final class SimulatedNetwork {
    public let memory: InMemoryReplicationNetwork
    public var faults = NetworkFaults.calm
    /// Whether `faults` apply (off once the run's faults heal).
    public var faultsEnabled = false
    private var random: SimulationRandom
    private let time: SimulationTime
    private var indexOf: [IPv4SocketAddress: Int] = [:]
    /// Directed links that deliver nothing (`from * memberCount + to`).
    private var blocked: Set<Int> = []
    private let memberCount: Int
    private var inFlight: [InFlightDatagram] = []
    private var sendOrder: UInt64 = 0
    public private(set) var counts = NetworkFaultCounts()

    struct InFlightDatagram {
        var deliverAt: Int64
        var order: UInt64
        var bytes: [UInt8]
        var source: IPv4SocketAddress
        var destination: IPv4SocketAddress
        func before(_ other: InFlightDatagram) -> Bool {
            deliverAt != other.deliverAt ? deliverAt < other.deliverAt : order < other.order
        }
    }

    public init(addresses: [IPv4SocketAddress], time: SimulationTime, random: SimulationRandom,
                datagramBytesMax: Int, batchDatagrams: Int) {
        memory = InMemoryReplicationNetwork(datagramBytesMax: datagramBytesMax, batchDatagrams: batchDatagrams)
        memberCount = addresses.count
        self.time = time
        self.random = random
        for (index, address) in addresses.enumerated() { indexOf[address] = index }
        memory.router = { [unowned self] bytes, source, destination in
            self.send(bytes, from: source, to: destination)
        }
    }

    // MARK: - Partitions

    /// Blocks (or unblocks) the directed link `from` → `to`.
    public func setBlocked(_ isBlocked: Bool, from: Int, to: Int) {
        let link = from * memberCount + to
        if isBlocked { blocked.insert(link) } else { blocked.remove(link) }
    }

    public func isBlocked(from: Int, to: Int) -> Bool { blocked.contains(from * memberCount + to) }

    /// Every link works again.
    public func healPartitions() { blocked.removeAll() }

    /// Blocked directed links, as (from, to) pairs in a stable order.
    public var blockedLinks: [(Int, Int)] { blocked.sorted().map { ($0 / memberCount, $0 % memberCount) } }

    // MARK: - Delivery

    /// When the next datagram is due, if any is in flight.
    public var nextDeliveryNanos: Int64? { inFlight.first?.deliverAt }

    public var inFlightCount: Int { inFlight.count }

    /// Hands every datagram due by now to its destination; returns how many.
    @discardableResult
    public func deliverDue() -> Int {
        var delivered = 0
        let now = time.now
        while let first = inFlight.first, first.deliverAt <= now {
            let datagram = popFirst()
            memory.inject(datagram.bytes, from: datagram.source, to: datagram.destination)
            delivered += 1
        }
        return delivered
    }

    private func send(_ bytes: [UInt8], from source: IPv4SocketAddress, to destination: IPv4SocketAddress) {
        counts.sent += 1
        guard let from = indexOf[source], let to = indexOf[destination] else {
            counts.foreign += 1
            return
        }
        if blocked.contains(from * memberCount + to) {
            counts.partitioned += 1
            return
        }
        var copies = 1
        var bytes = bytes
        if faultsEnabled {
            if random.chance(faults.dropProbability) {
                counts.dropped += 1
                return
            }
            if random.chance(faults.duplicateProbability) {
                copies = 2
                counts.duplicated += 1
            }
            if !bytes.isEmpty && random.chance(faults.corruptProbability) {
                let index = Int(random.int(in: 0...Int64(bytes.count - 1)))
                bytes[index] ^= UInt8(truncatingIfNeeded: random.int(in: 1...255))
                counts.corrupted += 1
            }
        }
        for _ in 0..<copies {
            var latency = faults.baseLatencyNanos
            if faultsEnabled {
                latency += random.int(in: 0...max(0, faults.maximumJitterNanos))
                if random.chance(faults.delayProbability) {
                    latency += random.int(in: 0...max(0, faults.maximumDelayNanos))
                    counts.delayed += 1
                }
            }
            push(InFlightDatagram(deliverAt: time.now + latency, order: sendOrder, bytes: bytes,
                                  source: source, destination: destination))
            sendOrder += 1
        }
    }

    // MARK: - Heap

    private func push(_ datagram: InFlightDatagram) {
        inFlight.append(datagram)
        var child = inFlight.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard inFlight[child].before(inFlight[parent]) else { break }
            inFlight.swapAt(child, parent)
            child = parent
        }
    }

    private func popFirst() -> InFlightDatagram {
        let first = inFlight[0]
        let last = inFlight.removeLast()
        if !inFlight.isEmpty {
            inFlight[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var smallest = parent
                if left < inFlight.count && inFlight[left].before(inFlight[smallest]) { smallest = left }
                if right < inFlight.count && inFlight[right].before(inFlight[smallest]) { smallest = right }
                if smallest == parent { break }
                inFlight.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}

/// What the simulated network did to datagrams over a run.
public struct NetworkFaultCounts: Sendable, Equatable {
    public var sent = 0
    public var dropped = 0
    public var duplicated = 0
    public var corrupted = 0
    public var delayed = 0
    public var partitioned = 0
    /// From or to an address that is not a member.
    public var foreign = 0
}
