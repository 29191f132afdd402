import ArgumentParser
import Glibc

/// Output helpers of `baton bench`: whole files and live lines.
/// Stateless; any thread.
enum BenchOutput {
    /// Writes `text` to `path` (replacing it), or throws naming the path.
    static func write(_ text: String, to path: String) throws {
        guard let file = fopen(path, "w") else {
            throw ValidationError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let written = fputs(text, file)
        let closed = fclose(file)
        guard written >= 0, closed == 0 else { throw ValidationError("writing \(path) failed: \(String(cString: strerror(errno)))") }
    }

    /// One line to stderr, at once (one `write`, so lines from two threads never interleave).
    static func progress(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// `path` with `.key` before its extension: ("out.hgrm", "delivery") is "out.delivery.hgrm".
    static func sibling(of path: String, key: String) -> String {
        let slash = path.lastIndex(of: "/")
        if let dot = path.lastIndex(of: "."), slash.map({ dot > $0 }) ?? true, dot != path.startIndex {
            return String(path[..<dot]) + "." + key + String(path[dot...])
        }
        return path + "." + key
    }
}
