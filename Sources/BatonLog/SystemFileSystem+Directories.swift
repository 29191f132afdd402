#if canImport(Glibc)
import Glibc
#endif

/// Scratch data directories, for everything that starts nodes it owns: the
/// embedded cluster of `baton bench --embedded`, the test harnesses.
extension SystemFileSystem {
    /// A new, empty directory `<parent>/<prefix>-XXXXXX`; `parent` defaults
    /// to `$TMPDIR`, else /tmp. The caller removes it (`removeTree`).
    public func makeTemporaryDirectory(prefix: String, in parent: String? = nil) throws(LogError) -> String {
        let base = parent ?? getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let clean = prefix.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        var template = Array((base + "/" + clean + "-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let path = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: path)
        }
        guard let made else { throw .io(operation: "mkdtemp", path: base + "/" + clean + "-XXXXXX", errno: errno) }
        return made
    }

    /// Removes `path` and everything under it (best effort; never follows a
    /// symbolic link: a link is removed, not its target).
    public func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR, let directory = opendir(path) else {
            unlink(path)
            return
        }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names { removeTree(path + "/" + name) }
        rmdir(path)
    }
}
