import BatonClient
import XCTest

/// The reconnect loop without sockets or sleeping: a client whose reconnects
/// fail as scripted, and a pause that only records.
final class ReconnectorTests: XCTestCase {
    final class ScriptedClient: ReconnectingClient {
        var failures: [BatonClientError]
        var reconnects = 0
        init(failing failures: [BatonClientError]) { self.failures = failures }
        func reconnect() throws(BatonClientError) {
            reconnects += 1
            if !failures.isEmpty { throw failures.removeFirst() }
        }
    }

    private let lost = BatonClientError.connectionLost(reason: "peer reset")

    func testTheDelayDoublesFrom100MillisecondsTo2Seconds() {
        let policy = ReconnectPolicy(attempts: 10)
        XCTAssertEqual((1...8).map { policy.delayMillis(attempt: $0) }, [100, 200, 400, 800, 1_600, 2_000, 2_000, 2_000])
    }

    func testReconnectsAfterPausingAndRetriesWhileReconnectingFailsRetryably() {
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 5)) { pauses.append($0) }
        let client = ScriptedClient(failing: [lost, .connectFailed(address: "127.0.0.1:1", reason: "refused")])
        var told: [Int] = []
        XCTAssertNil(reconnector.recover(client, after: lost) { _, attempt in told.append(attempt) })
        XCTAssertEqual(client.reconnects, 3)
        XCTAssertEqual(pauses, [100, 200, 400])
        XCTAssertEqual(told, [1, 2, 3])
        XCTAssertEqual(reconnector.attemptsUsed, 3)
        reconnector.reset()
        XCTAssertEqual(reconnector.attemptsUsed, 0, "progress gives a later outage every attempt again")
    }

    func testGivesUpAfterThePolicysAttemptsWithTheLastError() {
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 2)) { _ in }
        let last = BatonClientError.timedOut(operation: "connect", millis: 2_000)
        let client = ScriptedClient(failing: [lost, last, lost])
        XCTAssertEqual(reconnector.recover(client, after: lost), last)
        XCTAssertEqual(client.reconnects, 2)
    }

    func testANonRetryableErrorEndsAtOnce() {
        var pauses = 0
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 5)) { _ in pauses += 1 }
        let client = ScriptedClient(failing: [])
        XCTAssertEqual(reconnector.recover(client, after: .protocolViolation("bad frame")), .protocolViolation("bad frame"))
        XCTAssertEqual(client.reconnects, 0)
        XCTAssertEqual(pauses, 0, "no pause before giving up")
        let refusing = ScriptedClient(failing: [.closed])
        XCTAssertEqual(reconnector.recover(refusing, after: lost), .closed, "a reconnect that fails for good ends it too")
        XCTAssertEqual(refusing.reconnects, 1)
    }
}
