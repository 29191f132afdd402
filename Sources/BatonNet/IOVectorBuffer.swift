import Glibc

/// A fixed-capacity array of `iovec`s, allocated once, for `writev`/`readv`
/// over memory the caller owns (log buffer regions, scratch headers).
///
/// Invariant: `0 <= start <= end <= capacity`; the live vectors are
/// `[start, end)` and `byteCount` is the sum of their lengths. `consume`
/// drops bytes from the front after a partial write without moving memory.
/// The iovecs point at memory the buffer does not own: it must stay valid
/// until written. No call allocates after `init`. Threading: owned by one
/// thread (`~Copyable`: one owner, freed once in `deinit`).
public struct IOVectorBuffer: ~Copyable {
    /// The most vectors this buffer holds (1...`NetLimits.iovecsPerCallMax`).
    public let capacity: Int
    @usableFromInline let base: UnsafeMutablePointer<iovec>
    @usableFromInline var start: Int = 0
    @usableFromInline var end: Int = 0
    @usableFromInline var byteCountStorage: Int = 0

    public init(capacity: Int) {
        precondition(capacity >= 1 && capacity <= NetLimits.iovecsPerCallMax, "capacity must be 1...\(NetLimits.iovecsPerCallMax)")
        self.capacity = capacity
        base = .allocate(capacity: capacity)
        base.initialize(repeating: iovec(), count: capacity)
    }

    deinit { base.deallocate() }

    /// Bytes described by the live vectors.
    @inlinable public var byteCount: Int { byteCountStorage }
    /// Number of live vectors.
    @inlinable public var count: Int { end - start }
    @inlinable public var isEmpty: Bool { end == start }

    /// The live vectors, for `TCPConnection.writev`/`readv`; valid until the next mutation.
    @inlinable
    public var vectors: UnsafeBufferPointer<iovec> {
        UnsafeBufferPointer(start: base + start, count: end - start)
    }

    /// Appends a region to write from; false (and nothing changes) when full.
    @inlinable
    public mutating func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard end < capacity else { return false }
        base[end] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
        end &+= 1
        byteCountStorage &+= bytes.count
        return true
    }

    /// Appends a region to read into; false (and nothing changes) when full.
    @inlinable
    public mutating func append(_ bytes: UnsafeMutableRawBufferPointer) -> Bool {
        append(UnsafeRawBufferPointer(bytes))
    }

    /// Drops `bytes` (<= `byteCount`) from the front: whole vectors are
    /// skipped, a vector only partly covered is trimmed in place.
    @inlinable
    public mutating func consume(_ bytes: Int) {
        precondition(bytes >= 0 && bytes <= byteCount, "consume \(bytes) of \(byteCount) bytes")
        var left = bytes
        byteCountStorage &-= bytes
        while left > 0 {
            let length = base[start].iov_len
            if left >= length {
                left &-= length
                start &+= 1
            } else {
                base[start].iov_base = base[start].iov_base! + left
                base[start].iov_len = length &- left
                left = 0
            }
        }
        while start < end && base[start].iov_len == 0 { start &+= 1 }
        if start == end { start = 0; end = 0 }
        assert(byteCount > 0 || start == end, "live vectors left with no bytes")
    }

    /// Forgets every vector.
    @inlinable
    public mutating func removeAll() {
        start = 0
        end = 0
        byteCountStorage = 0
    }
}
