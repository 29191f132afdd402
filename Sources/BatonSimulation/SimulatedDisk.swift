import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// One simulated machine's disk, in memory: the `LogFileSystem` a node's
/// durable log runs on in the simulator (and, through `SimulatedStorage`, the
/// writer's storage). Nothing touches the real file system.
///
/// Model:
/// - Directories are a set of paths (`createDirectory` makes one and its
///   parents). Files are kept by path; each holds `current` (what reads see)
///   and `durable` (what survives a crash) and the changes made since its
///   last sync (see `SimulatedFile`).
/// - Writes change `current` at once and are pending until a sync of that
///   file; `crash(random:)` keeps `durable` plus a random in-order prefix of
///   each file's pending changes, the last kept write possibly torn.
/// - Name operations (create, rename, remove) are durable at once:
///   directory-entry durability is not simulated (`syncDirectory` only checks
///   the directory exists). A created file's *content* is volatile until synced.
/// - Descriptors are `Int32` handles from a counter, never reused in a disk's
///   life, valid until `close` or a crash: a handle held across a crash by
///   the dead process's objects can never reach a file opened later.
/// - Faults (`faults`, drawn while `faultsEnabled`) come from the disk's own
///   `SimulationRandom`, so the same seed injects the same faults.
///
/// Errors match `SystemFileSystem`'s: `.missingDirectory` from
/// `checkDirectory`, `.io(operation:path:errno:)` with the POSIX call's name
/// and ENOENT, EBADF, EIO, ENOSPC as the real calls would give.
///
/// Invariant: every file's parent directory exists; every open descriptor
/// names a file object (which may have lost its name since).
///
/// Threading: `@unchecked Sendable` only to satisfy `LogFileSystem`; one
/// thread (the simulation's) drives the disk and every object using it.
public final class SimulatedDisk: LogFileSystem, @unchecked Sendable {
    struct Descriptor {
        var file: SimulatedFile
        var path: String
        var writable: Bool
    }

    /// The logical time of modifications, in nanoseconds since 1970 (the
    /// simulator sets it from its wall clock).
    public var nowNanos: Int64 = 0
    /// The faults to inject and the storage latencies.
    public var faults: DiskFaults {
        didSet { precondition(faults.isValid, "disk faults out of range: \(faults)") }
    }
    /// Off: no fault is drawn (the simulator heals the disk); latencies stay.
    public var faultsEnabled = true
    /// Faults injected so far, by kind.
    public internal(set) var faultCounts = DiskFaultCounts()
    /// Crashes so far.
    public internal(set) var crashes = 0
    /// Writes of which only a prefix landed at a crash.
    public internal(set) var tornWrites = 0
    /// Unsynced changes (writes, resizes) that did not land at all at a crash.
    public internal(set) var lostWrites = 0

    var random: SimulationRandom
    var directories: Set<String> = ["/"]
    var files: [String: SimulatedFile] = [:]
    var descriptors: [Int32: Descriptor] = [:]
    private var nextDescriptor: Int32 = 3
    /// Live `mapReadOnly` copies and their lengths.
    var mappings: [UnsafeRawPointer: Int] = [:]

    public init(random: SimulationRandom, faults: DiskFaults = .none) {
        precondition(faults.isValid, "disk faults out of range: \(faults)")
        self.random = random
        self.faults = faults
    }

    deinit {
        for (bytes, _) in mappings { bytes.deallocate() }
    }

    // MARK: - Set-up and inspection

    /// Makes `path` and every missing parent a directory (mkdir -p).
    public func createDirectory(_ path: String) {
        var directory = SimulatedDisk.normalized(path)
        while !directories.contains(directory) {
            directories.insert(directory)
            directory = SimulatedDisk.parent(of: directory)
        }
    }

    /// Open descriptors (a leak shows up here).
    public var openDescriptors: Int { descriptors.count }
    /// Live `mapReadOnly` copies (a leak shows up here).
    public var openMappings: Int { mappings.count }
    /// Unsynced changes over all files: what a crash now could lose.
    public var unsyncedWrites: Int { files.values.reduce(0) { $0 + $1.pending.count } }
    /// Paths of all files, sorted.
    public var filePaths: [String] { files.keys.sorted() }

    /// What reads of `path` see now, or nil when there is no such file.
    public func currentBytes(_ path: String) -> [UInt8]? { files[SimulatedDisk.normalized(path)]?.current }
    /// What would survive a crash now without any pending write, or nil.
    public func durableBytes(_ path: String) -> [UInt8]? { files[SimulatedDisk.normalized(path)]?.durable }

    // MARK: - Descriptors

    func open(_ file: SimulatedFile, path: String, writable: Bool) -> Int32 {
        precondition(nextDescriptor < Int32.max, "simulated disk: descriptors exhausted")
        let fd = nextDescriptor
        nextDescriptor += 1
        descriptors[fd] = Descriptor(file: file, path: path, writable: writable)
        return fd
    }

    /// The file behind an open descriptor, or nil (EBADF).
    func file(_ fd: Int32, writing: Bool = false) -> SimulatedFile? {
        guard let descriptor = descriptors[fd], descriptor.writable || !writing else { return nil }
        return descriptor.file
    }

    // MARK: - Fault draws (only while enabled)

    /// 0, ENOSPC or EIO for one write; counts what it injects.
    func drawWriteFault() -> Int32 {
        guard faultsEnabled else { return 0 }
        if random.chance(faults.noSpaceProbability) {
            faultCounts.noSpaceErrors += 1
            return ENOSPC
        }
        if random.chance(faults.writeErrorProbability) {
            faultCounts.writeErrors += 1
            return EIO
        }
        return 0
    }

    /// 0 or ENOSPC for one preallocation.
    func drawPreallocateFault() -> Int32 {
        guard faultsEnabled, random.chance(faults.noSpaceProbability) else { return 0 }
        faultCounts.noSpaceErrors += 1
        return ENOSPC
    }

    /// True when this sync fails (EIO).
    func drawSyncFault() -> Bool {
        guard faultsEnabled, random.chance(faults.syncErrorProbability) else { return false }
        faultCounts.syncErrors += 1
        return true
    }

    func drawWriteLatency() -> Int64 { random.int(in: faults.writeLatencyNanos) }

    /// A storage sync's latency: slow with `slowSyncProbability` (when enabled).
    func drawSyncLatency() -> Int64 {
        if faultsEnabled && random.chance(faults.slowSyncProbability) {
            faultCounts.slowSyncs += 1
            return random.int(in: faults.slowSyncLatencyNanos)
        }
        return random.int(in: faults.syncLatencyNanos)
    }

    // MARK: - Paths

    /// `path` without trailing slashes ("/" stays "/").
    static func normalized(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1 && result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }

    /// The directory holding `path` ("/" for a top-level name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}
