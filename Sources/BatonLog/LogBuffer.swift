import CNuma

#if canImport(Glibc)
import Glibc
#endif

/// The in-memory log: a power-of-two ring of bytes mapped to log positions
/// (`offset = position & mask`), page-aligned (anonymous `mmap`), optionally
/// bound to one NUMA node (`mbind(MPOL_BIND)`).
///
/// Frames never cross a multiple of `boundaryBytes` (min(buffer, segment)
/// size; the appender pads up to it), so every frame is contiguous here and in
/// its segment file, and a write of `[a, b)` that does not cross a buffer lap
/// is one contiguous piece of memory.
///
/// Reuse rule: the appender writes position `p` only when every gating counter
/// (durable, transmit, in-memory subscribers) has passed `p - capacity`; see
/// `LogAppender`. The buffer itself has no synchronisation.
///
/// Threading: the memory is shared by the appender (writes), the writer agent
/// and readers (reads); the position counters say who may touch which bytes.
/// The object owns the mapping and unmaps it on deinit.
public final class LogBuffer: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let capacity: Int
    public let mask: Int

    /// Maps `capacity` bytes (a power of two, at least a page), optionally bound to `numaNode`.
    public init(capacity: Int, numaNode: Int? = nil) throws(LogError) {
        precondition(capacity >= 4096 && capacity & (capacity - 1) == 0, "log buffer capacity must be a power of two >= 4096")
        guard let memory = mmap(nil, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              memory != MAP_FAILED else {
            throw .io(operation: "mmap \(capacity) bytes", path: "log buffer", errno: errno)
        }
        if let node = numaNode {
            guard numa_available() >= 0, node >= 0, node <= numa_max_node() else {
                munmap(memory, capacity)
                throw .invalidConfiguration(key: "numaNode", reason: "NUMA node \(node) does not exist on this machine")
            }
            var nodeMask: UInt = 1 << UInt(node)
            let rc = mbind(memory, UInt(capacity), Int32(MPOL_BIND), &nodeMask, UInt(UInt.bitWidth), 0)
            if rc != 0 {
                let code = errno
                munmap(memory, capacity)
                throw .io(operation: "mbind to NUMA node \(node)", path: "log buffer", errno: code)
            }
        }
        self.base = memory
        self.capacity = capacity
        self.mask = capacity - 1
    }

    deinit { munmap(base, capacity) }

    /// The address of `position` in the ring.
    @inlinable @inline(__always)
    public func address(of position: Int64) -> UnsafeMutableRawPointer {
        base + (Int(truncatingIfNeeded: position) & mask)
    }

    /// Touches every page so the first laps do not page-fault on the hot path.
    public func prefault() {
        var offset = 0
        while offset < capacity {
            base.storeBytes(of: 0, toByteOffset: offset, as: UInt8.self)
            offset += 4096
        }
    }
}
