import BatonClient
import BatonNet

#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by `baton publish` and `baton subscribe`: argument
/// parsing, failure exits, timing, and unbuffered line output.
///
/// Stateless; used from the command's one thread.
enum ClientTool {
    /// Prints `baton <command>: <message>` to stderr and exits with `code`.
    static func fail(_ command: String, _ message: String, code: Int32 = 1) -> Never {
        writeLine("baton \(command): \(message)", to: STDERR_FILENO)
        exit(code)
    }

    /// Resolves `HOST:PORT` or exits naming the problem.
    static func brokerAddress(_ text: String, command: String) -> IPv4SocketAddress {
        do {
            return try IPv4SocketAddress(parsing: text)
        } catch {
            fail(command, "--broker: \(error.description)", code: 64)
        }
    }

    /// Every `--broker` value, each `HOST:PORT` or a comma-separated list
    /// of them (`--broker a:1,b:2 --broker c:3`), in order; exits naming
    /// the problem when one does not resolve or none is given.
    static func brokerAddresses(_ texts: [String], command: String) -> [IPv4SocketAddress] {
        var addresses: [IPv4SocketAddress] = []
        for text in texts {
            for part in text.split(separator: ",", omittingEmptySubsequences: true) {
                let trimmed = part.filter { $0 != " " }
                if !trimmed.isEmpty { addresses.append(brokerAddress(String(trimmed), command: command)) }
            }
        }
        if addresses.isEmpty { fail(command, "--broker: give at least one HOST:PORT (repeat it, or separate them with commas)", code: 64) }
        return addresses
    }

    /// Nanoseconds on the monotonic clock.
    static func nanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Messages per second over `nanos`, rounded.
    static func rate(_ count: Int, nanos: Int64) -> Int {
        guard nanos > 0 else { return 0 }
        return Int((Double(count) * 1e9 / Double(nanos)).rounded())
    }

    /// Reconnects `client` after `error`, at the broker it chooses
    /// (`target()`, read once it has chosen), or exits naming the last
    /// error. Before each reconnect one line on standard error says why,
    /// where to, and whether it is an attempt (after a pause) or a move to a
    /// broker not yet tried in this round; `detail()` ends the line (what
    /// will be resent, where it resumes).
    static func reconnectOrExit(_ command: String, _ reconnector: inout Reconnector, _ client: some ReconnectingClient,
                                after error: BatonClientError, target: () -> IPv4SocketAddress, detail: () -> String) {
        let retries = reconnector.policy.attempts
        var attemptsBefore = reconnector.attemptsUsed
        let final = reconnector.recover(client, after: error) { error, attempt in
            let line = attempt == attemptsBefore
                ? "baton \(command): \(error.description); trying \(target()) next\(detail())"
                : "baton \(command): \(error.description); reconnecting to \(target()) (attempt \(attempt) of \(retries))\(detail())"
            attemptsBefore = attempt
            writeLine(line, to: STDERR_FILENO)
        }
        if let final {
            let tries = reconnector.attemptsUsed > 0 ? " (after \(reconnector.attemptsUsed) reconnect attempts)" : ""
            fail(command, "\(final.description)\(tries)")
        }
    }

    /// True when standard input can be read without waiting (data or end of file).
    static func standardInputHasData() -> Bool {
        var entry = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Writes one line with one `write(2)` per chunk (unbuffered).
    static func writeLine(_ line: String, to fd: Int32 = STDOUT_FILENO) {
        var text = line
        text.append("\n")
        text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: fd) }
    }

    static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }
}

/// Lines for standard output gathered in one buffer and written in large
/// `write(2)`s: printing a million messages must not cost a syscall each.
///
/// Invariant: `bytes` holds complete lines only after `endLine()`; `flush()`
/// empties it. Threading: the command's thread.
struct OutputBuffer {
    private(set) var bytes: [UInt8] = []
    let flushThreshold: Int

    init(flushThreshold: Int = 64 * 1_024) {
        self.flushThreshold = flushThreshold
        bytes.reserveCapacity(flushThreshold + 4_096)
    }

    mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func append(bytes more: UnsafeRawBufferPointer) { bytes.append(contentsOf: more) }

    mutating func append(decimal value: UInt64) {
        if value >= 10 { append(decimal: value / 10) }
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    mutating func append(decimal value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            append(decimal: value.magnitude)
        } else {
            append(decimal: UInt64(value))
        }
    }

    mutating func append(hex source: UnsafeRawBufferPointer) {
        let digits: StaticString = "0123456789abcdef"
        digits.withUTF8Buffer { table in
            for byte in source {
                bytes.append(table[Int(byte >> 4)])
                bytes.append(table[Int(byte & 0x0F)])
            }
        }
    }

    /// Ends a line; writes the buffer out once it passes the threshold.
    mutating func endLine() {
        bytes.append(UInt8(ascii: "\n"))
        if bytes.count >= flushThreshold { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { ClientTool.writeAll($0, to: STDOUT_FILENO) }
        bytes.removeAll(keepingCapacity: true)
    }
}
