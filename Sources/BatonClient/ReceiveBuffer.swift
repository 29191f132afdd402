#if canImport(Glibc)
import Glibc
#endif

/// A fixed receive buffer: bytes read from the socket wait here until they
/// make whole messages, which are handled in place (no copy).
///
/// ```
///  0        start                end                 capacity
///  | handled | unread: whole and  | free: the next    |
///  |         | partial messages   | read lands here   |
/// ```
///
/// Invariant: `0 <= start <= end <= capacity`; `[start, end)` is unread.
/// The unread bytes move to the front (compaction) only in `spaceForRead`,
/// so a view of an unread message stays valid until the next read. The
/// memory is allocated once and freed in `deinit` (`~Copyable`: one owner).
/// Threading: the owning connection's thread.
struct ReceiveBuffer: ~Copyable {
    /// Compact before a read when less free space than this remains at the end.
    static let minimumReadRoom = 4_096

    private(set) var memory: UnsafeMutableRawBufferPointer
    private(set) var start = 0
    private(set) var end = 0

    init(capacity: Int) {
        precondition(capacity >= 2 * ReceiveBuffer.minimumReadRoom, "receive buffer of \(capacity) bytes is too small")
        memory = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { memory.deallocate() }

    var capacity: Int { memory.count }

    /// The bytes read but not yet handled.
    @inline(__always)
    var unread: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(memory.baseAddress.unsafelyUnwrapped) + start, count: end &- start)
    }

    /// Marks `count` unread bytes handled.
    @inline(__always)
    mutating func consume(_ count: Int) {
        precondition(count >= 0 && count <= end &- start, "consume past the unread bytes")
        start &+= count
        if start == end {
            start = 0
            end = 0
        }
    }

    /// The free space for the next read, after moving the unread bytes to the
    /// front when the space left is small or the message being assembled
    /// (`needed` bytes from `start`, when known) would not fit.
    mutating func spaceForRead(needed: Int?) -> UnsafeMutableRawBufferPointer {
        let base = memory.baseAddress.unsafelyUnwrapped
        if start > 0 {
            let tooSmall = capacity &- end < ReceiveBuffer.minimumReadRoom
            let wontFit = needed.map { start &+ $0 > capacity } ?? false
            if tooSmall || wontFit {
                let unreadCount = end &- start
                memmove(base, base + start, unreadCount)
                start = 0
                end = unreadCount
            }
        }
        return UnsafeMutableRawBufferPointer(start: base + end, count: capacity &- end)
    }

    /// Records `count` bytes read into the space `spaceForRead` returned.
    @inline(__always)
    mutating func didRead(_ count: Int) {
        precondition(count >= 0 && end &+ count <= capacity, "read past the buffer")
        end &+= count
    }

    /// Forgets everything (a new session).
    mutating func reset() {
        start = 0
        end = 0
    }

    /// Replaces the memory with a larger block, keeping the unread bytes
    /// (once, when the broker's Welcome announces longer messages).
    mutating func grow(to newCapacity: Int) {
        guard newCapacity > capacity else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: newCapacity, alignment: 64)
        let unreadCount = end &- start
        if unreadCount > 0 {
            larger.baseAddress.unsafelyUnwrapped.copyMemory(from: memory.baseAddress.unsafelyUnwrapped + start, byteCount: unreadCount)
        }
        memory.deallocate()
        memory = larger
        start = 0
        end = unreadCount
    }
}
