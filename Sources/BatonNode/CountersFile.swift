import BatonRing
import Glibc

/// The node's counters in a memory-mapped file (`<data>/counters.dat`), in the
/// manner of Aeron's CnC file: the running node writes its counters in place,
/// and `baton stat --data DIR` (or a metrics exporter) maps the same file from
/// another process and reads them live, with no request to the node.
///
/// ```
///  0        8          12         16         20        24     32           40              48
///  +--------+----------+----------+----------+---------+------+------------+---------------+--------------+
///  | magic  | version  | capacity | labelLen | count   | -    | pid        | startedNanos  | heartbeatNanos|
///  +--------+----------+----------+----------+---------+------+------------+---------------+--------------+
///  4096: capacity x 64-byte labels (UInt8 length + UTF-8)
///  then, 128-byte aligned: capacity x 128-byte value slots (see CounterSet)
/// ```
///
/// Threading: the node's set-up thread allocates counters (before agents
/// start); `count` is published with release ordering after each label, so a
/// reader never sees a label half written. Values follow `PositionCounter`.
public final class CountersFile: @unchecked Sendable {
    /// "BATONCTR" read as a little-endian UInt64.
    public static let magic: UInt64 = 0x5254_434E_4F54_4142
    public static let version: UInt32 = 1
    public static let headerBytes = 4096
    public static let labelBytes = 64

    public let path: String
    public let capacity: Int
    public let counters: CounterSet
    private let base: UnsafeMutableRawPointer
    private let mappedBytes: Int
    private let labelsBase: UnsafeMutableRawPointer

    static func layout(capacity: Int) -> (valuesOffset: Int, total: Int) {
        let labelsEnd = headerBytes + capacity * labelBytes
        let valuesOffset = (labelsEnd + 127) & ~127
        return (valuesOffset, valuesOffset + capacity * CounterSet.slotBytes)
    }

    /// Creates (or replaces) the file for a running node with room for `capacity` counters.
    public convenience init(creatingAt path: String, capacity: Int) throws(NodeError) {
        let (_, total) = CountersFile.layout(capacity: capacity)
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(operation: "create counters file", path: path, errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(total)) == 0 else { throw .io(operation: "size counters file", path: path, errno: errno) }
        guard let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw .io(operation: "map counters file", path: path, errno: errno)
        }
        self.init(path: path, capacity: capacity, mapped: mapped)
    }

    /// The same layout in private memory, seen by no other process (a
    /// simulated node; `path` is only a name for messages).
    public convenience init(inMemoryCapacity capacity: Int, name: String = "(memory)") throws(NodeError) {
        let (_, total) = CountersFile.layout(capacity: capacity)
        guard let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED else {
            throw .io(operation: "map counters memory", path: name, errno: errno)
        }
        self.init(path: name, capacity: capacity, mapped: mapped)
    }

    private init(path: String, capacity: Int, mapped: UnsafeMutableRawPointer) {
        let (valuesOffset, total) = CountersFile.layout(capacity: capacity)
        self.path = path
        self.capacity = capacity
        self.base = mapped
        self.mappedBytes = total
        self.labelsBase = mapped + CountersFile.headerBytes
        mapped.storeBytes(of: CountersFile.magic, toByteOffset: 0, as: UInt64.self)
        mapped.storeBytes(of: CountersFile.version, toByteOffset: 8, as: UInt32.self)
        mapped.storeBytes(of: UInt32(capacity), toByteOffset: 12, as: UInt32.self)
        mapped.storeBytes(of: UInt32(CountersFile.labelBytes), toByteOffset: 16, as: UInt32.self)
        mapped.storeBytes(of: UInt32(0), toByteOffset: 20, as: UInt32.self)
        mapped.storeBytes(of: Int64(getpid()), toByteOffset: 32, as: Int64.self)
        mapped.storeBytes(of: CountersFile.wallClockNanos(), toByteOffset: 40, as: Int64.self)
        counters = CounterSet(capacity: capacity, memory: mapped + valuesOffset)
    }

    deinit { munmap(base, mappedBytes) }

    /// Allocates a labelled counter in the file. Set-up only.
    public func allocate(label: String) -> PositionCounter {
        let index = counters.labels.count
        let counter = counters.allocate(label: label)
        counter.setPlain(0)
        let slot = labelsBase + index * CountersFile.labelBytes
        let utf8 = Array(label.utf8.prefix(CountersFile.labelBytes - 1))
        slot.storeBytes(of: UInt8(utf8.count), as: UInt8.self)
        utf8.withUnsafeBytes { (slot + 1).copyMemory(from: $0.baseAddress!, byteCount: utf8.count) }
        PositionCounter(address: base + 16).setRelease(Int64(UInt32(CountersFile.labelBytes)) | Int64(index + 1) << 32)
        return counter
    }

    /// Marks the node alive now (the stat tool shows how long ago this was).
    public func heartbeat() {
        PositionCounter(address: base + 48).setPlain(CountersFile.wallClockNanos())
    }

    public static func wallClockNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// A snapshot of a counters file written by a node, possibly another process.
    public struct Snapshot: Sendable {
        public let pid: Int64
        public let startedNanos: Int64
        public let heartbeatNanos: Int64
        public let values: [(label: String, value: Int64)]
        /// Whether the process that wrote the file is still alive.
        public var isProcessAlive: Bool { kill(pid_t(pid), 0) == 0 || errno == EPERM }
    }

    /// Reads the counters file at `path` (read-only; the writer may be running).
    public static func read(path: String) throws(NodeError) -> Snapshot {
        let file = try CountersFileControl(path: path, writable: false)
        let values = file.labels.enumerated().map { slot, label in (label: label, value: file.counter(at: slot).getAcquire()) }
        return Snapshot(pid: Int64(file.writerPid), startedNanos: file.startedNanos, heartbeatNanos: file.heartbeatNanos, values: values)
    }
}
