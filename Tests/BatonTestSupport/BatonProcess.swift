import Foundation
import Glibc

/// A `baton serve` child process on 127.0.0.1; the test owns it and kills it
/// (SIGKILL) or stops it (SIGTERM) — it never outlives the test.
public final class NodeProcess {
    public let process = Process()
    /// The client port the node printed.
    public let port: UInt16
    private let output = Pipe()

    /// The `baton` binary built beside the test bundle.
    public static var batonBinary: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let executable = String(cString: Array(buffer[0..<max(0, length)]) + [0])
        return (executable as NSString).deletingLastPathComponent + "/baton"
    }

    /// A single node in `data` on an ephemeral client port.
    public convenience init(data: String, extraArguments: [String] = [], timeout: TimeInterval = 30) throws {
        try self.init(arguments: ["serve", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warning",
                                  "--segment-size", "16MiB", "--buffer-size", "8MiB"] + extraArguments, timeout: timeout)
    }

    /// `baton ARGUMENTS` (a `serve` that prints "listening on 127.0.0.1:PORT" once it serves).
    /// `readyMarker` is the text just before the client port in its first line.
    public init(arguments: [String], readyMarker: String = "listening on 127.0.0.1:", timeout: TimeInterval = 30) throws {
        process.executableURL = URL(fileURLWithPath: NodeProcess.batonBinary)
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
        // The node prints "baton node N listening on 127.0.0.1:PORT (...)" once it serves.
        let deadline = Date().addingTimeInterval(timeout)
        var text = ""
        let handle = output.fileHandleForReading
        func ready() -> Bool {
            guard let marker = text.range(of: readyMarker) else { return false }
            return text[marker.upperBound...].contains("\n")
        }
        while !ready() {
            guard Date() < deadline, process.isRunning else { break }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = text.range(of: readyMarker),
              let port = UInt16(text[range.upperBound...].prefix { $0.isNumber }) else {
            process.terminate()
            throw TestTimeout("waiting for baton serve to listen; it printed: \(text)")
        }
        self.port = port
    }

    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { if process.isRunning { kill() } }
}
