import BatonRing
import Glibc

/// A running node's counters file mapped for writing by another process on
/// the same machine — the control channel of `baton admin` (as Aeron's
/// ClusterTool writes its control toggle into the CnC file): the tool writes
/// the few counters the node reads as requests (`raft.transfer.requests`,
/// `raft.transfer.target`) and reads the node's answers live. No socket, no
/// request to the node's client port; only a user who may write the node's
/// data directory can do it.
///
/// Invariant: the mapping stays valid until `deinit`; counters are looked up
/// by label once. Threading: one thread (the tool's).
public final class CountersFileControl {
    public let path: String
    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let indexByLabel: [String: Int]
    private let valuesOffset: Int

    /// Maps the counters file at `path`, written by a node that may be running.
    public init(path: String) throws(NodeError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: "open counters file for writing", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "stat counters file", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size >= CountersFile.headerBytes else {
            throw .corruptCounters(path: path, reason: "file of \(size) bytes is shorter than its header")
        }
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw .io(operation: "map counters file", path: path, errno: errno)
        }
        guard mapped.load(as: UInt64.self) == CountersFile.magic,
              mapped.load(fromByteOffset: 8, as: UInt32.self) == CountersFile.version else {
            munmap(mapped, size)
            throw .corruptCounters(path: path, reason: "not a Baton counters file of version \(CountersFile.version)")
        }
        let capacity = Int(mapped.load(fromByteOffset: 12, as: UInt32.self))
        let (offset, total) = CountersFile.layout(capacity: capacity)
        guard total <= size else {
            munmap(mapped, size)
            throw .corruptCounters(path: path, reason: "capacity \(capacity) needs \(total) bytes, file has \(size)")
        }
        let count = min(Int(PositionCounter(address: mapped + 16).getAcquire() >> 32), capacity)
        var index: [String: Int] = [:]
        for slot in 0..<count {
            let label = mapped + CountersFile.headerBytes + slot * CountersFile.labelBytes
            let length = min(Int(label.load(as: UInt8.self)), CountersFile.labelBytes - 1)
            let text = String(decoding: UnsafeRawBufferPointer(start: label + 1, count: length), as: UTF8.self)
            if index[text] == nil { index[text] = slot }
        }
        base = mapped
        mappedBytes = size
        indexByLabel = index
        valuesOffset = offset
    }

    deinit { munmap(base, mappedBytes) }

    /// The counter labelled `label`, or nil when the node has none (another replication mode, an older build).
    public func counter(_ label: String) -> PositionCounter? {
        indexByLabel[label].map { PositionCounter(address: base + valuesOffset + $0 * CounterSet.slotBytes) }
    }

    /// The pid of the process that wrote the file, and whether it is alive.
    public var writerPid: Int32 { Int32(truncatingIfNeeded: base.load(fromByteOffset: 32, as: Int64.self)) }
    public var isWriterAlive: Bool { kill(writerPid, 0) == 0 || errno == EPERM }
}
