#if canImport(Glibc)
import Glibc
#endif

/// The writer's open segment files: a fixed table of (base, fd) slots indexed
/// by segment number, allocated at start. Creates segments (preallocated,
/// made durable by name) and closes those the writer no longer needs.
///
/// Creating a segment: `NAME.log.tmp` is created, preallocated to the full
/// segment size through the storage seam (so a full disk shows up here, as
/// ENOSPC, before any frame needs the space), fsynced, renamed to `NAME.log`,
/// and the directory is fsynced. A crash leaves at most a `.tmp` file, which
/// open removes; a `.log` file always has the full size. A segment above a
/// truncation's position stays on disk, zeroed where it held frames, and is
/// opened again like any existing one when writing reaches it.
///
/// Threading: confined to the writer agent's thread (recovery builds it first).
final class SegmentTable {
    static let slots = 128
    let layout: SegmentLayout
    let fileSystem: any LogFileSystem
    private let bases: UnsafeMutablePointer<Int64>
    private let fds: UnsafeMutablePointer<Int32>
    private var shift: Int64

    init(layout: SegmentLayout, fileSystem: any LogFileSystem) {
        self.layout = layout
        self.fileSystem = fileSystem
        bases = .allocate(capacity: SegmentTable.slots)
        bases.initialize(repeating: -1, count: SegmentTable.slots)
        fds = .allocate(capacity: SegmentTable.slots)
        fds.initialize(repeating: -1, count: SegmentTable.slots)
        shift = Int64(layout.segmentBytes.trailingZeroBitCount)
    }

    deinit {
        closeAll()
        bases.deallocate()
        fds.deallocate()
    }

    @inline(__always)
    private func slot(_ base: Int64) -> Int { Int(truncatingIfNeeded: base >> shift) & (SegmentTable.slots - 1) }

    /// The fd of the open segment with `base`, or -1.
    @inline(__always)
    func fd(base: Int64) -> Int32 {
        let index = slot(base)
        return bases[index] == base ? fds[index] : -1
    }

    /// Opens an existing segment (checked for size) into the table.
    func openExisting(base: Int64) throws(LogError) -> Int32 {
        let existing = fd(base: base)
        if existing >= 0 { return existing }
        let path = layout.path(base: base)
        let size = try fileSystem.fileSize(path)
        if size != layout.segmentBytes { throw .wrongSegmentSize(path: path, size: size, expected: layout.segmentBytes) }
        let descriptor = try fileSystem.openReadWrite(path, create: false)
        install(base: base, fd: descriptor)
        return descriptor
    }

    /// Opens the segment with `base`, creating and preallocating it if it does not exist.
    func openOrCreate(base: Int64, preallocate: (Int32, Int64) -> Int32) throws(LogError) -> Int32 {
        let existing = fd(base: base)
        if existing >= 0 { return existing }
        let path = layout.path(base: base)
        if fileSystem.exists(path) { return try openExisting(base: base) }
        let temporary = path + ".tmp"
        let descriptor = try fileSystem.openReadWrite(temporary, create: true)
        let rc = preallocate(descriptor, layout.segmentBytes)
        if rc != 0 {
            fileSystem.close(descriptor)
            try? fileSystem.remove(temporary)  // best effort: recovery removes any *.tmp left behind
            if rc == ENOSPC { throw .noSpace(path: path, position: base) }
            throw .io(operation: "fallocate \(layout.segmentBytes) bytes", path: temporary, errno: rc)
        }
        do {
            try fileSystem.sync(descriptor, path: temporary)
            try fileSystem.rename(temporary, to: path)
        } catch {
            fileSystem.close(descriptor)
            throw error
        }
        try fileSystem.syncDirectory(layout.directory)
        install(base: base, fd: descriptor)
        return descriptor
    }

    private func install(base: Int64, fd descriptor: Int32) {
        let index = slot(base)
        if fds[index] >= 0 { fileSystem.close(fds[index]) }
        bases[index] = base
        fds[index] = descriptor
    }

    /// Closes every open segment whose base is below `base`.
    func closeBelow(_ base: Int64) {
        for index in 0..<SegmentTable.slots where bases[index] >= 0 && bases[index] < base {
            fileSystem.close(fds[index])
            fds[index] = -1
            bases[index] = -1
        }
    }

    func closeAll() { closeBelow(Int64.max) }
}
