import BatonTestSupport
import BatonCodec
import BatonLog
import BatonTime
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The crash test: a child process (`baton log crash-child`) appends with
/// policy `batch` and prints every durable position it reaches; the test
/// SIGKILLs it at seeded random moments, reopens the log and checks that
/// every position reported durable is there with valid frames, that no torn
/// frame is readable, and that the next child continues the same log.
final class LogCrashTests: XCTestCase {
    static let kills = 40

    func testSigkillAtRandomMomentsLosesNothingDurable() throws {
        let binary = try batonBinary()
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // Must match the child's configuration (see LogCrashChildCommand).
        var configuration = LogConfiguration(directory: directory.path)
        configuration.segmentBytes = 256 << 10
        configuration.bufferBytes = 1 << 20
        configuration.maxInFlightBytes = 128 << 10
        configuration.maximumFrameLength = 8192
        configuration.maximumWriteBytes = 16 << 10
        configuration.maximumBatchBytes = 64 << 10

        var random = SplitMix64(seed: 0xC0FFEE)
        var highestDurable: Int64 = 0
        var tornTailsCut = 0
        let started = SystemClock().monotonicNanos()
        for round in 0..<LogCrashTests.kills {
            let seed = random.next() % 1_000_000
            let killAfterLines = Int(random.next() % 120) + 1
            var arguments = ["log", "crash-child", "--data", directory.path, "--seed", "\(seed)"]
            if round % 6 == 5 { arguments.append("--pwrite") }
            let child = try ChildProcess(binary, arguments, stderrPath: directory.path + "/child.stderr")
            defer { child.killAndWait() }
            let first = try XCTUnwrap(child.readLine(deadlineSeconds: 10), "child printed nothing: \(child.stderrText())")
            XCTAssertTrue(first.hasPrefix("recovered "), first)
            let recovered = Int64(first.dropFirst("recovered ".count)) ?? -1
            XCTAssertGreaterThanOrEqual(recovered, highestDurable, "round \(round): recovery lost durable data")
            var durableLines: [Int64] = []
            while durableLines.count < killAfterLines, let line = child.readLine(deadlineSeconds: 10) {
                if line.hasPrefix("durable "), let value = Int64(line.dropFirst("durable ".count)) { durableLines.append(value) }
            }
            XCTAssertGreaterThan(durableLines.count, 0, "round \(round): no durable line; stderr: \(child.stderrText())")
            child.killAndWait()
            // Lines printed before the kill count too.
            while let line = child.readLine(deadlineSeconds: 2) {
                if line.hasPrefix("durable "), let value = Int64(line.dropFirst("durable ".count)) { durableLines.append(value) }
            }
            let reported = durableLines.max() ?? recovered
            XCTAssertEqual(durableLines, durableLines.sorted(), "durable positions only grow")
            highestDurable = max(highestDurable, reported)

            // Reopen in this process: recovery cuts any torn tail, never a durable frame.
            let log = try DurableLog.open(configuration, logger: quietLogger())
            if log.recovery.cutPosition != nil { tornTailsCut += 1 }
            XCTAssertGreaterThanOrEqual(log.recovery.endPosition, reported, "round \(round): durable \(reported) lost")
            var frameEnds = Set<Int64>()
            var count = 0
            let reader = log.makeReader()
            let from = max(log.startPosition, reported - 600_000)
            // Walk from a known boundary: the first durable line of this round at or below `from`, or the recovered position.
            let start = ([recovered] + durableLines).filter { $0 <= from }.max() ?? recovered
            try reader.forEachFrame(from: start) { frame in
                count += 1
                XCTAssertEqual(frame.streamId, 7)
                let base = UInt8(truncatingIfNeeded: frame.position >> 5)
                for index in 0..<frame.payloadLength where frame.payload.load(fromByteOffset: index, as: UInt8.self) != base &+ UInt8(truncatingIfNeeded: index) {
                    XCTFail("round \(round): payload byte \(index) of frame \(frame.position) is wrong")
                    break
                }
                frameEnds.insert(frame.position + Int64(frame.alignedLength))
            }
            for durable in durableLines where durable > start {
                // Padding frames are skipped by forEachFrame; a durable position after padding is a boundary multiple.
                XCTAssertTrue(frameEnds.contains(durable) || durable % Int64(configuration.boundaryBytes) == 0,
                              "round \(round): durable position \(durable) is not a frame end")
            }
            // No torn frame is readable: the end is the end.
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 64)
            defer { buffer.deallocate() }
            XCTAssertEqual(try reader.read(from: log.recovery.endPosition, into: buffer).bytes, 0)
            XCTAssertThrowsError(try reader.read(from: log.recovery.endPosition + 32, into: buffer))
            XCTAssertTrue(try LogVerifier.verify(directory: directory.path).isClean)
        }
        let seconds = Double(SystemClock().monotonicNanos() - started) / 1e9
        XCTAssertLessThan(seconds, 60, "crash test took \(seconds) s")
        XCTAssertGreaterThan(highestDurable, 0)
        print("crash test: \(LogCrashTests.kills) kills in \(seconds) s, highest durable \(highestDurable), torn tails cut \(tornTailsCut)")
    }

    /// The `baton` binary next to the test bundle (`swift test` builds it).
    private func batonBinary() throws -> String {
        var path = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &path, 4095)
        XCTAssertGreaterThan(length, 0)
        let executable = String(decoding: path.prefix(max(0, length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = String(executable[..<(executable.lastIndex(of: "/") ?? executable.endIndex)])
        for candidate in [directory + "/baton", directory + "/../debug/baton", directory + "/../release/baton"]
            where access(candidate, X_OK) == 0 {
            return candidate
        }
        XCTFail("no baton binary next to \(executable): run `swift build` first")
        throw XCTSkip("baton binary missing")
    }
}

/// A child process with its stdout on a pipe, read line by line with deadlines.
/// `killAndWait` (SIGKILL + waitpid) is idempotent and runs on every path.
final class ChildProcess {
    let pid: pid_t
    private let readFd: Int32
    private var pending: [UInt8] = []
    private var reaped = false
    private var eof = false
    let stderrPath: String

    init(_ path: String, _ arguments: [String], stderrPath: String) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw LogError.io(operation: "pipe", path: path, errno: errno) }
        self.stderrPath = stderrPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, nil)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw LogError.io(operation: "posix_spawn", path: path, errno: rc)
        }
        pid = child
        readFd = fds[0]
    }

    deinit {
        killAndWait()
        close(readFd)
    }

    /// The next line, or nil at EOF or when `deadlineSeconds` pass.
    func readLine(deadlineSeconds: Double) -> String? {
        let deadline = SystemClock().monotonicNanos() + Int64(deadlineSeconds * 1e9)
        while true {
            if let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            if eof { return nil }
            let remaining = deadline - SystemClock().monotonicNanos()
            if remaining <= 0 { return nil }
            var descriptor = pollfd(fd: readFd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(remaining / 1_000_000 + 1, 1000)))
            if ready <= 0 { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(readFd, &chunk, chunk.count)
            if n <= 0 {
                eof = true
            } else {
                pending += chunk[..<n]
            }
        }
    }

    func killAndWait() {
        guard !reaped else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
    }

    func stderrText() -> String {
        (try? SystemFileSystem().readFile(stderrPath, limit: 8192)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
