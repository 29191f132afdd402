/// Every file call the log makes outside the write path's storage (open,
/// preallocate, read, sync, rename, unlink, map), behind one seam: recovery,
/// segments, checkpoints, metadata, retention and readers reach the disk only
/// through it. `SystemFileSystem` is the machine's; the simulator (issue 12)
/// supplies one in memory. `DurableLog.open` is generic over it; the log then
/// keeps it as `any LogFileSystem`, called only off the per-message path
/// (per segment opened, per chunk read back, per checkpoint), never per message.
///
/// File descriptors are the implementation's own handles, valid only with the
/// same file system (and the log storage made for it).
///
/// Threading: an implementation states its own; `SystemFileSystem` is
/// stateless and safe from any thread.
public protocol LogFileSystem: Sendable {
    /// Checks that `path` is an existing, writable directory.
    func checkDirectory(_ path: String) throws(LogError)
    func exists(_ path: String) -> Bool
    func fileSize(_ path: String) throws(LogError) -> Int64
    /// Last modification time of `path` in nanoseconds since 1970.
    func modificationNanos(_ path: String) throws(LogError) -> Int64
    /// Names of the entries of a directory (not `.`/`..`).
    func list(_ path: String) throws(LogError) -> [String]
    func openReadWrite(_ path: String, create: Bool) throws(LogError) -> Int32
    func openReadOnly(_ path: String) throws(LogError) -> Int32
    /// Opens for reading through a C path (a reader formats it on the stack,
    /// allocating nothing): the descriptor, or -1 with `errno` set.
    func openReadOnly(cPath: UnsafePointer<CChar>) -> Int32
    func close(_ fd: Int32)
    /// Reserves `length` bytes for `fd`. Returns 0 or an errno (ENOSPC when the disk is full).
    func preallocate(_ fd: Int32, length: Int64) -> Int32
    /// Reads exactly `length` bytes at `offset` unless the file ends first;
    /// returns the bytes read. `path` names the file in an error only.
    func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ length: Int, at offset: Int64,
                   path: @autoclosure () -> String) throws(LogError) -> Int
    /// Writes all `length` bytes at `offset`.
    func writeFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ length: Int, at offset: Int64,
                    path: String) throws(LogError)
    func truncate(_ fd: Int32, length: Int64, path: String) throws(LogError)
    /// Data durable (fdatasync).
    func dataSync(_ fd: Int32, path: String) throws(LogError)
    /// Data and metadata durable (fsync).
    func sync(_ fd: Int32, path: String) throws(LogError)
    /// Makes created, renamed and deleted names in a directory durable.
    func syncDirectory(_ path: String) throws(LogError)
    func rename(_ path: String, to newPath: String) throws(LogError)
    /// Removes a file; a missing one is not an error.
    func remove(_ path: String) throws(LogError)
    /// The whole file, read-only, in memory (recovery's scan of a segment).
    func mapReadOnly(_ path: String, length: Int) throws(LogError) -> UnsafeRawPointer
    func unmap(_ bytes: UnsafeRawPointer, length: Int)
}

extension LogFileSystem {
    /// Writes a small file whole and durably: temp file, fdatasync, rename, directory sync.
    public func writeFileAtomically(_ path: String, directory: String, bytes: [UInt8]) throws(LogError) {
        let temporary = path + ".tmp"
        let fd = try openReadWrite(temporary, create: true)
        defer { close(fd) }
        try truncate(fd, length: 0, path: temporary)
        let count = bytes.count
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 8)
        defer { copy.deallocate() }
        for (index, byte) in bytes.enumerated() { copy.storeBytes(of: byte, toByteOffset: index, as: UInt8.self) }
        try writeFully(fd, copy, count, at: 0, path: temporary)
        try dataSync(fd, path: temporary)
        try rename(temporary, to: path)
        try syncDirectory(directory)
    }

    /// The bytes of a small state file written by `writeFileAtomically`; nil
    /// when there is none. A file longer than `maximumBytes` cannot be one
    /// this build wrote: `.corruptStateFile` naming it (its contents are
    /// never guessed at).
    public func readStateFile(_ path: String, maximumBytes: Int) throws(LogError) -> [UInt8]? {
        guard exists(path) else { return nil }
        let size = try fileSize(path)
        guard size <= Int64(maximumBytes) else {
            throw .corruptStateFile(path: path, reason: "\(size) bytes, longer than the \(maximumBytes) of the largest such file")
        }
        return try readFile(path, limit: max(Int(size), 1))
    }

    /// Reads a whole small file (at most `limit` bytes).
    public func readFile(_ path: String, limit: Int = 1 << 20) throws(LogError) -> [UInt8] {
        let fd = try openReadOnly(path)
        defer { close(fd) }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: limit, alignment: 8)
        defer { raw.deallocate() }
        let count = try readFully(fd, raw, limit, at: 0, path: path)
        return Array(UnsafeRawBufferPointer(start: raw, count: count))
    }
}
