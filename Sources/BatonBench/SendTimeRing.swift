/// When each message still awaiting its acknowledgement was actually sent,
/// by message index: a power-of-two ring allocated once, so the sender's
/// record of a send and the ack path's lookup are one store and one load.
///
/// Invariant: the runner never has more than `capacity` messages sent and
/// unacknowledged, so a slot is never reused before its ack was recorded.
/// Threading: the run's sender thread only.
public final class SendTimeRing {
    public let capacity: Int
    @usableFromInline let mask: Int64
    @usableFromInline let base: UnsafeMutablePointer<Int64>

    /// A ring of at least `minimumCapacity` slots (rounded up to a power of two).
    public init(minimumCapacity: Int) {
        precondition(minimumCapacity >= 1 && minimumCapacity <= 1 << 30, "ring capacity out of range")
        var capacity = 1
        while capacity < minimumCapacity { capacity <<= 1 }
        self.capacity = capacity
        mask = Int64(capacity - 1)
        base = .allocate(capacity: capacity)
        base.initialize(repeating: 0, count: capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    public subscript(index: Int64) -> Int64 {
        get { base[Int(index & mask)] }
        set { base[Int(index & mask)] = newValue }
    }
}
