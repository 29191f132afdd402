import BatonCodec
import BatonLog
import BatonNet
import BatonProtocol
import BatonRing
import BatonTime

/// A transport that misbehaves on purpose, for tests: wraps another and, on
/// the receive side, drops, duplicates and reorders datagrams (and can
/// throttle how fast they are taken), as `FaultInjection` says. Sending is
/// passed through, so wrapping every member injects faults on every link in
/// both directions.
///
/// Invariant: held-back datagrams are copies in slots allocated at `init`
/// (`reorderWindow` of them); nothing allocates afterwards. The injected
/// counts are readable from any thread. Threading: the replicator's thread.
public final class FaultInjectingTransport<Base: ReplicationTransport, Clock: NanoClock>: ReplicationTransport {
    public let base: Base
    public let faults: FaultInjection
    private let clock: Clock
    private var random: FaultRandom
    private let slotBytes: Int
    private let slots: UnsafeMutableRawPointer
    private var held: [(length: Int, source: IPv4SocketAddress, releaseAfter: Int)] = []
    private var freeSlots: [Int]
    private var heldSlot: [Int] = []
    private var tokens: Double = 0
    private var lastRefillNanos: Int64 = 0
    /// Counts: dropped, duplicated, reordered datagrams, and the log bytes
    /// of the Data datagrams dropped (what loss recovery must send again).
    public let counters = CounterSet(capacity: 4)
    public let dropped: PositionCounter
    public let droppedDataBytes: PositionCounter
    public let duplicated: PositionCounter
    public let reordered: PositionCounter

    public init(base: Base, faults: FaultInjection, clock: Clock) {
        self.base = base
        self.faults = faults
        self.clock = clock
        random = FaultRandom(seed: faults.seed)
        slotBytes = base.datagramBytesMax
        let window = max(1, faults.reorderWindow)
        slots = .allocate(byteCount: slotBytes * window, alignment: 64)
        freeSlots = Array(0..<window)
        held.reserveCapacity(window)
        heldSlot.reserveCapacity(window)
        dropped = counters.allocate(label: "faults.dropped")
        duplicated = counters.allocate(label: "faults.duplicated")
        reordered = counters.allocate(label: "faults.reordered")
        droppedDataBytes = counters.allocate(label: "faults.droppedDataBytes")
    }

    deinit { slots.deallocate() }

    public var localAddress: IPv4SocketAddress { base.localAddress }
    public func close() { base.close() }
    public var datagramBytesMax: Int { base.datagramBytesMax }
    public var datagramRoom: Int { base.datagramRoom }
    public var pendingCount: Int { base.pendingCount }
    public func beginDatagram(to destination: IPv4SocketAddress) -> Bool { base.beginDatagram(to: destination) }
    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool { base.append(bytes) }
    public func flush() -> TransportFlushResult { base.flush() }

    public func receive(_ body: (UnsafeRawBufferPointer, IPv4SocketAddress) -> Void) -> Int {
        if let rate = faults.receiveDatagramsPerSecond {
            let now = clock.monotonicNanos()
            if lastRefillNanos == 0 { lastRefillNanos = now }
            tokens = min(Double(rate) / 100, tokens + Double(now - lastRefillNanos) * Double(rate) / 1e9)
            lastRefillNanos = now
            if tokens < 1 { return 0 }
        }
        var delivered = 0
        let count = base.receive { datagram, source in
            if faults.receiveDatagramsPerSecond != nil { tokens -= 1 }
            if random.chance(faults.dropRate) {
                dropped.addRelease(1)
                if datagram.count > ReplicationData.bytesOffset,
                   MessageHeader(UnsafeMutableRawPointer(mutating: datagram.baseAddress!)).templateId == ReplicationProtocol.MessageType.data.rawValue {
                    droppedDataBytes.addRelease(Int64(datagram.count - ReplicationData.bytesOffset))
                }
                return
            }
            if !freeSlots.isEmpty && random.chance(faults.reorderRate) {
                let slot = freeSlots.removeLast()
                (slots + slot * slotBytes).copyMemory(from: datagram.baseAddress!, byteCount: datagram.count)
                let after = 1 + Int(random.next() % UInt64(max(1, faults.reorderWindow)))
                held.append((datagram.count, source, after))
                heldSlot.append(slot)
                reordered.addRelease(1)
                return
            }
            body(datagram, source)
            delivered += 1
            if random.chance(faults.duplicateRate) {
                duplicated.addRelease(1)
                body(datagram, source)
                delivered += 1
            }
            delivered += releaseHeld(body)
        }
        // Nothing new (or all dropped): let held datagrams age by one anyway so none is stuck forever.
        if count == 0 { delivered += releaseHeld(body) }
        return max(delivered, count)
    }

    /// Delivers the held datagrams whose wait is over.
    private func releaseHeld(_ body: (UnsafeRawBufferPointer, IPv4SocketAddress) -> Void) -> Int {
        var delivered = 0
        var index = 0
        while index < held.count {
            held[index].releaseAfter -= 1
            if held[index].releaseAfter <= 0 {
                let slot = heldSlot[index]
                body(UnsafeRawBufferPointer(start: slots + slot * slotBytes, count: held[index].length), held[index].source)
                delivered += 1
                held.remove(at: index)
                heldSlot.remove(at: index)
                freeSlots.append(slot)
            } else {
                index += 1
            }
        }
        return delivered
    }
}
