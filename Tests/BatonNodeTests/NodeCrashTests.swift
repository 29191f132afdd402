import BatonTestSupport
import BatonClient
import BatonLog
import BatonNet
import Foundation
import XCTest

/// SIGKILL a node while publishers stream into it, restart it on the same
/// data: a replay from earliest yields every acknowledged message exactly
/// once, and publishing (resending from the last ack) goes on without duplicates.
final class NodeCrashTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testKilledNodeKeepsEveryAcknowledgedMessageOnce() throws {
        let directory = try NodeHarness.temporaryDirectory()
        defer { removeTree(directory) }
        let total = EndToEnd.messageCount
        let producers: [UInt64] = [501, 502, 503, 504]
        let deadline = Date().addingTimeInterval(240)

        var node = try NodeProcess(data: directory)
        let acked = AckedBox()
        let done = DispatchGroup()
        for producer in producers {
            done.enter()
            let port = node.port
            Thread.detachNewThread {
                // Publish until the node dies; remember the last acknowledged sequence.
                var configuration = PublisherConfiguration(streamId: 1)
                configuration.producerId = producer
                if let publisher = try? Publisher(broker: IPv4SocketAddress.loopback(port: port), configuration: configuration) {
                    var sent = 0
                    while sent < total && Date() < deadline {
                        let result = publisher.offer(length: 100) { GeneratedPayload.write(into: $0, producerId: producer, sequence: $1) }
                        switch result {
                        case .accepted: sent += 1
                        case .backPressured: if (try? publisher.poll()) == nil { sent = total }
                        default: sent = total
                        }
                        if let last = publisher.lastAckedSequence { acked.set(producer, last) }
                    }
                    while (try? publisher.poll()) != nil, Date() < deadline {
                        if let last = publisher.lastAckedSequence { acked.set(producer, last) }
                        if publisher.inFlight == 0 { break }
                    }
                    if let last = publisher.lastAckedSequence { acked.set(producer, last) }
                    publisher.close()
                }
                done.leave()
            }
        }
        // Kill the node once a good part of the stream is acknowledged.
        while acked.total < total / 4 && Date() < deadline { usleep(2_000) }
        node.kill()
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success)
        let ackedBeforeKill = acked.snapshot
        XCTAssertEqual(ackedBeforeKill.count, producers.count, "every publisher got acks before the kill")

        // Restart on the same data; everything acknowledged is there, once, in order.
        node = try NodeProcess(data: directory)
        defer { node.stop() }
        let subscriber = try Subscriber(broker: IPv4SocketAddress.loopback(port: node.port),
                                        configuration: SubscriberConfiguration(streamId: 1, from: .earliest))
        var next: [UInt64: UInt64] = [:]
        var problems: [String] = []
        var idlePolls = 0
        // Read until every acknowledged message is seen and nothing more arrives.
        while idlePolls < 20 && Date() < deadline {
            let got = try subscriber.poll { message in
                guard case .valid(let producer, let sequence) = GeneratedPayload.verify(message.payload) else {
                    problems.append("bad payload at \(message.position)")
                    return
                }
                if sequence != (next[producer] ?? 0) { problems.append("producer \(producer): \(sequence) after \(next[producer] ?? 0)") }
                next[producer] = sequence + 1
            }
            if got == 0 { idlePolls += 1; subscriber.waitForData(timeout: .milliseconds(20)) } else { idlePolls = 0 }
        }
        subscriber.close()
        XCTAssertEqual(problems, [])
        for (producer, last) in ackedBeforeKill {
            XCTAssertGreaterThan(next[producer] ?? 0, last, "producer \(producer): acknowledged \(last), replay ended at \(next[producer] ?? 0)")
        }
        // Each producer resumes from its last ack: what the log already has is dropped, the rest appended once.
        for producer in producers {
            let resumeFrom = (ackedBeforeKill[producer] ?? 0) + 1
            let logged = next[producer] ?? 0
            let count = Int(logged - resumeFrom) + 1_000
            _ = try EndToEnd.publish(port: node.port, producerId: producer, count: count, firstSequence: resumeFrom, deadline: deadline)
            next[producer] = resumeFrom + UInt64(count)
        }
        let expected = Int(next.values.reduce(0, +))
        let replay = try EndToEnd.replay(port: node.port, expected: expected, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
        for producer in producers { XCTAssertEqual(replay.nextSequence[producer], next[producer]) }
        node.stop()
        XCTAssertTrue(try LogVerifier.verify(directory: directory).isClean)
    }
}

final class AckedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var acked: [UInt64: UInt64] = [:]
    func set(_ producer: UInt64, _ sequence: UInt64) { lock.lock(); acked[producer] = sequence; lock.unlock() }
    var snapshot: [UInt64: UInt64] { lock.lock(); defer { lock.unlock() }; return acked }
    var total: Int { lock.lock(); defer { lock.unlock() }; return acked.values.reduce(0) { $0 + Int($1) } }
}
