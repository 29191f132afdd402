import BatonClient
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// A Raft follower that was down while the leader's retention deleted the
/// bytes it lacks is told so (`leaderStartsLater`), records that it must
/// rejoin, and at its next start begins an empty log at the leader's first
/// position and catches up from there; its log then matches the leader's
/// from that position on, and nothing acknowledged is lost on the others.
final class RaftRejoinTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testAFollowerBehindTheLeadersRetentionRejoinsFromTheLeadersStart() throws {
        let cluster = try ClusterHarness(count: 3, mode: .raft, bufferBytes: 1 << 20) { _, configuration in
            configuration.log.segmentBytes = 1 << 20
            configuration.log.maximumFrameLength = 64 << 10
            configuration.maximumPayloadLength = 16 << 10
            configuration.maximumMessageLength = 32 << 10
            configuration.deliverBatchBytes = 16 << 10
            var retention = RetentionPolicy(maximumBytes: 3 << 20)
            retention.checkIntervalNanos = 5_000_000
            configuration.log.retention = retention
        }
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(120)
        let leader = try awaitLeader(cluster, deadline: deadline)
        let follower = (leader + 1) % 3
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = 77
        configuration.windowMessages = 1_024
        let publisher = try Publisher(broker: .loopback(port: cluster.port(leader)), configuration: configuration)
        defer { publisher.close() }
        var sent = 0
        // 1 MiB the follower holds, then 12 MiB more while it is down: the leader (and the other
        // follower) delete old segments, among them ones holding what the follower lacks.
        try publish(publisher, until: 1_000, sent: &sent, deadline: deadline)
        try waitUntil("the follower holds the first messages", deadline: deadline) {
            cluster.node(follower).log.durablePosition >= cluster.node(leader).log.appendedPosition
        }
        let followerEnd = cluster.node(follower).log.appendedPosition
        cluster.stop(follower)
        try publish(publisher, until: 13_000, sent: &sent, deadline: deadline)
        let leaderLog = cluster.node(leader).log
        try waitUntil("the leader's retention deletes what the follower lacks", deadline: deadline) {
            leaderLog.startPosition > followerEnd
        }
        let leaderStart = leaderLog.startPosition

        // Back: the leader tells it its log starts later; the follower records that it must rejoin.
        try cluster.start(follower)
        let raft = try XCTUnwrap(cluster.node(follower).raftCounters)
        try waitUntil("the follower is told to rejoin", deadline: deadline) { raft.rejoinAt.getAcquire() >= 0 }
        let rejoinAt = raft.rejoinAt.getAcquire()
        XCTAssertGreaterThanOrEqual(rejoinAt, leaderStart)
        XCTAssertEqual(cluster.node(follower).log.appendedPosition, followerEnd, "nothing changes before the restart")
        XCTAssertNotNil(try RaftRejoinNote.read(directory: cluster.directories[follower], fileSystem: SystemFileSystem()))
        XCTAssertGreaterThan(cluster.node(leader).raftCounters!.rejoinsAsked.getAcquire(), 0)

        // Restarted: an empty log at the leader's start, then the leader's stream from there.
        cluster.stop(follower)
        try cluster.start(follower)
        let rejoined = cluster.node(follower)
        XCTAssertEqual(rejoined.log.startPosition, rejoinAt)
        XCTAssertNil(try RaftRejoinNote.read(directory: cluster.directories[follower], fileSystem: SystemFileSystem()))
        let names = try SystemFileSystem().list(cluster.directories[follower])
        XCTAssertTrue(names.contains { $0.hasSuffix(LogRestart.archiveSuffix) }, "the old log is kept aside: \(names)")
        try publish(publisher, until: 14_000, sent: &sent, deadline: deadline)
        let end = leaderLog.appendedPosition
        try waitUntil("the rejoined follower holds and commits the leader's log", deadline: deadline) {
            rejoined.log.durablePosition >= end && rejoined.counters.commitPosition.getAcquire() >= end
        }
        XCTAssertEqual(rejoined.raftCounters!.rejoinAt.getAcquire(), -1, "no further rejoin needed")

        // The logs agree from the rejoined follower's start (the others' starts are their own retention's).
        for index in 0..<3 { cluster.stop(index) }
        let report = try LogComparison.compare(directories: cluster.directories)
        XCTAssertTrue(report.isIdentical, "\(report)")
        XCTAssertGreaterThanOrEqual(report.commonStart, rejoinAt)
        XCTAssertGreaterThanOrEqual(report.comparedEnd, end)
        XCTAssertGreaterThan(report.frames, 0)
        print("raft rejoin: node \(follower) went down at \(followerEnd); leader node \(leader) then kept its log from \(leaderStart); node \(follower) rejoined from \(rejoinAt) and matches it over \(report.bytes) bytes to \(report.comparedEnd)")
    }

    /// Publishes 1,000-byte messages until `total` are acknowledged.
    private func publish(_ publisher: Publisher, until total: Int, sent: inout Int, deadline: Date) throws {
        while sent < total || publisher.inFlight > 0 {
            if Date() > deadline { throw TestTimeout("publishing: \(sent) sent, \(publisher.inFlight) in flight") }
            if sent < total, case .accepted = publisher.offer(length: 1_000, { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: 77, sequence: sequence)
            }) {
                sent += 1
                continue
            }
            publisher.flush()
            if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
        }
    }

    private func awaitLeader(_ cluster: ClusterHarness, deadline: Date) throws -> Int {
        var found: Int?
        try waitUntil("a leader", deadline: deadline) {
            found = (0..<3).first { cluster.nodes[$0]?.counters.leadership.getAcquire() == Leadership.leading.rawValue }
            return found != nil
        }
        return found!
    }

    private func waitUntil(_ what: String, deadline: Date, _ condition: () throws -> Bool) throws {
        while try !condition() {
            if Date() > deadline { throw TestTimeout(what) }
            usleep(1_000)  // nodes on their own threads: nothing to wait on but time
        }
    }
}
