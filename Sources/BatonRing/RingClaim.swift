/// A ring a producer claims room in (`OneToOneRingBuffer`, `ManyToOneRingBuffer`).
public protocol RingClaiming: AnyObject {
    /// Room for a record of `length` bytes, or nil when the ring is full now;
    /// throws for an invalid type id or length.
    func tryClaim(typeId: Int32, length: Int) throws(RingBufferError) -> Int?
}

extension OneToOneRingBuffer: RingClaiming {}
extension ManyToOneRingBuffer: RingClaiming {}

extension RingClaiming {
    /// A claim whose record type and length the caller has already made
    /// valid (a fixed record, or a length bounded at set-up): an invalid one
    /// is a bug and traps with the ring's reason, instead of being taken for
    /// a full ring (which `try?` would do, stalling forever in silence).
    /// Returns the claimed index, or nil when the ring is full now.
    /// Threading: the ring's producer threads, as `tryClaim`.
    @inlinable @inline(__always)
    public func claimValid(typeId: Int32, length: Int) -> Int? {
        do {
            return try tryClaim(typeId: typeId, length: length)
        } catch {
            preconditionFailure("claim of record type \(typeId), \(length) bytes: \(error)")
        }
    }
}
