import ArgumentParser
import BatonClient
import BatonNet
import BatonProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `baton publish`: publishes generated self-verifying messages (`--count`)
/// or each line of standard input, waits until the broker has acknowledged
/// every one, and prints one summary line. Exit 0 only when all are
/// acknowledged; 1 with a message on stderr on any error.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish messages to a stream and wait until all are acknowledged.",
        discussion: """
            With --count, publishes K generated messages of --size bytes that carry their producer id, \
            sequence and a CRC32C (check them with `baton subscribe --verify`). Without --count, \
            publishes each line of standard input as one message. Prints one summary line: \
            published N messages (B bytes) to stream S: last sequence Q at position P, R msgs/s. \
            Give every member of a cluster (--broker a,b,c or --broker repeated) to follow its \
            leader: a member that does not order refuses and names the one that does; the \
            unacknowledged messages go there, and the broker drops any it already logged.
            """
    )

    @Option(help: "A broker's client address, HOST:PORT; repeat it or separate with commas to list a cluster's members (tried in order, then as refusals point).")
    var broker: [String] = []

    @Option(help: "The stream to publish to.")
    var stream: UInt32

    @Option(help: "Publish this many generated self-verifying messages instead of standard input.")
    var count: Int?

    @Option(help: "Bytes per generated message (at least 24).")
    var size: Int = 100

    @Option(name: .customLong("producer-id"), help: "The producer id (default: random). Reuse one to resume its sequences.")
    var producerId: UInt64?

    @Option(name: .customLong("first-sequence"), help: "The sequence of the first message.")
    var firstSequence: UInt64 = 0

    @Option(help: "Messages in flight (sent, not yet acknowledged) at most.")
    var window: Int = 65_536

    @Option(name: .customLong("linger-micros"), help: "Microseconds a batch waits for more messages before it is sent.")
    var lingerMicros: Int = 100

    @Option(help: "Seconds to wait without any acknowledgement before giving up.")
    var timeout: Double = 30

    @Option(help: "Reconnect attempts (each after a growing pause) once every --broker has failed; moving on to one not yet tried is immediate. Unacknowledged messages are resent.")
    var retries: Int = 10

    func validate() throws {
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        if count != nil && size < GeneratedPayload.minimumLength {
            throw ValidationError("--size must be at least \(GeneratedPayload.minimumLength) (the generated header)")
        }
        if window < 1 { throw ValidationError("--window must be at least 1") }
        if lingerMicros < 0 { throw ValidationError("--linger-micros must not be negative") }
        if !(timeout > 0) { throw ValidationError("--timeout must be positive") }
        if retries < 0 { throw ValidationError("--retries must not be negative") }
        if broker.isEmpty { throw ValidationError("--broker HOST:PORT is required (one or more)") }
    }

    func run() throws {
        ignoreSIGPIPE()
        let addresses = ClientTool.brokerAddresses(broker, command: "publish")
        var configuration = PublisherConfiguration(streamId: stream)
        configuration.producerId = producerId
        configuration.firstSequence = firstSequence
        configuration.windowMessages = window
        configuration.linger = .microseconds(lingerMicros)
        let publisher: Publisher
        do {
            publisher = try Publisher(brokers: addresses, configuration: configuration)
        } catch {
            ClientTool.fail("publish", error.description)
        }
        var session = PublishSession(publisher: publisher, retries: retries, stallNanos: Int64(timeout * 1e9))
        let started = ClientTool.nanos()
        let published: Int
        if let count {
            published = session.publishGenerated(count: count, size: size)
        } else {
            published = session.publishLines()
        }
        session.awaitAcks()
        let elapsed = ClientTool.nanos() - started
        if let ahead = publisher.ackedAheadSequence {
            ClientTool.fail("publish", "producer \(publisher.producerId) was already logged up to sequence \(ahead): "
                                + "the broker dropped these messages as duplicates (use a new --producer-id, "
                                + "or --first-sequence \(ahead + 1))")
        }
        var line = "published \(published) messages"
        if count != nil { line += " (\(size) bytes)" }
        line += " to stream \(stream)"
        if let sequence = publisher.lastAckedSequence, let position = publisher.lastAckedPosition {
            line += ": last sequence \(sequence) at position \(position), \(ClientTool.rate(published, nanos: elapsed)) msgs/s"
        }
        ClientTool.writeLine(line)
        publisher.close()
    }
}

/// The publish loop of `baton publish`: offers, polls while back-pressured,
/// reconnects (resending unacknowledged messages) after a retryable failure,
/// and exits with a message on anything else.
///
/// Invariant: `reconnector.attemptsUsed <= retries`. Threading: the command's thread.
struct PublishSession {
    let publisher: Publisher
    let stallNanos: Int64
    var reconnector: Reconnector
    /// When the last acknowledgement (or the start) was seen.
    var progressNanos = ClientTool.nanos()
    var progressSequence: UInt64?

    init(publisher: Publisher, retries: Int, stallNanos: Int64) {
        self.publisher = publisher
        reconnector = Reconnector(policy: ReconnectPolicy(attempts: retries))
        self.stallNanos = stallNanos
    }

    mutating func publishGenerated(count: Int, size: Int) -> Int {
        let producer = publisher.producerId
        var published = 0
        while published < count {
            let result = publisher.offer(length: size) { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: producer, sequence: sequence)
            }
            if handle(result, size: size) { published += 1 }
        }
        return published
    }

    mutating func publishLines() -> Int {
        var published = 0
        while var line = readLine(strippingNewline: true) {
            let size = line.utf8.count
            while true {
                let result = line.withUTF8 { publisher.offer(UnsafeRawBufferPointer($0)) }
                if handle(result, size: size) { break }
            }
            published += 1
            if !ClientTool.standardInputHasData() {
                publisher.flush()  // nothing more to batch with now: send what waits (an interactive or slow writer)
            }
        }
        return published
    }

    /// True when the offer was accepted; otherwise makes progress (poll,
    /// wait, reconnect) or exits.
    mutating func handle(_ result: OfferResult, size: Int) -> Bool {
        switch result {
        case .accepted:
            return true
        case .backPressured:
            pump()
            return false
        case .tooLarge(let limit):
            ClientTool.fail("publish", "a message of \(size) bytes is above the broker's limit of \(limit) bytes")
        case .closed(let error):
            recover(from: error)
            return false
        }
    }

    /// One poll; waits briefly when it found nothing to do; checks for a stall.
    mutating func pump() {
        do {
            if try publisher.poll() == 0 {
                publisher.waitForIO(timeout: .milliseconds(1))
            }
        } catch {
            recover(from: error)
            return
        }
        let now = ClientTool.nanos()
        if publisher.lastAckedSequence != progressSequence {
            progressSequence = publisher.lastAckedSequence
            progressNanos = now
            reconnector.reset()  // acknowledged again: a later outage gets every retry again
        } else if now - progressNanos > stallNanos {
            ClientTool.fail("publish", "no acknowledgement from the broker for \(stallNanos / 1_000_000_000) s "
                                + "(\(publisher.inFlight) messages in flight, last acknowledged sequence "
                                + "\(publisher.lastAckedSequence.map(String.init) ?? "none"))")
        }
    }

    /// Flushes and waits for every acknowledgement, reconnecting as needed.
    mutating func awaitAcks() {
        publisher.flush()
        while publisher.inFlight > 0 {
            pump()
        }
    }

    /// Reconnects after a retryable failure — at another broker when one
    /// was given (resending what is unacknowledged) — or exits.
    mutating func recover(from error: BatonClientError) {
        let publisher = self.publisher
        ClientTool.reconnectOrExit("publish", &reconnector, publisher, after: error, target: { publisher.brokers.current },
                                   detail: { ", \(publisher.inFlight) messages to resend" })
        progressNanos = ClientTool.nanos()
    }
}
