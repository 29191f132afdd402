import BatonClient
import BatonProtocol
import BatonTestSupport
import XCTest

final class ServerErrorTests: XCTestCase {
    /// An Error instead of Welcome is thrown by the constructor with its code and text.
    func testErrorInsteadOfWelcome() throws {
        var script = FakeServerScript()
        script.refuseHello = FakeError(code: .unsupportedVersion, text: "no version in common: client 1...1, server 2...2")
        let server = try FakeServer(script)
        defer { server.stop() }
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.connection = testConnectionOptions()
        do {
            _ = try Publisher(broker: server.address, configuration: configuration)
            XCTFail("the handshake should fail")
        } catch {
            XCTAssertEqual(error, .server(code: .unsupportedVersion, relatedId: 0,
                                          text: "no version in common: client 1...1, server 2...2"))
            XCTAssertTrue(error.description.contains("unsupportedVersion"), error.description)
            XCTAssertTrue(error.description.contains("no version in common"), error.description)
            XCTAssertFalse(error.isRetryable)
        }
    }

    /// A fatal Error during the session is thrown by `poll` and then reported
    /// by `offer` as `.closed` with the same error.
    func testFatalErrorDuringSession() throws {
        var script = FakeServerScript()
        script.errorOnFirstPublish = FakeError(code: .sequenceGap, text: "first new sequence 5 skips 1 to 4")
        let server = try FakeServer(script)
        defer { server.stop() }
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.connection = testConnectionOptions()
        configuration.linger = .zero
        let publisher = try Publisher(broker: server.address, configuration: configuration)
        defer { publisher.close() }
        XCTAssertEqual([UInt8](repeating: 1, count: 8).withUnsafeBytes { publisher.offer($0) }, .accepted(sequence: 0))
        let thrown = pollUntilFailure(publisher)
        let expected = BatonClientError.server(code: .sequenceGap, relatedId: publisher.producerId,
                                               text: "first new sequence 5 skips 1 to 4")
        XCTAssertEqual(thrown, expected)
        XCTAssertEqual(publisher.failure, expected)
        XCTAssertEqual([UInt8](repeating: 1, count: 8).withUnsafeBytes { publisher.offer($0) }, .closed(expected))
        XCTAssertThrowsError(try publisher.awaitAcks(timeout: .seconds(1)))
    }

    /// Nothing listening: a clear connectFailed naming the address.
    func testConnectRefused() throws {
        let server = try FakeServer()
        let address = server.address
        server.stop()
        var configuration = SubscriberConfiguration(streamId: 1)
        configuration.connection = testConnectionOptions()
        do {
            _ = try Subscriber(broker: address, configuration: configuration)
            XCTFail("connect should fail")
        } catch {
            guard case .connectFailed(let text, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(text, address.description)
            XCTAssertTrue(error.isRetryable)
        }
    }
}
