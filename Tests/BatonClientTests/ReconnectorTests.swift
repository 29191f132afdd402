import BatonClient
import BatonNet
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

    /// A client of several brokers (a `BrokerList`) whose reconnects fail as scripted; records where it went.
    final class RotatingClient: ReconnectingClient {
        var list: BrokerList
        var failures: [BatonClientError]
        var connectedTo: [UInt16] = []
        let asksForPauses: Bool
        init(ports: [UInt16], failing failures: [BatonClientError], asksForPauses: Bool = true) throws {
            list = try BrokerList(ports.map { IPv4SocketAddress(127, 0, 0, 1, port: $0) })
            self.failures = failures
            self.asksForPauses = asksForPauses
        }
        func prepareReconnect(after error: BatonClientError) -> Bool {
            let pause = list.move(after: error)
            return asksForPauses && pause
        }
        func reconnect() throws(BatonClientError) {
            connectedTo.append(list.current.port)
            if !failures.isEmpty { throw failures.removeFirst() }
        }
    }

    private let lost = BatonClientError.connectionLost(reason: "peer reset")
    private let refused = BatonClientError.connectFailed(address: "127.0.0.1:1", reason: "refused")

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

    func testSeveralBrokersAreTriedInTurnAndOnlyAWholeRoundCostsAnAttempt() throws {
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 5)) { pauses.append($0) }
        let client = try RotatingClient(ports: [1, 2, 3], failing: [refused, refused, refused, refused])
        var told: [Int] = []
        XCTAssertNil(reconnector.recover(client, after: lost) { _, attempt in told.append(attempt) })
        XCTAssertEqual(client.connectedTo, [2, 3, 1, 2, 3], "the next broker at once; the pause only after all three failed")
        XCTAssertEqual(pauses, [100])
        XCTAssertEqual(told, [0, 0, 1, 1, 1])
        XCTAssertEqual(reconnector.attemptsUsed, 1)
    }

    func testSeveralBrokersGiveUpAfterThePolicysRounds() throws {
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 2)) { pauses.append($0) }
        let client = try RotatingClient(ports: [1, 2, 3], failing: Array(repeating: refused, count: 100))
        XCTAssertEqual(reconnector.recover(client, after: lost), refused)
        XCTAssertEqual(client.connectedTo, [2, 3, 1, 2, 3, 1, 2, 3])
        XCTAssertEqual(pauses, [100, 200])
    }

    func testAClientThatNeverAsksForAPauseStillGetsOne() throws {
        var pauses: [Int] = []
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 1)) { pauses.append($0) }
        let client = try RotatingClient(ports: [1, 2], failing: Array(repeating: refused, count: 100), asksForPauses: false)
        XCTAssertEqual(reconnector.recover(client, after: lost), refused)
        let moves = Reconnector.maximumMovesWithoutPause
        XCTAssertEqual(client.connectedTo.count, moves + 1 + moves, "moves, one paused attempt, moves, then the attempts are spent")
        XCTAssertEqual(pauses, [100])
    }

    func testZeroAttemptsReconnectNowhere() throws {
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 0)) { _ in XCTFail("no pause") }
        let client = try RotatingClient(ports: [1, 2, 3], failing: [])
        XCTAssertEqual(reconnector.recover(client, after: lost), lost)
        XCTAssertEqual(client.connectedTo, [])
    }
}
