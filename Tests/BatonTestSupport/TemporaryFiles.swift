#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory `/tmp/baton-<label>-XXXXXX`; the caller removes it with `removeTree`.
public func makeTemporaryDirectory(_ label: String = "test") -> String {
    let clean = label.filter { $0.isLetter || $0.isNumber || $0 == "-" }
    var template = Array("/tmp/baton-\(clean)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    precondition(made != nil, "mkdtemp failed: errno \(errno)")
    return String(cString: made!)
}

/// Removes a directory tree (no symlinks expected), or a single file.
public func removeTree(_ path: String) {
    guard let dir = opendir(path) else { unlink(path); return }
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        if name == "." || name == ".." { continue }
        let child = path + "/" + name
        if entry.pointee.d_type == UInt8(DT_DIR) { removeTree(child) } else { unlink(child) }
    }
    closedir(dir)
    rmdir(path)
}
