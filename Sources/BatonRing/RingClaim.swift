/// Claims on a ring whose record type and length the caller has already
/// made valid (a fixed record, or a length bounded at set-up): an invalid one
/// is a bug and traps with the ring's reason, instead of being taken for a
/// full ring (which `try?` would do, and stall forever in silence).
/// Threading: the ring's producer threads, as `tryClaim`.
extension OneToOneRingBuffer {
    /// The claimed index, or nil when the ring is full now.
    @inlinable @inline(__always)
    public func claimValid(typeId: Int32, length: Int) -> Int? {
        do {
            return try tryClaim(typeId: typeId, length: length)
        } catch {
            preconditionFailure("claim of record type \(typeId), \(length) bytes: \(error)")
        }
    }
}

extension ManyToOneRingBuffer {
    /// The claimed index, or nil when the ring is full now.
    @inlinable @inline(__always)
    public func claimValid(typeId: Int32, length: Int) -> Int? {
        do {
            return try tryClaim(typeId: typeId, length: length)
        } catch {
            preconditionFailure("claim of record type \(typeId), \(length) bytes: \(error)")
        }
    }
}
