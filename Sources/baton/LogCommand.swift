import ArgumentParser
import BatonLog
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `baton log …`: tools over a log directory (verify, dump), its benchmark,
/// and the hidden child process of the crash test.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Inspect, verify and benchmark a durable log directory.",
        subcommands: [LogVerifyCommand.self, LogDumpCommand.self, LogCompareCommand.self, LogBenchCommand.self, LogCrashChildCommand.self]
    )
}

/// Helpers shared by the `baton log` subcommands.
enum LogTool {
    /// A logger writing to stderr at `level`.
    static func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "baton.log") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// Prints to stderr and exits with `code`.
    static func fail(_ message: String, code: Int32 = 1) -> Never {
        printError("baton log: \(message)")
        Glibc.exit(code)
    }

    /// `value` with `decimals` digits after the point (no Foundation here).
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        var text = (value < 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let fraction = String(Int64(scaled - Double(whole) * scale))
            text += "." + String(repeating: "0", count: max(0, decimals - fraction.count)) + fraction
        }
        return text
    }

    /// Writes one line to stderr (unbuffered).
    static func printError(_ line: String) { writeLine(line, to: STDERR_FILENO) }

    /// Writes one line straight to `fd` with one `write(2)`: unbuffered, so
    /// a reader sees it at once and a kill never leaves half a line buffered.
    static func writeLine(_ line: String, to fd: Int32 = STDOUT_FILENO) {
        var text = line
        text.append("\n")
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n <= 0 { return }
                done += n
            }
        }
    }

    /// Creates `path` (and parents) if missing.
    static func makeDirectory(_ path: String) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                fail("cannot create directory \(current): \(errnoText(errno))")
            }
        }
    }

    /// Removes a directory and the files in it (one level; logs have no subdirectories).
    static func removeDirectory(_ path: String) {
        if let names = try? SystemFileSystem().list(path) {
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
    }
}
