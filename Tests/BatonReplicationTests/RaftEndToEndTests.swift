import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// Raft clusters in one process on loopback (`ClusterHarness(mode: .raft)`):
/// a publisher given every member finds the leader, follows it when the
/// leader's node stops mid-way, and every message is acknowledged and
/// delivered exactly once, in order, by a surviving member. No sleeps: each
/// wait is a condition polled under a generous deadline (election timeouts
/// are 150–300 ms; the machine may be loaded).
final class RaftEndToEndTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testThePublisherFollowsTheLeaderWhenTheLeadersNodeStops() throws {
        let cluster = try ClusterHarness(count: 3, mode: .raft)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        let firstLeader = try waitForLeader(cluster, among: [0, 1, 2], deadline: deadline)
        let firstTerm = term(of: cluster.node(firstLeader))
        let survivors = [0, 1, 2].filter { $0 != firstLeader }
        // Followers first in the list: the first publish is refused and names the leader.
        let addresses = (survivors + [firstLeader]).map { IPv4SocketAddress.loopback(port: cluster.port($0)) }

        let total = 1_000
        let producer: UInt64 = 4_242
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = producer
        configuration.windowMessages = 256  // some in flight at all times, so the stop leaves some unacknowledged
        let publisher = try Publisher(brokers: addresses, configuration: configuration)
        defer { publisher.close() }
        var session = FailoverSession(publisher: publisher, deadline: deadline)

        try session.publish(count: total / 2)
        try session.pump(until: "some of the first half acknowledged") { (publisher.lastAckedSequence ?? 0) >= 100 }
        XCTAssertEqual(publisher.brokers.current, addresses[2], "the refusal sent the publisher to the leader")
        let inFlightAtStop = publisher.inFlight
        cluster.stop(firstLeader)  // node.stop(): the leader hands over, its sessions close
        try session.publish(count: total - total / 2)
        try session.awaitAcks()

        XCTAssertEqual(publisher.lastAckedSequence, UInt64(total - 1))
        XCTAssertEqual(publisher.inFlight, 0)
        XCTAssertNil(publisher.ackedAheadSequence)
        XCTAssertTrue(session.errors.contains { $0.serverCode == .notLeader }, "a follower refused: \(session.errors)")
        XCTAssertTrue(session.errors.contains { $0.serverCode != .notLeader }, "the leader's stop was seen: \(session.errors)")
        let newLeader = try waitForLeader(cluster, among: survivors, deadline: deadline)
        XCTAssertGreaterThan(term(of: cluster.node(newLeader)), firstTerm)
        XCTAssertEqual(publisher.connection.address, IPv4SocketAddress.loopback(port: cluster.port(newLeader)))

        // Delivered once each, in order, by a surviving member (a follower when one is left following).
        let end = cluster.node(newLeader).log.appendedPosition
        for index in survivors {
            try waitUntil("node \(index) commits to \(end)", deadline: deadline) {
                cluster.node(index).counters.commitPosition.getAcquire() >= end
            }
        }
        let reader = survivors.first { $0 != newLeader }!
        let delivered = try readAll(port: cluster.port(reader), upTo: end, deadline: deadline)
        XCTAssertEqual(delivered.problems, [])
        XCTAssertEqual(delivered.sequences, (0..<UInt64(total)).map { $0 }, "every message once, in order")
        XCTAssertEqual(delivered.producers, [producer])
        let leaderCounters = cluster.node(newLeader).counters
        print("raft failover: leader node \(firstLeader) (term \(firstTerm)) stopped with \(inFlightAtStop) messages in flight; "
              + "node \(newLeader) leads term \(term(of: cluster.node(newLeader))); publisher moved \(session.errors.count) times "
              + "(\(session.errors.map { $0.serverCode.map { "\($0)" } ?? "lost" }.joined(separator: ", "))); "
              + "the new leader dropped \(leaderCounters.duplicatesDropped.getAcquire()) resent duplicates")
    }

    /// Leadership moved on request (what `baton admin transfer-leadership`
    /// writes) three times while a publisher has messages in flight: each
    /// time another member leads a later term, and every message is acked
    /// and delivered once, in order (under TSan in `make tsan`: the pause
    /// crosses the order, commit and replication threads).
    func testLeadershipTransfersOnRequestWhilePublishing() throws {
        let cluster = try ClusterHarness(count: 3, mode: .raft)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        var leader = try waitForLeader(cluster, among: [0, 1, 2], deadline: deadline)
        let addresses = (0..<3).map { IPv4SocketAddress.loopback(port: cluster.port($0)) }
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = 5_151
        configuration.windowMessages = 256
        let publisher = try Publisher(brokers: addresses, configuration: configuration)
        defer { publisher.close() }
        var session = FailoverSession(publisher: publisher, deadline: deadline)
        for round in 0..<3 {
            try session.publish(count: 500)
            let raft = cluster.node(leader).raftCounters!
            let before = term(of: cluster.node(leader))
            // A loaded machine may leave the target behind for an election timeout (the leader then
            // resumes and says so): ask again, as an operator would.
            var outcome: RaftTransferOutcome?
            repeat {
                raft.transferTarget.setReleaseAllowingDecrease(-1)
                raft.transferRequests.setRelease(raft.transferRequests.getPlain() + 1)
                try waitUntil("round \(round): the transfer is answered", deadline: deadline) {
                    raft.transfersHandled.getAcquire() == raft.transferRequests.getAcquire()
                }
                outcome = RaftTransferOutcome(rawValue: raft.transferOutcome.getAcquire())
            } while outcome == .targetBehind && Date() < deadline
            XCTAssertEqual(outcome, .handedOver)
            let others = [0, 1, 2].filter { $0 != leader }
            let next = try waitForLeader(cluster, among: others, deadline: deadline)
            XCTAssertGreaterThan(term(of: cluster.node(next)), before)
            leader = next
        }
        try session.publish(count: 500)
        try session.awaitAcks()
        XCTAssertEqual(publisher.lastAckedSequence, 1_999)
        let end = cluster.node(leader).log.appendedPosition
        try waitUntil("every member commits to \(end)", deadline: deadline) {
            (0..<3).allSatisfy { cluster.node($0).counters.commitPosition.getAcquire() >= end }
        }
        let delivered = try readAll(port: cluster.port((leader + 1) % 3), upTo: end, deadline: deadline)
        XCTAssertEqual(delivered.problems, [])
        XCTAssertEqual(delivered.sequences, (0..<UInt64(2_000)).map { $0 }, "every message once, in order")
    }

    /// A Raft cluster of one orders past its log buffer (it sends nothing,
    /// yet its log buffer must move on).
    func testAClusterOfOneOrdersPastItsLogBuffer() throws {
        let cluster = try ClusterHarness(count: 1, mode: .raft, bufferBytes: 2 << 20)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(60)
        _ = try waitForLeader(cluster, among: [0], deadline: deadline)
        let count = 40_000  // over 5 MB of frames through a 2 MiB buffer
        let (sequence, position) = try EndToEnd.publish(port: cluster.port(0), producerId: 5, count: count, deadline: deadline)
        XCTAssertEqual(sequence, UInt64(count - 1))
        XCTAssertGreaterThan(position, 4 << 20)
    }

    // MARK: - Helpers

    /// The index (of `among`) whose node leads: its leadership gate is `leading`.
    private func waitForLeader(_ cluster: ClusterHarness, among indexes: [Int], deadline: Date) throws -> Int {
        var leader: Int?
        try waitUntil("one of nodes \(indexes) leads", deadline: deadline) {
            leader = indexes.first { cluster.node($0).counters.leadership.getAcquire() == Leadership.leading.rawValue }
            return leader != nil
        }
        return leader!
    }

    /// A Raft member's term (`replication.epoch` holds it).
    private func term(of node: Node) -> Int64 { node.replicationCounters!.epoch.getAcquire() }

    private func waitUntil(_ what: String, deadline: Date, _ condition: () throws -> Bool) throws {
        while !(try condition()) {
            if Date() > deadline { throw TestTimeout("waiting until \(what)") }
            usleep(1_000)
        }
    }

    private struct Delivered {
        var sequences: [UInt64] = []
        var producers: Set<UInt64> = []
        var problems: [String] = []
    }

    /// Every message a subscriber from earliest receives before `end`, checked by an `ExactlyOnceChecker`.
    private func readAll(port: UInt16, upTo end: Int64, deadline: Date) throws -> Delivered {
        let subscriber = try Subscriber(broker: .loopback(port: port), configuration: SubscriberConfiguration(streamId: 1, from: .earliest))
        defer { subscriber.close() }
        var delivered = Delivered()
        var checker = ExactlyOnceChecker()
        while subscriber.nextPosition < end {
            let got = try subscriber.poll { message in
                delivered.sequences.append(message.sequence)
                delivered.producers.insert(message.producerId)
                if let problem = checker.check(message), delivered.problems.count < 10 { delivered.problems.append(problem) }
            }
            if got == 0 {
                if Date() > deadline { throw TestTimeout("reading: at \(subscriber.nextPosition) of \(end)") }
                subscriber.waitForData(timeout: .milliseconds(10))
            }
        }
        return delivered
    }
}

/// The publishing loop of the failover test: offers generated messages,
/// polls, and after any failure lets the `Reconnector` move the publisher
/// (recording the error behind each move); throws when it gives up or the
/// deadline passes.
struct FailoverSession {
    let publisher: Publisher
    let deadline: Date
    var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 20))
    var errors: [BatonClientError] = []

    init(publisher: Publisher, deadline: Date) {
        self.publisher = publisher
        self.deadline = deadline
    }

    mutating func publish(count: Int) throws {
        let producer = publisher.producerId
        var sent = 0
        while sent < count {
            switch publisher.offer(length: 100, { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: producer, sequence: sequence)
            }) {
            case .accepted: sent += 1
            case .backPressured: try pumpOnce()
            case .tooLarge(let limit): throw TestTimeout("a 100-byte message over the limit \(limit)")
            case .closed(let error): try recover(error)
            }
            if Date() > deadline { throw TestTimeout("publishing: \(sent) of \(count)") }
        }
        publisher.flush()
    }

    mutating func awaitAcks() throws {
        let publisher = self.publisher
        publisher.flush()
        try pump(until: "every message acknowledged") { publisher.inFlight == 0 }
    }

    mutating func pump(until what: String, _ condition: () -> Bool) throws {
        while !condition() {
            try pumpOnce()
            if Date() > deadline { throw TestTimeout("\(what): \(publisher.inFlight) in flight") }
        }
    }

    private mutating func pumpOnce() throws {
        let acked = publisher.lastAckedSequence
        do {
            if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
        } catch {
            try recover(error)
        }
        if publisher.lastAckedSequence != acked { reconnector.reset() }
    }

    private mutating func recover(_ error: BatonClientError) throws {
        var seen: [BatonClientError] = []
        let final = reconnector.recover(publisher, after: error) { error, _ in seen.append(error) }
        errors += seen
        if let final { throw final }
    }
}
