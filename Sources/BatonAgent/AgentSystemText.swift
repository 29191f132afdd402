#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small text helpers for errors and diagnostics from system calls.
/// Threading: call from any thread.
enum AgentSystemText {
    /// `strerror` text for an errno value, with the number: "Invalid argument (errno 22)".
    static func errorText(_ errorNumber: Int32) -> String {
        "\(String(cString: strerror(errorNumber))) (errno \(errorNumber))"
    }

    /// Writes one line to standard error with a single `write` (no stdio, no lock).
    static func writeLineToStandardError(_ line: String) {
        var text = line
        text.append("\n")
        text.withUTF8 { bytes in
            _ = write(2, bytes.baseAddress, bytes.count)
        }
    }

    /// The longest prefix of `name` that fits `limit` UTF-8 bytes without
    /// splitting a character (Linux thread names hold 15 bytes).
    static func truncated(_ name: String, utf8Limit limit: Int) -> String {
        var result = ""
        var used = 0
        for character in name {
            let size = character.utf8.count
            if used + size > limit { break }
            result.append(character)
            used += size
        }
        return result
    }
}
