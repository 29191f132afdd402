import BatonTestSupport
import BatonLog
import BatonNet
import BatonNode
import BatonProtocol
import Glibc
import XCTest

/// Seeded random and mutated requests over many sessions against a running
/// node: the node stays up, a well-behaved client alongside sees no error,
/// nothing malformed reaches the log, and the log verifies afterwards.
final class NodeFuzzTests: XCTestCase {
    func testTenThousandHostileRequestsDoNotHurtTheNode() throws {
        ignoreSIGPIPE()
        let seed = UInt64(ProcessInfo.processInfo.environment["BATON_TEST_SEED"] ?? "") ?? 0xF022_2026
        var random = SplitMix64(seed: seed)
        let harness = try NodeHarness()
        defer { harness.shutdown() }
        let port = harness.port

        // The well-behaved client publishes batches of 10 and checks every ack.
        let good = try RawClient(port: port)
        XCTAssertTrue(good.send(RawClient.hello()))
        XCTAssertEqual(good.receive()?.template, ClientProtocol.Template.welcome.rawValue)
        var goodSequence: UInt64 = 0
        func goodRound() {
            let payloads = (0..<10).map { index in Array("good \(goodSequence + UInt64(index))".utf8) }
            XCTAssertTrue(good.send(RawClient.publish(producerId: 7, firstSequence: goodSequence, payloads: payloads)))
            goodSequence += 10
            while let reply = good.receive() {
                if reply.template == ClientProtocol.Template.heartbeat.rawValue { continue }
                XCTAssertEqual(reply.template, ClientProtocol.Template.publishAck.rawValue,
                               "good client got template \(reply.template) (\(String(decoding: reply.trailing.dropFirst(4), as: UTF8.self))), seed \(seed)")
                if reply.template != ClientProtocol.Template.publishAck.rawValue { break }
                let sequence = reply.block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
                if sequence == goodSequence - 1 { return }
            }
            XCTFail("good client lost its connection, seed \(seed)")
        }

        let valid: [[UInt8]] = [
            RawClient.hello(),
            RawClient.publish(producerId: 99, firstSequence: 0, payloads: [[1, 2, 3], Array(repeating: 7, count: 100)]),
            try RawClient.encode { try ClientMessageWriter.writeHeartbeat(into: &$0, timestampNanos: 1) },
            try RawClient.encode { try ClientMessageWriter.writeSubscribe(into: &$0, subscriptionId: 1, streamId: 1, from: .earliest, start: 0, credit: 0) },
            try RawClient.encode { try ClientMessageWriter.writeCredit(into: &$0, subscriptionId: 1, credit: 100) },
        ]
        var requests = 0
        var sessions = 0
        let deadline = Date().addingTimeInterval(120)
        while requests < 10_000 && Date() < deadline {
            sessions += 1
            let client = try RawClient(port: port, timeoutMillis: 2_000)
            if Bool.random(using: &random) { _ = client.send(RawClient.hello()) }
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                var bytes: [UInt8]
                switch Int.random(in: 0..<4, using: &random) {
                case 0: // pure noise
                    bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                case 1: // a valid message with bit flips
                    bytes = valid.randomElement(using: &random)!
                    for _ in 0..<Int.random(in: 1...4, using: &random) {
                        let index = Int.random(in: 0..<bytes.count, using: &random)
                        bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                    }
                case 2: // a valid message truncated or with a lying length prefix
                    bytes = valid.randomElement(using: &random)!
                    if Bool.random(using: &random) {
                        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
                    } else {
                        let lie = [UInt32(0), 3, 8, UInt32.max, 1 << 30, UInt32(bytes.count)].randomElement(using: &random)!
                        withUnsafeBytes(of: lie.littleEndian) { for i in 0..<4 { bytes[i] = $0[i] } }
                    }
                default: // a valid message
                    bytes = valid.randomElement(using: &random)!
                }
                requests += 1
                if !client.send(bytes) { break }
            }
            if sessions % 10 == 0 { goodRound() }
            // Half the sessions wait for the node's verdict, half just vanish mid-conversation.
            if Bool.random(using: &random) {
                let started = Date()
                client.connection.shutdownWriteQuietly()
                client.drainUntilClosed()
                if Date().timeIntervalSince(started) > 0.5 { print("slow drain: session \(sessions) took \(Date().timeIntervalSince(started)) s") }
            }
        }
        XCTAssertGreaterThanOrEqual(requests, 10_000, "fuzz did not finish in time, seed \(seed)")
        goodRound()
        let counters = harness.node!.counters
        XCTAssertGreaterThan(counters.protocolErrors.getAcquire(), 0, "the fuzz never produced a protocol error: it tests too little")
        harness.stop()
        let report = try LogVerifier.verify(directory: harness.directory)
        XCTAssertTrue(report.isClean, "log verify after fuzz: \(String(describing: report.problem)), seed \(seed)")
        print("fuzz: \(requests) requests over \(sessions) sessions, \(report.dataFrames) frames in the log, seed \(seed)")
    }
}

extension TCPConnection {
    func shutdownWriteQuietly() { try? shutdownWrite() }
}
