import ArgumentParser
import BatonClient
import BatonNet
import BatonProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `baton subscribe`: prints the messages of a stream one per line, or with
/// `--verify` checks generated messages (content and per-producer order) and
/// prints one summary line. Exit 0 after `--count` messages (or when
/// `--timeout` ends an open-ended run); 1 on a verification failure, a
/// timeout before `--count` messages, or any error.
struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Receive the messages of a stream: print them, or verify generated ones.",
        discussion: """
            Each message prints as: <position> <stream> <producer>:<sequence> <payload> \
            (the payload as UTF-8 when printable, else hex). With --verify, every payload must be a \
            generated one (`baton publish --count`) matching its frame, and each producer's sequences \
            must rise by exactly 1; one summary line is printed at the end.
            """
    )

    @Option(help: "A broker's client address, HOST:PORT; repeat it or separate with commas to list a cluster's members (any member serves subscribers; on a failure the next one is used).")
    var broker: [String] = []

    @Option(help: "The stream to receive, or 'all' for every stream.")
    var stream: String

    @Option(help: "Where to start: earliest, latest, a log position, or ts:NANOS (first frame at or after a time).")
    var from: String = "earliest"

    @Option(help: "Exit 0 after this many messages.")
    var count: Int?

    @Flag(help: "Check generated payloads and per-producer order; print one summary line instead of the messages.")
    var verify = false

    @Option(help: "Seconds to run at most: a failure before --count messages arrive, the normal end without --count.")
    var timeout: Double?

    @Option(help: "Bytes of delivery credit (0: unlimited).")
    var credit: UInt32 = 8 * 1_024 * 1_024

    @Option(help: "Reconnect attempts (each after a growing pause) once every --broker has failed; moving on to one not yet tried is immediate. Resumes after the last message received.")
    var retries: Int = 10

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be positive") }
        if retries < 0 { throw ValidationError("--retries must not be negative") }
        if broker.isEmpty { throw ValidationError("--broker HOST:PORT is required (one or more)") }
        _ = try parsedStream()
        _ = try parsedFrom()
    }

    func parsedStream() throws -> UInt32 {
        if stream == "all" || stream == "*" { return ClientProtocol.allStreams }
        guard let value = UInt32(stream), value != ClientProtocol.allStreams else {
            throw ValidationError("--stream must be a stream id (0 to \(ClientProtocol.allStreams - 1)) or 'all', not '\(stream)'")
        }
        return value
    }

    func parsedFrom() throws -> SubscribeFrom {
        switch from {
        case "earliest": return .earliest
        case "latest": return .latest
        default:
            if from.hasPrefix("ts:"), let nanos = Int64(from.dropFirst(3)) { return .timestamp(nanos: nanos) }
            if let position = Int64(from), position >= 0 { return .position(position) }
            throw ValidationError("--from must be earliest, latest, a position (>= 0) or ts:NANOS, not '\(from)'")
        }
    }

    func run() throws {
        ignoreSIGPIPE()
        let addresses = ClientTool.brokerAddresses(broker, command: "subscribe")
        var configuration = SubscriberConfiguration(streamId: try parsedStream(), from: try parsedFrom())
        configuration.creditBytes = credit
        let subscriber: Subscriber
        do {
            subscriber = try Subscriber(brokers: addresses, configuration: configuration)
        } catch {
            ClientTool.fail("subscribe", error.description)
        }
        var session = SubscribeSession(subscriber: subscriber, verify: verify, retries: retries)
        let deadline = timeout.map { ClientTool.nanos() + Int64($0 * 1e9) }
        let target = count ?? Int.max
        while session.received < target {
            let work = session.pollOnce(limit: target - session.received)
            if let problem = session.problem {
                session.output.flush()
                ClientTool.fail("subscribe", "verification failed: \(problem)")
            }
            if work > 0 {
                session.reconnector.reset()  // receiving again: a later outage gets every retry again
                continue
            }
            session.output.flush()
            if let deadline, ClientTool.nanos() >= deadline {
                guard count == nil else {
                    ClientTool.fail("subscribe", "timed out after \(timeout!) s with \(session.received) of \(target) messages "
                                        + "(next position \(subscriber.nextPosition))")
                }
                break
            }
            subscriber.waitForData(timeout: .milliseconds(10))
        }
        session.output.flush()
        if verify {
            ClientTool.writeLine(session.summary(stream: stream))
        }
        subscriber.close()
    }
}

/// The receive loop of `baton subscribe`: prints or verifies each message,
/// reconnects (resuming at `nextPosition`) after a retryable failure.
///
/// Invariant: `checker` has seen every message received;
/// `problem` is the first verification failure. Threading: the command's thread.
struct SubscribeSession {
    let subscriber: Subscriber
    let verify: Bool
    var reconnector: Reconnector
    var received = 0
    var problem: String?
    var checker = ExactlyOnceChecker()
    var output = OutputBuffer()
    let started = ClientTool.nanos()

    init(subscriber: Subscriber, verify: Bool, retries: Int) {
        self.subscriber = subscriber
        self.verify = verify
        reconnector = Reconnector(policy: ReconnectPolicy(attempts: retries))
    }

    /// One poll of at most `limit` messages; returns how many arrived.
    mutating func pollOnce(limit: Int) -> Int {
        do {
            let subscriber = self.subscriber
            let verify = self.verify
            return try subscriber.poll(limit: limit) { message in
                if verify { self.check(message) } else { self.print(message) }
            }
        } catch {
            recover(from: error)
            return 0
        }
    }

    mutating func print(_ message: DeliveredMessage) {
        received += 1
        output.append(decimal: message.position)
        output.append(UInt8(ascii: " "))
        output.append(decimal: UInt64(message.streamId))
        output.append(UInt8(ascii: " "))
        output.append(decimal: message.producerId)
        output.append(UInt8(ascii: ":"))
        output.append(decimal: message.sequence)
        output.append(UInt8(ascii: " "))
        if SubscribeSession.isPrintable(message.payload) {
            output.append(bytes: message.payload)
        } else {
            output.append(hex: message.payload)
        }
        output.endLine()
    }

    mutating func check(_ message: DeliveredMessage) {
        guard problem == nil else { return }
        received += 1
        problem = checker.check(message)
    }

    /// UTF-8 text without control characters (tab allowed).
    static func isPrintable(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var ascii = true
        for byte in bytes {
            if byte < 0x20 && byte != 0x09 || byte == 0x7F { return false }
            if byte >= 0x80 { ascii = false }
        }
        if ascii { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    func summary(stream: String) -> String {
        let elapsed = ClientTool.nanos() - started
        let noun = checker.producerCount == 1 ? "producer" : "producers"
        let positions = received > 0 ? "first position \(checker.firstPosition), last position \(checker.lastPosition)" : "no messages"
        return "verified \(received) messages from \(checker.producerCount) \(noun) on stream \(stream): \(positions), "
            + "\(ClientTool.rate(received, nanos: elapsed)) msgs/s"
    }

    /// Reconnects after a retryable failure — at the next broker when
    /// several were given — resuming at `nextPosition`, or exits.
    mutating func recover(from error: BatonClientError) {
        output.flush()
        let subscriber = self.subscriber
        ClientTool.reconnectOrExit("subscribe", &reconnector, subscriber, after: error, target: { subscriber.brokers.current },
                                   detail: { ", resuming at position \(subscriber.nextPosition)" })
    }
}
