import BatonClient
import BatonNet
import Foundation

/// Helpers shared by the end-to-end tests (node and replication suites):
/// publish generated messages until acknowledged, and read them back checking
/// order and content.
public enum EndToEnd {
    public static var messageCount: Int {
        Int(ProcessInfo.processInfo.environment["BATON_E2E_MESSAGES"] ?? "") ?? 1_000_000
    }

    /// Publishes `count` generated payloads of `size` bytes as `producerId` and
    /// waits for every ack. Returns the last acked (sequence, position).
    public static func publish(port: UInt16, producerId: UInt64, count: Int, size: Int = 100, stream: UInt32 = 1,
                        firstSequence: UInt64 = 0, deadline: Date) throws -> (UInt64, Int64) {
        var configuration = PublisherConfiguration(streamId: stream)
        configuration.producerId = producerId
        configuration.firstSequence = firstSequence
        let publisher = try Publisher(broker: IPv4SocketAddress.loopback(port: port), configuration: configuration)
        defer { publisher.close() }
        var sent = 0
        while sent < count {
            let result = publisher.offer(length: size) { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: producerId, sequence: sequence)
            }
            switch result {
            case .accepted: sent += 1
            case .backPressured:
                try publisher.poll()
                if Date() > deadline { throw TestTimeout("publishing: \(sent) of \(count) sent") }
            case .tooLarge(let limit): throw TestTimeout("payload of \(size) over the limit \(limit)")
            case .closed(let error): throw error
            }
        }
        publisher.flush()
        try publisher.awaitAcks(timeout: .seconds(max(1, Int(deadline.timeIntervalSinceNow))))
        return (publisher.lastAckedSequence ?? 0, publisher.lastAckedPosition ?? -1)
    }

    public struct Replay {
        public var count = 0
        public var checker = ExactlyOnceChecker()
        public var problems: [String] = []
        /// One past each producer's last sequence received.
        public var nextSequence: [UInt64: UInt64] { checker.nextSequence }
        public var lastPosition: Int64 { checker.lastPosition }
        public var positions: [Int64] = []
        /// CRC32C-style digest of every (position, producer, sequence, payload) in order: equal digests, same sequence.
        public var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    }

    /// Reads `expected` messages from `from`, checking each with an
    /// `ExactlyOnceChecker` (log order, per-producer consecutive sequences,
    /// every payload); the first ten problems are kept.
    public static func replay(port: UInt16, expected: Int, from: SubscribeFrom = .earliest, stream: UInt32 = 1,
                       keepPositions: Bool = false, deadline: Date) throws -> Replay {
        let subscriber = try Subscriber(broker: IPv4SocketAddress.loopback(port: port),
                                        configuration: SubscriberConfiguration(streamId: stream, from: from))
        defer { subscriber.close() }
        var replay = Replay()
        while replay.count < expected {
            let got = try subscriber.poll { message in
                replay.count += 1
                if keepPositions { replay.positions.append(message.position) }
                replay.fold(message.position, message.producerId, message.sequence, message.payload)
                if let problem = replay.checker.check(message), replay.problems.count < 10 { replay.problems.append(problem) }
            }
            if got == 0 {
                if Date() > deadline { throw TestTimeout("replay: \(replay.count) of \(expected) received") }
                subscriber.waitForData(timeout: .milliseconds(50))
            }
        }
        return replay
    }
}

extension EndToEnd.Replay {
    /// FNV-1a over the message's position, producer, sequence and payload.
    mutating func fold(_ position: Int64, _ producer: UInt64, _ sequence: UInt64, _ payload: UnsafeRawBufferPointer) {
        var hash = digest
        func mix(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { hash = (hash ^ ((value >> UInt64(shift)) & 0xff)) &* 0x100_0000_01b3 }
        }
        mix(UInt64(bitPattern: position))
        mix(producer)
        mix(sequence)
        for byte in payload { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        digest = hash
    }
}

/// A shared list of failures from worker threads.
public final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    public init() {}
    public func add(_ error: String) { lock.lock(); errors.append(error); lock.unlock() }
    public var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}

public struct TestTimeout: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = "timed out " + description }
}
