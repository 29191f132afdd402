import BatonClient
import BatonNet
import BatonTestSupport
import Foundation
import XCTest

/// Three `baton serve` Raft members as separate processes: SIGKILL the leader
/// ten times in a row under continuous publishing (restarting the old leader
/// each time); every acknowledged message is delivered exactly once, in
/// order, by every member, and the logs verify and compare identical. Each
/// round's failover — from the kill to the first message acknowledged by the
/// new leader — is measured and printed (not asserted: the machine may be
/// loaded; BENCHMARKS.md reports the distribution).
final class RaftProcessTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    private let producerId: UInt64 = 31

    func testLeaderKilledTenTimesLosesAndDuplicatesNothing() throws {
        let cluster = try ProcessCluster(count: 3, replication: "raft")
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(400)
        let perRound = 20_000
        var lastAcked: UInt64?
        var failovers: [Double] = []
        var term: Int64 = 0
        var offeredThrough: UInt64 = 0
        for round in 0..<10 {
            // The leader of the last failover (or the first one elected).
            let (leader, leaderTerm) = try awaitLeader(cluster, after: term - 1, excluding: nil, deadline: deadline)
            term = leaderTerm
            let publisher = try connect(to: cluster.clientPorts[leader], after: lastAcked)
            // Publish until this round's share is acknowledged, then SIGKILL the leader mid-stream (messages in flight).
            let target = UInt64((round + 1) * perRound - 1)
            var next = publisher.nextSequence
            while !(publisher.lastAckedSequence.map { $0 >= target } ?? false) {
                try offer(publisher, next: &next, deadline: deadline)
            }
            // Keep a window in flight at the kill.
            for _ in 0..<500 { try offer(publisher, next: &next, deadline: deadline) }
            offeredThrough = max(offeredThrough, next)
            lastAcked = publisher.lastAckedSequence
            let killed = Date()
            cluster.kill(leader)
            publisher.close()
            // The survivors elect a new leader; the first message it acknowledges ends the failover.
            let (newLeader, newTerm) = try awaitLeader(cluster, after: term, excluding: leader, deadline: deadline)
            term = newTerm
            let resumed = try connect(to: cluster.clientPorts[newLeader], after: lastAcked)
            var resend = resumed.nextSequence
            let firstAck = (lastAcked ?? 0) + 1
            while !(resumed.lastAckedSequence.map { $0 >= firstAck } ?? false) {
                try offer(resumed, next: &resend, deadline: deadline, limit: firstAck + 64)
            }
            offeredThrough = max(offeredThrough, resend)
            failovers.append(Date().timeIntervalSince(killed))
            lastAcked = resumed.lastAckedSequence
            resumed.close()
            try cluster.start(leader)
        }
        // Finish: everything offered so far acknowledged.
        let (leader, _) = try awaitLeader(cluster, after: 0, excluding: nil, deadline: deadline)
        let total = max(offeredThrough, UInt64(10 * perRound + 500))
        let publisher = try connect(to: cluster.clientPorts[leader], after: lastAcked)
        var next = publisher.nextSequence
        while next < total { try offer(publisher, next: &next, deadline: deadline, limit: total) }
        try publisher.awaitAcks(timeout: .seconds(120))
        XCTAssertEqual(publisher.lastAckedSequence, total - 1)
        publisher.close()
        try checkEveryMember(cluster, total: Int(total), deadline: deadline)
        let sorted = failovers.sorted()
        print("raft, 3 processes, leader SIGKILLed 10 times: failover (kill → first ack by the new leader) ms: "
              + failovers.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " ")
              + String(format: "; median %.0f, max %.0f", sorted[sorted.count / 2] * 1000, sorted.last! * 1000))
    }

    /// A planned stop (SIGTERM) of the leader hands leadership over first:
    /// the next leader is in place in about a round trip, not an election timeout.
    func testLeaderStoppedWithSIGTERMHandsOverWithoutAnElectionTimeout() throws {
        let cluster = try ProcessCluster(count: 3, replication: "raft")
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        var handOvers: [Double] = []
        var term: Int64 = 0
        var lastAcked: UInt64?
        for _ in 0..<3 {
            let (leader, leaderTerm) = try awaitLeader(cluster, after: term - 1, excluding: nil, deadline: deadline)
            term = leaderTerm
            let publisher = try connect(to: cluster.clientPorts[leader], after: lastAcked)
            var next = publisher.nextSequence
            let target = (lastAcked ?? 0) + 2_000
            while !(publisher.lastAckedSequence.map { $0 >= target } ?? false) { try offer(publisher, next: &next, deadline: deadline) }
            try publisher.awaitAcks(timeout: .seconds(60))
            lastAcked = publisher.lastAckedSequence
            publisher.close()
            let stopped = Date()
            cluster.stop(leader)
            let (_, newTerm) = try awaitLeader(cluster, after: term, excluding: leader, deadline: deadline)
            handOvers.append(Date().timeIntervalSince(stopped))
            term = newTerm
            let after = try cluster.counters(leader)
            XCTAssertEqual(after["raft.handOvers"], 1, "the stopped leader handed over")
            try cluster.start(leader)
        }
        print("raft, 3 processes, leader stopped with SIGTERM 3 times: stop → new leader ms: "
              + handOvers.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " "))
    }

    // MARK: - Helpers

    /// A publisher of this test's producer to `port`, starting after the last acknowledged sequence.
    private func connect(to port: UInt16, after lastAcked: UInt64?) throws -> Publisher {
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = producerId
        configuration.firstSequence = lastAcked.map { $0 + 1 } ?? 0
        return try Publisher(broker: .loopback(port: port), configuration: configuration)
    }

    /// Offers the message `next` (the payload is a function of producer and
    /// sequence, so a resend is identical), or polls when back-pressured.
    private func offer(_ publisher: Publisher, next: inout UInt64, deadline: Date, limit: UInt64 = .max) throws {
        if Date() > deadline { throw TestTimeout("publishing at sequence \(next)") }
        guard next < limit else {
            try publisher.poll()
            return
        }
        let result = publisher.offer(length: 100) { buffer, sequence in
            GeneratedPayload.write(into: buffer, producerId: self.producerId, sequence: sequence)
        }
        switch result {
        case .accepted: next += 1
        case .backPressured: try publisher.poll()
        case let .tooLarge(limit): throw TestTimeout("message above the broker's limit \(limit)")
        case let .closed(error): throw error
        }
    }

    /// Polls the members' counters until one (not `excluding`) leads a term after `term`
    /// (a leader's counters file says so until it restarts: the killed one is excluded).
    private func awaitLeader(_ cluster: ProcessCluster, after term: Int64, excluding: Int?, deadline: Date) throws -> (Int, Int64) {
        // An election takes a few hundred milliseconds; a minute means something is wrong.
        let electionDeadline = min(deadline, Date().addingTimeInterval(60))
        while Date() < electionDeadline {
            for index in 0..<3 where index != excluding && cluster.processes[index] != nil {
                let counters = try cluster.counters(index)
                if counters["leadership.state"] == 1, let leaderTerm = counters["replication.epoch"], leaderTerm > term {
                    return (index, leaderTerm)
                }
            }
            usleep(2_000)  // polling another process's counters file: nothing to wait on
        }
        var states: [String] = []
        for index in 0..<3 where cluster.processes[index] != nil {
            let counters = try cluster.counters(index)
            let shown = counters.filter { $0.key.hasPrefix("raft.") || $0.key.hasPrefix("leadership") || $0.key == "replication.epoch"
                || $0.key == "replication.role" || $0.key.hasPrefix("position.") }
            states.append("member \(index): " + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        throw TestTimeout("no Raft leader after term \(term) (excluding \(excluding.map(String.init) ?? "none")); \(states.joined(separator: "; "))")
    }

    /// Every member delivers every message once, in order, the same sequence;
    /// then (processes stopped) every log verifies and the three compare identical.
    private func checkEveryMember(_ cluster: ProcessCluster, total: Int, deadline: Date) throws {
        var digests: [UInt64] = []
        for index in 0..<3 {
            let replay = try EndToEnd.replay(port: cluster.clientPorts[index], expected: total, deadline: deadline)
            XCTAssertEqual(replay.count, total, "member \(index)")
            XCTAssertEqual(replay.problems, [], "member \(index)")
            XCTAssertEqual(replay.nextSequence, [producerId: UInt64(total)], "member \(index)")
            digests.append(replay.digest)
        }
        XCTAssertEqual(Set(digests).count, 1, "every member delivers the same sequence")
        cluster.stopAll()
        for index in 0..<3 {
            let verify = try ProcessCluster.baton(["log", "verify", "--data", cluster.dataDirectory(index)])
            XCTAssertEqual(verify.status, 0, "log verify member \(index): \(verify.output)")
        }
        let compare = try ProcessCluster.baton(["log", "compare"] + (0..<3).map { cluster.dataDirectory($0) })
        XCTAssertEqual(compare.status, 0, compare.output)
        XCTAssertTrue(compare.output.contains("IDENTICAL"), compare.output)
    }
}
