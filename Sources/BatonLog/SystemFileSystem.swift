#if canImport(Glibc)
import Glibc
#endif

/// The machine's file system: POSIX calls, each failure a typed `LogError`
/// naming the path and the errno text.
///
/// Threading: stateless; safe from any thread.
public struct SystemFileSystem: LogFileSystem {
    public init() {}
    /// Checks that `path` is an existing, writable directory.
    public func checkDirectory(_ path: String) throws(LogError) {
        var info = stat()
        if stat(path, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR { throw .missingDirectory(path: path) }
        if access(path, W_OK) != 0 { throw .unwritableDirectory(path: path, errno: errno) }
    }

    public func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public func fileSize(_ path: String) throws(LogError) -> Int64 {
        var info = stat()
        if stat(path, &info) != 0 { throw .io(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_size)
    }

    /// Last modification time of `path` in nanoseconds since 1970.
    public func modificationNanos(_ path: String) throws(LogError) -> Int64 {
        var info = stat()
        if stat(path, &info) != 0 { throw .io(operation: "stat", path: path, errno: errno) }
        return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    /// Names of the entries of a directory (not `.`/`..`).
    public func list(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func openReadWrite(_ path: String, create: Bool) throws(LogError) -> Int32 {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = open(path, flags, 0o644)
        if fd < 0 {
            let code = errno
            if code == EACCES || code == EROFS || code == EPERM {
                throw .unwritableDirectory(path: path, errno: code)
            }
            throw .io(operation: "open", path: path, errno: code)
        }
        return fd
    }

    public func openReadOnly(_ path: String) throws(LogError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(operation: "open", path: path, errno: errno) }
        return fd
    }

    /// Reserves `length` bytes for `fd` (`posix_fallocate`, i.e. `fallocate(2)`
    /// mode 0 on ext4). Returns 0 or an errno (ENOSPC when the disk is full).
    public func preallocate(_ fd: Int32, length: Int64) -> Int32 {
        posix_fallocate(fd, 0, off_t(length))
    }

    /// Reads exactly `length` bytes at `offset` unless the file ends first;
    /// returns the bytes read.
    /// `path` names the file in an error only (it is not built otherwise, so
    /// a reader on a per-message path can pass a computed name without allocating).
    public func readFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ length: Int, at offset: Int64,
                                 path: @autoclosure () -> String) throws(LogError) -> Int {
        var done = 0
        while done < length {
            let n = pread(fd, buffer + done, length - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                throw .io(operation: "pread", path: path(), errno: code)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all `length` bytes at `offset` (retrying short writes and EINTR).
    public func writeFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ length: Int, at offset: Int64,
                                  path: String) throws(LogError) {
        var done = 0
        while done < length {
            let n = pwrite(fd, buffer + done, length - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "pwrite", path: path, errno: errno)
            }
            done += n
        }
    }

    public func dataSync(_ fd: Int32, path: String) throws(LogError) {
        if fdatasync(fd) != 0 { throw .io(operation: "fdatasync", path: path, errno: errno) }
    }

    /// fsync of a directory: makes created, renamed and deleted names durable.
    public func syncDirectory(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw .io(operation: "open directory", path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw .io(operation: "fsync directory", path: path, errno: errno) }
    }

    public func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0 && errno != ENOENT { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    public func openReadOnly(cPath: UnsafePointer<CChar>) -> Int32 { open(cPath, O_RDONLY | O_CLOEXEC) }

    public func close(_ fd: Int32) { _ = Glibc.close(fd) }

    public func truncate(_ fd: Int32, length: Int64, path: String) throws(LogError) {
        if ftruncate(fd, off_t(length)) != 0 { throw .io(operation: "ftruncate", path: path, errno: errno) }
    }

    public func sync(_ fd: Int32, path: String) throws(LogError) {
        if fsync(fd) != 0 { throw .io(operation: "fsync", path: path, errno: errno) }
    }

    public func rename(_ path: String, to newPath: String) throws(LogError) {
        if Glibc.rename(path, newPath) != 0 { throw .io(operation: "rename to \(newPath)", path: path, errno: errno) }
    }

    public func mapReadOnly(_ path: String, length: Int) throws(LogError) -> UnsafeRawPointer {
        let fd = try openReadOnly(path)
        defer { close(fd) }
        guard let memory = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), memory != MAP_FAILED else {
            throw .io(operation: "mmap", path: path, errno: errno)
        }
        madvise(memory, length, MADV_SEQUENTIAL)
        return UnsafeRawPointer(memory)
    }

    public func unmap(_ bytes: UnsafeRawPointer, length: Int) { munmap(UnsafeMutableRawPointer(mutating: bytes), length) }
}
