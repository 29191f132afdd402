import CBatonSys

#if canImport(Glibc)
import Glibc
#endif

/// A fixed set of `PositionCounter`s, each alone on its own 128-byte slot,
/// allocated once at start (static allocation: no counter is ever created on
/// the hot path) and labelled for `baton stat`.
///
/// Layout of the value region (slot i at `base + i * slotBytes`):
///
/// ```
///  0               8                                              128
///  +---------------+----------------------------------------------+
///  | value (Int64) | padding: keeps the next value off this line  |
///  +---------------+----------------------------------------------+
/// ```
///
/// Threading: `allocate(label:)` is for set-up only (one thread, before the
/// agents start). Counter reads and writes follow `PositionCounter`'s contract.
/// The memory lives as long as the `CounterSet`.
public final class CounterSet: @unchecked Sendable {
    /// Bytes per counter slot: two cache lines.
    public static let slotBytes = 128

    public let capacity: Int
    public let base: UnsafeMutableRawPointer
    private let ownsMemory: Bool
    public private(set) var labels: [String] = []

    /// A heap-backed set of `capacity` counters, all zero.
    public init(capacity: Int) {
        precondition(capacity > 0, "a counter set needs at least one counter")
        self.capacity = capacity
        var raw: UnsafeMutableRawPointer?
        let rc = posix_memalign(&raw, CounterSet.slotBytes, capacity * CounterSet.slotBytes)
        precondition(rc == 0 && raw != nil, "cannot allocate \(capacity) counters")
        self.base = raw!
        self.base.initializeMemory(as: UInt8.self, repeating: 0, count: capacity * CounterSet.slotBytes)
        self.ownsMemory = true
    }

    /// A counter set over memory someone else owns (for example a mapped file),
    /// which must be 128-byte aligned, `capacity * slotBytes` long, and outlive this set.
    public init(capacity: Int, memory: UnsafeMutableRawPointer) {
        precondition(Int(bitPattern: memory) % CounterSet.slotBytes == 0, "counter memory must be 128-byte aligned")
        self.capacity = capacity
        self.base = memory
        self.ownsMemory = false
    }

    deinit {
        if ownsMemory { free(base) }
    }

    /// Hands out the next free counter, labelled. Set-up only.
    public func allocate(label: String) -> PositionCounter {
        precondition(labels.count < capacity, "counter set full (capacity \(capacity)) allocating '\(label)'")
        let counter = PositionCounter(address: base + labels.count * CounterSet.slotBytes)
        labels.append(label)
        return counter
    }

    /// The counter in slot `index` (any allocated slot).
    public func counter(at index: Int) -> PositionCounter {
        precondition(index >= 0 && index < labels.count, "no counter at \(index)")
        return PositionCounter(address: base + index * CounterSet.slotBytes)
    }

    /// (label, value) of every allocated counter, read with acquire ordering.
    public func snapshot() -> [(label: String, value: Int64)] {
        labels.enumerated().map { (index, label) in (label, counter(at: index).getAcquire()) }
    }
}
