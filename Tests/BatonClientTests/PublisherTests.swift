import BatonClient
import BatonProtocol
import BatonTestSupport
import XCTest

final class PublisherTests: XCTestCase {
    private func configuration(window: Int = 65_536, linger: Duration = .microseconds(20)) -> PublisherConfiguration {
        var configuration = PublisherConfiguration(streamId: 3)
        configuration.windowMessages = window
        configuration.linger = linger
        configuration.connection = testConnectionOptions()
        return configuration
    }

    /// 10,000 generated messages go out in batches of at most the server's
    /// maxBatchCount, with consecutive sequences, and are all acknowledged;
    /// the last ack's position is the last message's.
    func testBatchingAndCumulativeAcks() throws {
        var script = FakeServerScript()
        script.maxBatchCount = 100
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration(linger: .milliseconds(1)))
        defer { publisher.close() }
        XCTAssertEqual(publisher.connection.welcome?.maxBatchCount, 100)
        XCTAssertEqual(publisher.connection.welcome?.serverName, "fake-server")
        let total = 10_000
        let producer = publisher.producerId
        var accepted = 0
        let deadline = Deadline(seconds: 20)
        while accepted < total {
            let size = 24 + accepted % 200
            switch publisher.offer(length: size, { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: producer, sequence: sequence)
            }) {
            case .accepted(let sequence):
                XCTAssertEqual(sequence, UInt64(accepted))
                accepted += 1
            case .backPressured:
                if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
            case let other:
                throw TestFailure("offer: \(other)")
            }
            if deadline.hasPassed { throw TestFailure("publishing did not finish") }
        }
        try publisher.awaitAcks(timeout: .seconds(10))
        XCTAssertEqual(publisher.inFlight, 0)
        XCTAssertEqual(publisher.lastAckedSequence, UInt64(total - 1))

        let record = server.record
        XCTAssertEqual(record.problems, [])
        XCTAssertTrue(record.publishes.allSatisfy { $0.payloads.count <= 100 && $0.producerId == producer && $0.streamId == 3 })
        XCTAssertLessThan(record.publishes.count, total / 10, "messages were batched")
        var expected: UInt64 = 0
        for publish in record.publishes {
            XCTAssertEqual(publish.firstSequence, expected, "batches are consecutive")
            for payload in publish.payloads {
                XCTAssertEqual(payload.withUnsafeBytes { GeneratedPayload.verify($0) }, .valid(producerId: producer, sequence: expected))
                expected += 1
            }
        }
        XCTAssertEqual(expected, UInt64(total))
        XCTAssertEqual(record.logged.count, total)
        XCTAssertEqual(publisher.lastAckedPosition, record.logged.last?.position)
    }

    /// With acks held back, a window of 8 takes 8 messages and then reports
    /// `.backPressured(inFlight: 8)` without blocking; once acks flow, the
    /// window opens again.
    func testWindowFullIsBackPressureResult() throws {
        var script = FakeServerScript()
        script.acking = false
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration(window: 8, linger: .zero))
        defer { publisher.close() }
        let payload: [UInt8] = Array("hello".utf8)
        for sequence in 0..<8 {
            XCTAssertEqual(payload.withUnsafeBytes { publisher.offer($0) }, .accepted(sequence: UInt64(sequence)))
        }
        XCTAssertEqual(payload.withUnsafeBytes { publisher.offer($0) }, .backPressured(inFlight: 8))
        try pump(publisher, until: "the server logged 8 messages") { server.record.logged.count == 8 }
        XCTAssertEqual(payload.withUnsafeBytes { publisher.offer($0) }, .backPressured(inFlight: 8), "still no acks")
        XCTAssertNil(publisher.lastAckedSequence)
        server.setAcking(true)
        try pump(publisher, until: "all 8 are acknowledged") { publisher.inFlight == 0 }
        XCTAssertEqual(publisher.lastAckedSequence, 7)
        XCTAssertEqual(payload.withUnsafeBytes { publisher.offer($0) }, .accepted(sequence: 8))
        try publisher.awaitAcks(timeout: .seconds(5))
        XCTAssertEqual(server.record.logged.map(\.sequence), Array(0...8))
    }

    /// A payload above the broker's maxPayloadLength is refused by `offer` itself.
    func testTooLargePayload() throws {
        var script = FakeServerScript()
        script.maxPayloadLength = 1_000
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration())
        defer { publisher.close() }
        let big = [UInt8](repeating: 1, count: 1_001)
        XCTAssertEqual(big.withUnsafeBytes { publisher.offer($0) }, .tooLarge(limit: 1_000))
        XCTAssertEqual(publisher.nextSequence, 0)
    }

    /// The server logs the first batch, then resets the connection without
    /// acking. `reconnect()` resends every unacknowledged message with the same
    /// producer id and sequences; the server drops the duplicates, logs the
    /// rest once and acks all 20.
    func testReconnectResendsUnackedWithSameSequences() throws {
        var script = FakeServerScript()
        script.dropFirstSessionAfterPublishes = 1
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration(linger: .seconds(5)))
        defer { publisher.close() }
        for batch in 0..<2 {
            for index in 0..<10 {
                let payload = Array("message \(batch * 10 + index)".utf8)
                guard case .accepted = payload.withUnsafeBytes({ publisher.offer($0) }) else { throw TestFailure("offer refused") }
            }
            publisher.flush()
        }
        var lost: BatonClientError?
        let deadline = Deadline(seconds: 10)
        while lost == nil {
            if deadline.hasPassed { throw TestFailure("the dropped connection was not noticed") }
            do {
                if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(5)) }
            } catch {
                lost = error
            }
        }
        guard case .connectionLost = lost else { throw TestFailure("expected connectionLost, got \(String(describing: lost))") }
        XCTAssertTrue(lost!.isRetryable)
        XCTAssertEqual([UInt8](repeating: 0, count: 4).withUnsafeBytes { publisher.offer($0) }, .closed(lost!))
        XCTAssertEqual(publisher.inFlight, 20)

        try publisher.reconnect()
        try publisher.awaitAcks(timeout: .seconds(10))
        XCTAssertEqual(publisher.lastAckedSequence, 19)

        let record = server.record
        XCTAssertEqual(record.sessions, 2)
        XCTAssertEqual(record.logged.map(\.sequence), Array(0..<20), "each message logged exactly once")
        XCTAssertEqual(record.logged.map { String(decoding: $0.payload, as: UTF8.self) }, (0..<20).map { "message \($0)" })
        let resent = record.publishes.filter { $0.session == 2 }
        XCTAssertEqual(resent.first?.firstSequence, 0, "resending starts at the first unacknowledged sequence")
        XCTAssertTrue(resent.allSatisfy { $0.producerId == publisher.producerId }, "same producer id after reconnect")
        XCTAssertEqual(resent.flatMap(\.payloads).count, 20)
    }

    /// A `backPressure` Error is not fatal: the publisher resends the refused
    /// batch (same sequences) after the retry delay and everything is logged once.
    func testBackPressureErrorResendsLater() throws {
        var script = FakeServerScript()
        script.backPressureFirstPublish = true
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration(linger: .zero))
        defer { publisher.close() }
        for index in 0..<50 {
            let payload = Array("m\(index)".utf8)
            _ = try payload.withUnsafeBytes { try publisher.publish($0, timeout: .seconds(5)) }
        }
        try publisher.awaitAcks(timeout: .seconds(10))
        let record = server.record
        XCTAssertTrue(record.errorsSent.contains(.backPressure))
        XCTAssertEqual(record.logged.map(\.sequence), Array(0..<50))
        XCTAssertGreaterThanOrEqual(record.publishes.filter { $0.firstSequence == 0 }.count, 2, "the refused batch was resent")
        XCTAssertEqual(publisher.lastAckedSequence, 49)
        XCTAssertNil(publisher.failure)
    }

    /// The producer id given in the configuration is used, and kept.
    func testGivenProducerIdAndFirstSequence() throws {
        let server = try FakeServer()
        defer { server.stop() }
        var configuration = configuration(linger: .zero)
        configuration.producerId = 77
        configuration.firstSequence = 1_000
        let publisher = try Publisher(broker: server.address, configuration: configuration)
        defer { publisher.close() }
        let sequence = try [UInt8](repeating: 5, count: 10).withUnsafeBytes { try publisher.publish($0, timeout: .seconds(5)) }
        XCTAssertEqual(sequence, 1_000)
        try publisher.awaitAcks(timeout: .seconds(5))
        XCTAssertEqual(server.record.logged, [LoggedMessage(producerId: 77, sequence: 1_000, position: 0,
                                                            payload: [UInt8](repeating: 5, count: 10))])
        XCTAssertEqual(publisher.lastAckedPosition, 0)
    }

    /// An idle publisher sends Heartbeats at the broker's interval.
    func testHeartbeatWhenIdle() throws {
        var script = FakeServerScript()
        script.heartbeatIntervalMillis = 20
        let server = try FakeServer(script)
        defer { server.stop() }
        let publisher = try Publisher(broker: server.address, configuration: configuration())
        defer { publisher.close() }
        try pump(publisher, until: "the server received 2 heartbeats") { server.record.heartbeats >= 2 }
        XCTAssertNil(publisher.failure)
    }

    /// A broker that sends nothing at all (not even a Heartbeat) for the
    /// silence timeout is declared lost: `poll` throws a retryable timeout.
    func testSilentBrokerIsDetected() throws {
        var script = FakeServerScript()
        script.heartbeatIntervalMillis = 0
        let server = try FakeServer(script)
        defer { server.stop() }
        var configuration = configuration()
        configuration.connection.serverSilenceTimeout = .milliseconds(100)
        let publisher = try Publisher(broker: server.address, configuration: configuration)
        defer { publisher.close() }
        let thrown = pollUntilFailure(publisher)
        guard case .timedOut = thrown else { throw TestFailure("expected timedOut, got \(String(describing: thrown))") }
        XCTAssertTrue(thrown!.isRetryable)
        XCTAssertEqual(publisher.failure, thrown)
    }
}
