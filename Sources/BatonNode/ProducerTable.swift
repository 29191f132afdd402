import BatonLog
/// The order stage's memory of every producer it has logged for: the highest
/// sequence number logged, and where that message's frame ended, so that a
/// batch resent after a reconnect is recognised and dropped (idempotent
/// publishing) and its ack can still be given.
///
/// Open addressing with linear probing over arrays allocated once at start
/// (capacity fixed, a power of two, at most half full so probes stay short).
/// No removal of one producer: a producer stays known for the life of the
/// process (and is rebuilt from the log on restart, or when a Raft member's
/// log was truncated — `removeAll` then a rebuild).
///
/// Threading: owned by the order stage's thread only.
public final class ProducerTable {
    /// What the table remembers about one producer.
    public struct Entry: Equatable, Sendable {
        /// Highest sequence number logged for the producer.
        public var lastSequence: UInt64
        /// Position just past the frame of `lastSequence` (what must be committed before it is acked).
        public var endPosition: Int64
        /// Position of the frame of `lastSequence`.
        public var framePosition: Int64
    }

    public let capacity: Int
    public private(set) var count = 0
    private let keys: UnsafeMutableBufferPointer<UInt64>
    private let occupied: UnsafeMutableBufferPointer<Bool>
    private let entries: UnsafeMutableBufferPointer<Entry>
    private let mask: Int

    /// A table for up to `maximumProducers` producers.
    public init(maximumProducers: Int) {
        precondition(maximumProducers > 0, "the producer table needs room for at least one producer")
        var slots = 2
        while slots < maximumProducers * 2 { slots <<= 1 }
        capacity = maximumProducers
        mask = slots - 1
        keys = .allocate(capacity: slots)
        keys.initialize(repeating: 0)
        occupied = .allocate(capacity: slots)
        occupied.initialize(repeating: false)
        entries = .allocate(capacity: slots)
        entries.initialize(repeating: Entry(lastSequence: 0, endPosition: 0, framePosition: 0))
    }

    deinit {
        keys.deallocate()
        occupied.deallocate()
        entries.deallocate()
    }

    @inline(__always)
    private func slot(for producerId: UInt64) -> Int {
        var hash = producerId &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 29
        return Int(truncatingIfNeeded: hash) & mask
    }

    /// The entry of `producerId`, if the producer is known.
    public func entry(for producerId: UInt64) -> Entry? {
        var index = slot(for: producerId)
        while occupied[index] {
            if keys[index] == producerId { return entries[index] }
            index = (index &+ 1) & mask
        }
        return nil
    }

    /// Records that `sequence` of `producerId` was logged in a frame at
    /// `framePosition` ending at `endPosition`. Returns false (recording
    /// nothing) if the producer is new and the table is full.
    @discardableResult
    public func record(producerId: UInt64, sequence: UInt64, framePosition: Int64, endPosition: Int64) -> Bool {
        var index = slot(for: producerId)
        while occupied[index] {
            if keys[index] == producerId {
                assert(sequence >= entries[index].lastSequence, "a producer's logged sequence only grows")
                entries[index] = Entry(lastSequence: sequence, endPosition: endPosition, framePosition: framePosition)
                return true
            }
            index = (index &+ 1) & mask
        }
        guard count < capacity else { return false }
        occupied[index] = true
        keys[index] = producerId
        entries[index] = Entry(lastSequence: sequence, endPosition: endPosition, framePosition: framePosition)
        count += 1
        return true
    }
}

extension ProducerTable {
    /// Forgets every producer (a Raft member whose log was truncated rebuilds
    /// the table from the log before it leads). Order-stage thread only.
    func removeAll() {
        occupied.update(repeating: false)
        count = 0
    }

    /// Records every data frame of `log` in `[from, upTo)` (at start: the whole
    /// log; a chain head: the frames it took back from its successor).
    /// Returns how many frames it read. Set-up or order-stage thread only.
    @discardableResult
    func record(framesOf log: DurableLog, from: Int64, upTo end: Int64) throws -> Int {
        let reader = log.makeReader()
        var frames = 0
        try reader.forEachFrame(from: from, upTo: end) { frame in
            record(producerId: frame.producerId, sequence: frame.sequence, framePosition: frame.position,
                   endPosition: frame.position + Int64(frame.alignedLength))
            frames += 1
        }
        return frames
    }
}
