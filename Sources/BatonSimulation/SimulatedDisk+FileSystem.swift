import BatonLog

#if canImport(Glibc)
import Glibc
#endif

/// The `LogFileSystem` calls, on the disk's directories and files. Each
/// failure is the `LogError` `SystemFileSystem` throws for it (same operation
/// name, the errno the real call would give).
extension SimulatedDisk {
    public func checkDirectory(_ path: String) throws(LogError) {
        if !directories.contains(SimulatedDisk.normalized(path)) { throw .missingDirectory(path: path) }
    }

    public func exists(_ path: String) -> Bool {
        let name = SimulatedDisk.normalized(path)
        return files[name] != nil || directories.contains(name)
    }

    public func fileSize(_ path: String) throws(LogError) -> Int64 {
        let name = SimulatedDisk.normalized(path)
        if directories.contains(name) { return 0 }
        guard let file = files[name] else { throw .io(operation: "stat", path: path, errno: ENOENT) }
        return Int64(file.size)
    }

    /// The disk's logical time (`nowNanos`) at the file's last change; 0 for a directory.
    public func modificationNanos(_ path: String) throws(LogError) -> Int64 {
        let name = SimulatedDisk.normalized(path)
        if directories.contains(name) { return 0 }
        guard let file = files[name] else { throw .io(operation: "stat", path: path, errno: ENOENT) }
        return file.modificationNanos
    }

    /// Names of the files and directories directly in `path`, sorted (so a
    /// run does not depend on hashing order).
    public func list(_ path: String) throws(LogError) -> [String] {
        let directory = SimulatedDisk.normalized(path)
        guard directories.contains(directory) else { throw .io(operation: "opendir", path: path, errno: ENOENT) }
        var names: [String] = []
        for name in files.keys where SimulatedDisk.parent(of: name) == directory { names.append(SimulatedDisk.baseName(name)) }
        for name in directories where name != "/" && SimulatedDisk.parent(of: name) == directory {
            names.append(SimulatedDisk.baseName(name))
        }
        return names.sorted()
    }

    public func openReadWrite(_ path: String, create: Bool) throws(LogError) -> Int32 {
        let name = SimulatedDisk.normalized(path)
        if directories.contains(name) { throw .io(operation: "open", path: path, errno: EISDIR) }
        if let file = files[name] { return open(file, path: name, writable: true) }
        guard create, directories.contains(SimulatedDisk.parent(of: name)) else {
            throw .io(operation: "open", path: path, errno: ENOENT)
        }
        let file = SimulatedFile(modificationNanos: nowNanos)
        files[name] = file
        return open(file, path: name, writable: true)
    }

    public func openReadOnly(_ path: String) throws(LogError) -> Int32 {
        guard let file = files[SimulatedDisk.normalized(path)] else { throw .io(operation: "open", path: path, errno: ENOENT) }
        return open(file, path: SimulatedDisk.normalized(path), writable: false)
    }

    /// The descriptor, or -1 with `errno` set to ENOENT (as `open(2)`).
    public func openReadOnly(cPath: UnsafePointer<CChar>) -> Int32 {
        let path = SimulatedDisk.normalized(String(cString: cPath))
        guard let file = files[path] else {
            errno = ENOENT
            return -1
        }
        return open(file, path: path, writable: false)
    }

    /// Closes `fd`; an invalid one (closed, or from before a crash) is ignored, as EBADF from close(2) is.
    public func close(_ fd: Int32) { descriptors[fd] = nil }

    /// Zero-extends both images of the file to `length` (never shrinks).
    /// Returns 0, EBADF, or ENOSPC when a no-space fault is drawn.
    public func preallocate(_ fd: Int32, length: Int64) -> Int32 {
        guard let file = file(fd, writing: true) else { return EBADF }
        let fault = drawPreallocateFault()
        if fault != 0 { return fault }
        file.preallocate(to: Int(length))
        file.modificationNanos = nowNanos
        return 0
    }

    /// Reads from `current`; never fails on a valid descriptor.
    public func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ length: Int, at offset: Int64,
                          path: @autoclosure () -> String) throws(LogError) -> Int {
        guard let file = file(fd) else { throw .io(operation: "pread", path: path(), errno: EBADF) }
        return file.read(into: buffer, length: length, at: Int(offset))
    }

    /// Writes into `current` and records the write as pending; a drawn fault
    /// (ENOSPC, EIO) throws and changes nothing.
    public func writeFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ length: Int, at offset: Int64,
                           path: String) throws(LogError) {
        guard let file = file(fd, writing: true) else { throw .io(operation: "pwrite", path: path, errno: EBADF) }
        let fault = drawWriteFault()
        if fault != 0 { throw .io(operation: "pwrite", path: path, errno: fault) }
        write(file, UnsafeRawBufferPointer(start: buffer, count: length), at: Int(offset))
    }

    public func truncate(_ fd: Int32, length: Int64, path: String) throws(LogError) {
        guard let file = file(fd, writing: true) else { throw .io(operation: "ftruncate", path: path, errno: EBADF) }
        file.resize(to: Int(length))
        file.modificationNanos = nowNanos
    }

    /// Makes the file durable (`durable = current`), unless a sync fault is
    /// drawn: then it throws EIO and nothing becomes durable.
    public func dataSync(_ fd: Int32, path: String) throws(LogError) { try sync(fd, operation: "fdatasync", path: path) }

    /// As `dataSync` (file metadata is not simulated apart from the size, which a sync makes durable too).
    public func sync(_ fd: Int32, path: String) throws(LogError) { try sync(fd, operation: "fsync", path: path) }

    /// Checks the directory exists: directory entries are durable at once here.
    public func syncDirectory(_ path: String) throws(LogError) {
        if !directories.contains(SimulatedDisk.normalized(path)) { throw .io(operation: "open directory", path: path, errno: ENOENT) }
    }

    /// Moves the file object (both images, pending writes, open descriptors
    /// keep it) to `newPath`, replacing a file there. Durable at once.
    public func rename(_ path: String, to newPath: String) throws(LogError) {
        let from = SimulatedDisk.normalized(path)
        let to = SimulatedDisk.normalized(newPath)
        guard let file = files[from] else { throw .io(operation: "rename to \(newPath)", path: path, errno: ENOENT) }
        if directories.contains(to) { throw .io(operation: "rename to \(newPath)", path: path, errno: EISDIR) }
        guard directories.contains(SimulatedDisk.parent(of: to)) else {
            throw .io(operation: "rename to \(newPath)", path: path, errno: ENOENT)
        }
        files[from] = nil
        files[to] = file
    }

    /// Removes the name (open descriptors keep the file object); a missing file is not an error.
    public func remove(_ path: String) throws(LogError) {
        let name = SimulatedDisk.normalized(path)
        if directories.contains(name) { throw .io(operation: "unlink", path: path, errno: EISDIR) }
        files[name] = nil
    }

    /// A fresh copy of `current`, `length` bytes (zero-filled past the file's
    /// end), freed by `unmap`; counted in `openMappings` until then.
    public func mapReadOnly(_ path: String, length: Int) throws(LogError) -> UnsafeRawPointer {
        guard let file = files[SimulatedDisk.normalized(path)] else { throw .io(operation: "open", path: path, errno: ENOENT) }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(length, 1), alignment: 4096)
        memset(copy, 0, max(length, 1))
        _ = file.read(into: copy, length: length, at: 0)
        let bytes = UnsafeRawPointer(copy)
        mappings[bytes] = length
        return bytes
    }

    public func unmap(_ bytes: UnsafeRawPointer, length: Int) {
        guard let mapped = mappings.removeValue(forKey: bytes) else {
            preconditionFailure("simulated disk: unmap of memory it did not map")
        }
        precondition(mapped == length, "simulated disk: unmap of \(length) bytes, mapped \(mapped)")
        bytes.deallocate()
    }

    // MARK: - Shared with SimulatedStorage

    /// Writes `bytes` into the file's `current` at `offset` as one pending write.
    func write(_ file: SimulatedFile, _ bytes: UnsafeRawBufferPointer, at offset: Int) {
        file.write(SimulatedFile.copy(bytes), at: offset)
        file.modificationNanos = nowNanos
    }

    private func sync(_ fd: Int32, operation: String, path: String) throws(LogError) {
        guard let file = file(fd) else { throw .io(operation: operation, path: path, errno: EBADF) }
        if drawSyncFault() { throw .io(operation: operation, path: path, errno: EIO) }
        file.makeDurable()
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
