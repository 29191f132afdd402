import BatonClient
import BatonCodec
import BatonProtocol
import BatonTestSupport
import XCTest

final class SubscriberTests: XCTestCase {
    /// 30 frames alternating between streams 1 and 2, payloads of 0 to 116 bytes.
    private func frames(count: Int = 30) -> [FakeFrame] {
        var frames: [FakeFrame] = []
        for index in 0..<count {
            var payload: [UInt8] = []
            for byte in 0..<(index * 4) { payload.append(UInt8(truncatingIfNeeded: byte + index)) }
            let stream = UInt32(1 + index % 2)
            let producer = UInt64(100 + index % 3)
            frames.append(FakeFrame(streamId: stream, producerId: producer, sequence: UInt64(index), payload: payload))
        }
        return frames
    }

    private func configuration(stream: UInt32, from: SubscribeFrom = .earliest, credit: UInt32 = 8 << 20) -> SubscriberConfiguration {
        var configuration = SubscriberConfiguration(streamId: stream, from: from)
        configuration.creditBytes = credit
        configuration.connection = testConnectionOptions()
        return configuration
    }

    /// A one-stream subscription gets that stream's frames in order, each
    /// checked and with its header fields; the padding frame in between is skipped.
    func testReceivesCheckedFramesOfOneStream() throws {
        var script = FakeServerScript()
        script.frames = frames()
        script.paddingAfterFrame = 10
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: 1))
        defer { subscriber.close() }
        XCTAssertEqual(subscriber.startPosition, 0)
        let messages = try receive(subscriber, count: 15)
        let expected = script.frames.enumerated().filter { $0.element.streamId == 1 }
        let positions = server.framePositions
        XCTAssertEqual(messages.count, expected.count)
        for (message, (index, frame)) in zip(messages, expected) {
            XCTAssertEqual(message.position, positions[index])
            XCTAssertEqual(message.streamId, 1)
            XCTAssertEqual(message.producerId, frame.producerId)
            XCTAssertEqual(message.sequence, frame.sequence)
            XCTAssertEqual(message.payload, frame.payload)
            XCTAssertEqual(message.timestampNanos, 1_700_000_000_000_000_000 + Int64(index))
        }
        let last = expected.last!
        XCTAssertEqual(subscriber.nextPosition,
                       positions[last.offset] + Int64(FrameDescriptor.alignedFrameLength(payloadLength: last.element.payload.count)))
        XCTAssertEqual(server.record.subscribes, [ReceivedSubscribe(subscriptionId: 1, streamId: 1, from: 0, start: 0, credit: 8 << 20)])
    }

    /// An all-streams subscription gets every data frame; padding is skipped.
    func testAllStreams() throws {
        var script = FakeServerScript()
        script.frames = frames()
        script.paddingAfterFrame = 3
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: ClientProtocol.allStreams))
        defer { subscriber.close() }
        let messages = try receive(subscriber, count: 30)
        XCTAssertEqual(messages.map(\.sequence), Array(0..<30))
        XCTAssertEqual(messages.map(\.position), server.framePositions)
        XCTAssertEqual(subscriber.nextPosition, server.logEndPosition)
    }

    /// A frame whose payload was changed after sealing fails its CRC: `poll`
    /// throws `.badFrame` with the frame's position after handing out the
    /// frames before it, and never the bad one.
    func testCorruptedFrameIsATypedError() throws {
        var script = FakeServerScript()
        script.frames = frames()
        script.corruptFrame = 7
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: ClientProtocol.allStreams))
        defer { subscriber.close() }
        var received: [UInt64] = []
        var thrown: BatonClientError?
        let deadline = Deadline(seconds: 10)
        while thrown == nil && !deadline.hasPassed {
            do {
                if try subscriber.poll({ received.append($0.sequence) }) == 0 { subscriber.waitForData(timeout: .milliseconds(5)) }
            } catch {
                thrown = error
            }
        }
        XCTAssertEqual(received, Array(0..<7))
        guard case .badFrame(let position, let check) = thrown else { throw TestFailure("expected badFrame, got \(String(describing: thrown))") }
        XCTAssertEqual(position, server.framePositions[7])
        guard case .badChecksum = check else { throw TestFailure("expected a checksum failure, got \(check)") }
        XCTAssertFalse(thrown!.isRetryable)
        XCTAssertThrowsError(try subscriber.poll { _ in XCTFail("nothing after a bad frame") })
    }

    /// With 1 KiB of credit and 6.4 KB of frames, the server only keeps
    /// sending because the subscriber returns Credit as it consumes.
    func testReturnsCreditAsItConsumes() throws {
        var script = FakeServerScript()
        script.frames = (0..<40).map { FakeFrame(streamId: 5, producerId: 1, sequence: UInt64($0), payload: [UInt8](repeating: 9, count: 100)) }
        script.framesPerDeliver = 2
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: 5, credit: 1_024))
        defer { subscriber.close() }
        let messages = try receive(subscriber, count: 40)
        XCTAssertEqual(messages.map(\.sequence), Array(0..<40))
        let credits = server.record.credits
        XCTAssertFalse(credits.isEmpty, "Credit was sent")
        XCTAssertTrue(credits.allSatisfy { $0 >= 512 }, "credit goes back once half is used: \(credits)")
        XCTAssertGreaterThanOrEqual(credits.reduce(0, +) + 1_024, 40 * 160, "enough credit for every frame")
    }

    /// A poll limit stops inside a Deliver; the next poll resumes there.
    func testPollLimitResumesInsideADeliver() throws {
        var script = FakeServerScript()
        script.frames = (0..<10).map { FakeFrame(streamId: 1, producerId: 1, sequence: UInt64($0), payload: [UInt8($0)]) }
        script.framesPerDeliver = 10
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: 1))
        defer { subscriber.close() }
        var counts: [Int] = []
        var sequences: [UInt64] = []
        let deadline = Deadline(seconds: 10)
        while sequences.count < 10 && !deadline.hasPassed {
            let count = try subscriber.poll(limit: 3) { sequences.append($0.sequence) }
            if count > 0 { counts.append(count) } else { subscriber.waitForData(timeout: .milliseconds(5)) }
        }
        XCTAssertEqual(counts, [3, 3, 3, 1])
        XCTAssertEqual(sequences, Array(0..<10))
    }

    /// Subscribing from a position that is not a frame boundary is refused:
    /// the constructor throws the broker's badPosition error.
    func testBadStartPosition() throws {
        var script = FakeServerScript()
        script.frames = frames(count: 3)
        let server = try FakeServer(script)
        defer { server.stop() }
        do {
            _ = try Subscriber(broker: server.address, configuration: configuration(stream: 1, from: .position(7)))
            XCTFail("subscribe should be refused")
        } catch {
            XCTAssertEqual(error.serverCode, .badPosition)
            XCTAssertTrue(error.description.contains("position 7"), error.description)
        }
    }

    /// Subscribing from a position, then unsubscribing.
    func testFromPositionAndUnsubscribe() throws {
        var script = FakeServerScript()
        script.frames = frames(count: 10)
        let server = try FakeServer(script)
        defer { server.stop() }
        let start = server.framePositions[4]
        let subscriber = try Subscriber(broker: server.address,
                                        configuration: configuration(stream: ClientProtocol.allStreams, from: .position(start)))
        defer { subscriber.close() }
        XCTAssertEqual(subscriber.startPosition, start)
        let messages = try receive(subscriber, count: 6)
        XCTAssertEqual(messages.map(\.sequence), Array(4..<10))
        try subscriber.unsubscribe()
        XCTAssertFalse(subscriber.isSubscribed)
        try waitUntil("the server saw Unsubscribe") { server.record.unsubscribes == 1 }
    }

    /// After a lost connection, `reconnect()` resumes right after the last message received.
    func testReconnectResumesAtNextPosition() throws {
        var script = FakeServerScript()
        script.frames = frames(count: 12)
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: ClientProtocol.allStreams))
        defer { subscriber.close() }
        let first = try receive(subscriber, count: 5, limit: 5)
        XCTAssertEqual(first.map(\.sequence), Array(0..<5))
        subscriber.connection.close()
        try subscriber.reconnect()
        XCTAssertEqual(server.record.subscribes.last?.start, server.framePositions[5])
        let rest = try receive(subscriber, count: 7)
        XCTAssertEqual(rest.map(\.sequence), Array(5..<12))
    }

    /// `messages()` yields copies as an AsyncSequence.
    func testAsyncMessages() async throws {
        var script = FakeServerScript()
        script.frames = frames(count: 20)
        let server = try FakeServer(script)
        defer { server.stop() }
        let subscriber = try Subscriber(broker: server.address, configuration: configuration(stream: ClientProtocol.allStreams))
        defer { subscriber.close() }
        var collected: [Message] = []
        let started = ContinuousClock.now
        for try await message in subscriber.messages(batchLimit: 7) {
            collected.append(message)
            if collected.count == 20 || ContinuousClock.now - started > .seconds(10) { break }
        }
        XCTAssertEqual(collected.map(\.sequence), Array(0..<20))
        XCTAssertEqual(collected.map(\.payload), script.frames.map(\.payload))
    }
}
