import BatonRing
import Glibc

/// A node's counters file mapped by another process on the same machine:
/// read-only for `baton stat` (`CountersFile.read`), or for writing as the
/// control channel of `baton admin` (as Aeron's ClusterTool writes its
/// control toggle into the CnC file): the tool writes the few counters the
/// node reads as requests (`raft.transfer.requests`, `raft.transfer.target`)
/// and reads the node's answers live. No socket, no request to the node's
/// client port; only a user who may write the node's data directory can.
///
/// Invariant: the mapping stays valid until `deinit`; `labels[i]` names value
/// slot `i`, read once at `init`. Threading: one thread (the tool's).
public final class CountersFileControl {
    public let path: String
    /// The counters' labels, in slot order.
    public let labels: [String]
    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let indexByLabel: [String: Int]
    private let valuesOffset: Int

    /// Maps the counters file at `path`, written by a node that may be running
    /// (`writable`: for `baton admin`; else read-only).
    public init(path: String, writable: Bool = true) throws(NodeError) {
        self.path = path
        let fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw .io(operation: writable ? "open counters file for writing" : "open counters file", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "stat counters file", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size >= CountersFile.headerBytes else {
            throw .corruptCounters(path: path, reason: "file of \(size) bytes is shorter than its header")
        }
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        guard let mapped = mmap(nil, size, protection, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw .io(operation: "map counters file", path: path, errno: errno)
        }
        guard mapped.load(as: UInt64.self) == CountersFile.magic else {
            munmap(mapped, size)
            throw .corruptCounters(path: path, reason: "not a Baton counters file (bad magic)")
        }
        let version = mapped.load(fromByteOffset: 8, as: UInt32.self)
        guard version == CountersFile.version else {
            munmap(mapped, size)
            throw .corruptCounters(path: path, reason: "counters file version \(version), this build reads \(CountersFile.version)")
        }
        let capacity = Int(mapped.load(fromByteOffset: 12, as: UInt32.self))
        let (offset, total) = CountersFile.layout(capacity: capacity)
        guard total <= size else {
            munmap(mapped, size)
            throw .corruptCounters(path: path, reason: "capacity \(capacity) needs \(total) bytes, file has \(size)")
        }
        let count = min(Int(PositionCounter(address: mapped + 16).getAcquire() >> 32), capacity)
        var labels: [String] = []
        var index: [String: Int] = [:]
        for slot in 0..<count {
            let label = mapped + CountersFile.headerBytes + slot * CountersFile.labelBytes
            let length = min(Int(label.load(as: UInt8.self)), CountersFile.labelBytes - 1)
            let text = String(decoding: UnsafeRawBufferPointer(start: label + 1, count: length), as: UTF8.self)
            labels.append(text)
            if index[text] == nil { index[text] = slot }
        }
        base = mapped
        mappedBytes = size
        self.labels = labels
        indexByLabel = index
        valuesOffset = offset
    }

    deinit { munmap(base, mappedBytes) }

    /// The counter labelled `label`, or nil when the node has none (another replication mode, an older build).
    public func counter(_ label: String) -> PositionCounter? {
        indexByLabel[label].map(counter(at:))
    }

    /// The counter in value slot `slot` (`labels[slot]` names it).
    public func counter(at slot: Int) -> PositionCounter {
        PositionCounter(address: base + valuesOffset + slot * CounterSet.slotBytes)
    }

    /// The pid of the process that wrote the file, and whether it is alive.
    public var writerPid: Int32 { Int32(truncatingIfNeeded: base.load(fromByteOffset: 32, as: Int64.self)) }
    public var isWriterAlive: Bool { kill(writerPid, 0) == 0 || errno == EPERM }
    /// When the writer started (wall clock) and last marked itself alive.
    public var startedNanos: Int64 { base.load(fromByteOffset: 40, as: Int64.self) }
    public var heartbeatNanos: Int64 { PositionCounter(address: base + 48).getAcquire() }
}
