import BatonClient
import BatonNet
import BatonProtocol
import BatonTestSupport
import XCTest

/// Clients given several brokers (fake ones, on loopback): a publisher goes
/// where a `notLeader` refusal points and resends there; a subscriber moves
/// on to the next broker and resumes where it was. The `Reconnector` drives
/// both, with a pause that only records.
final class FailoverTests: XCTestCase {
    private func publisherConfiguration() -> PublisherConfiguration {
        var configuration = PublisherConfiguration(streamId: 3)
        configuration.linger = .seconds(5)  // one batch per flush
        configuration.connection = testConnectionOptions()
        return configuration
    }

    /// A follower's script: refuse the first Publish naming `leader` as a Raft follower does.
    private func follower(naming leader: FakeServer) -> FakeServerScript {
        var script = FakeServerScript()
        script.errorOnFirstPublish = FakeError(code: .notLeader,
                                               text: "node 1 follows the Raft leader, node 0 at 127.0.0.1:\(leader.port); publish there")
        return script
    }

    /// A port of 127.0.0.1 nothing listens on (probed, then released).
    private func deadPort() throws -> UInt16 { try FreePorts.loopbackTCP(1)[0] }

    private func publish(_ count: Int, from first: Int = 0, to publisher: Publisher) throws {
        for index in first..<(first + count) {
            let payload = Array("message \(index)".utf8)
            guard case .accepted = payload.withUnsafeBytes({ publisher.offer($0) }) else { throw TestFailure("offer \(index) refused") }
        }
        publisher.flush()
    }

    func testThePublisherFollowsTheLeaderARefusalNamesAndResendsThere() throws {
        let leader = try FakeServer()
        defer { leader.stop() }
        let refusing = try FakeServer(follower(naming: leader))
        defer { refusing.stop() }
        let dead = IPv4SocketAddress.loopback(port: try deadPort())
        // The leader last in the list, a dead broker before it: the refusal's address, not the list order, decides.
        let publisher = try Publisher(brokers: [refusing.address, dead, leader.address], configuration: publisherConfiguration())
        defer { publisher.close() }
        XCTAssertEqual(publisher.connection.address, refusing.address)
        try publish(20, to: publisher)
        let refusal = try XCTUnwrap(pollUntilFailure(publisher))
        XCTAssertEqual(refusal.serverCode, .notLeader)
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 3)) { pauses.append($0) }
        XCTAssertNil(reconnector.recover(publisher, after: refusal))
        XCTAssertEqual(pauses, [], "a broker not yet tried: no pause")
        XCTAssertEqual(publisher.brokers.current, leader.address)
        XCTAssertEqual(publisher.connection.address, leader.address)
        try publisher.awaitAcks(timeout: .seconds(60))
        try publish(10, from: 20, to: publisher)
        try publisher.awaitAcks(timeout: .seconds(60))
        XCTAssertEqual(publisher.lastAckedSequence, 29)
        let record = leader.record
        XCTAssertEqual(record.logged.map(\.sequence), Array(0..<30), "each message logged once, at the leader")
        XCTAssertEqual(record.logged.map { String(decoding: $0.payload, as: UTF8.self) }, (0..<30).map { "message \($0)" })
        XCTAssertEqual(record.publishes.first?.firstSequence, 0, "the refused batch resent from its first sequence")
        XCTAssertTrue(record.publishes.allSatisfy { $0.producerId == publisher.producerId })
        XCTAssertEqual(publisher.brokers.failuresSinceProgress, 0, "acks count as progress")
    }

    func testALeaderMissingFromTheListIsAdded() throws {
        let leader = try FakeServer()
        defer { leader.stop() }
        let refusing = try FakeServer(follower(naming: leader))
        defer { refusing.stop() }
        let publisher = try Publisher(brokers: [refusing.address], configuration: publisherConfiguration())
        defer { publisher.close() }
        try publish(5, to: publisher)
        let refusal = try XCTUnwrap(pollUntilFailure(publisher))
        // No Reconnector: `reconnect()` alone moves where the failure points.
        try publisher.reconnect()
        XCTAssertEqual(publisher.brokers.addresses, [refusing.address, leader.address])
        XCTAssertEqual(publisher.connection.address, leader.address, "after \(refusal)")
        try publisher.awaitAcks(timeout: .seconds(60))
        XCTAssertEqual(leader.record.logged.map(\.sequence), Array(0..<5))
    }

    func testTheFirstConnectSkipsBrokersThatDoNotAnswer() throws {
        let server = try FakeServer()
        defer { server.stop() }
        let dead = IPv4SocketAddress.loopback(port: try deadPort())
        let publisher = try Publisher(brokers: [dead, server.address], configuration: publisherConfiguration())
        defer { publisher.close() }
        XCTAssertEqual(publisher.connection.address, server.address)
        XCTAssertEqual(publisher.brokers.current, server.address)
        let alsoDead = IPv4SocketAddress.loopback(port: try deadPort())
        XCTAssertThrowsError(try Publisher(brokers: [dead, alsoDead], configuration: publisherConfiguration())) { error in
            guard case let .connectFailed(address, _)? = error as? BatonClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(address, alsoDead.description, "the last broker's error")
        }
    }

    private func frames(_ count: Int) -> [FakeFrame] {
        (0..<count).map { FakeFrame(streamId: 1, producerId: 5, sequence: UInt64($0), payload: Array("frame \($0)".utf8)) }
    }

    private func subscriberConfiguration() -> SubscriberConfiguration {
        var configuration = SubscriberConfiguration(streamId: 1, from: .earliest)
        configuration.creditBytes = 128  // a few frames at a time: the broker cannot have sent the whole log when it stops
        configuration.connection = testConnectionOptions()
        return configuration
    }

    func testTheSubscriberMovesOnAndResumesPastALaggingMember() throws {
        var script = FakeServerScript()
        script.frames = frames(12)
        let first = try FakeServer(script)
        defer { first.stop() }
        var short = FakeServerScript()
        short.frames = frames(3)  // has not committed as far as the subscriber got
        let lagging = try FakeServer(short)
        defer { lagging.stop() }
        let third = try FakeServer(script)
        defer { third.stop() }
        let subscriber = try Subscriber(brokers: [first.address, lagging.address, third.address], configuration: subscriberConfiguration())
        defer { subscriber.close() }
        var received = try receive(subscriber, count: 5, limit: 5)
        first.stop()
        var lost: BatonClientError?
        try waitUntil("the subscriber sees its broker gone") {
            do throws(BatonClientError) { _ = try subscriber.poll { received.append(Message($0)) } } catch { lost = error }
            return lost != nil
        }
        let resumeAt = subscriber.nextPosition
        XCTAssertLessThan(resumeAt, first.framePositions[11], "stopped mid-log")
        XCTAssertGreaterThan(resumeAt, first.framePositions[2], "past the lagging member's log")
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 3)) { pauses.append($0) }
        XCTAssertNil(reconnector.recover(subscriber, after: lost!))
        XCTAssertEqual(pauses, [], "two brokers not yet tried")
        XCTAssertEqual(lagging.record.subscribes.last?.start, resumeAt, "asked the lagging member first: refused")
        XCTAssertEqual(subscriber.connection.address, third.address)
        XCTAssertEqual(third.record.subscribes.last?.start, resumeAt)
        received += try receive(subscriber, count: 12 - received.count)
        XCTAssertEqual(received.map(\.sequence), Array(0..<12), "every frame once, in order, across the move")
    }

    func testWithOneBrokerALaggingResumeIsStillFinal() throws {
        var script = FakeServerScript()
        script.frames = frames(3)
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: subscriberConfiguration())
        defer { subscriber.close() }
        let refusal = BatonClientError.server(code: .badPosition, relatedId: 1, text: "position 4096 is past the end of the committed log (96)")
        XCTAssertFalse(subscriber.canRetry(after: refusal))
        XCTAssertTrue(subscriber.canRetry(after: .connectionLost(reason: "reset")))
    }
}
