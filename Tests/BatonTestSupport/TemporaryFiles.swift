import BatonLog

/// A fresh directory `/tmp/baton-<label>-XXXXXX` (under `$TMPDIR` when set); the caller removes it with `removeTree`.
public func makeTemporaryDirectory(_ label: String = "test") -> String {
    do {
        return try SystemFileSystem().makeTemporaryDirectory(prefix: "baton-" + label)
    } catch {
        preconditionFailure("cannot make a temporary directory: \(error)")
    }
}

/// Removes a directory tree (symbolic links removed, never followed), or a single file.
public func removeTree(_ path: String) { SystemFileSystem().removeTree(path) }
