import Synchronization

/// Counters that worker threads publish and a sampler reads: each alone on
/// 128 bytes (two cache lines, so neither false sharing nor the adjacent-line
/// prefetcher couples two threads), allocated once.
///
/// Invariant: each slot has one writer thread (it `store`s its running
/// total with release ordering); any thread `load`s with acquire ordering.
/// Threading: as stated per slot; `@unchecked Sendable` because the slots
/// are raw memory.
public final class PaddedCounters: @unchecked Sendable {
    public static let slotBytes = 128
    public let count: Int
    let base: UnsafeMutableRawPointer

    public init(count: Int) {
        precondition(count >= 1, "at least one counter")
        self.count = count
        base = .allocate(byteCount: count * Self.slotBytes, alignment: Self.slotBytes)
        for index in 0..<count {
            (base + index * Self.slotBytes).bindMemory(to: Atomic<Int64>.self, capacity: 1).initialize(to: Atomic(0))
        }
    }

    deinit {
        for index in 0..<count { slot(index).deinitialize(count: 1) }
        base.deallocate()
    }

    @inline(__always)
    func slot(_ index: Int) -> UnsafeMutablePointer<Atomic<Int64>> {
        precondition(index >= 0 && index < count, "counter \(index) of \(count)")
        return (base + index &* Self.slotBytes).assumingMemoryBound(to: Atomic<Int64>.self)
    }

    /// The slot's writer publishes its running total.
    @inline(__always)
    public func store(_ index: Int, _ value: Int64) {
        slot(index).pointee.store(value, ordering: .releasing)
    }

    @inline(__always)
    public func load(_ index: Int) -> Int64 {
        slot(index).pointee.load(ordering: .acquiring)
    }

    /// The sum of slots `range`.
    public func sum(_ range: Range<Int>) -> Int64 {
        range.reduce(0) { $0 &+ load($1) }
    }
}
