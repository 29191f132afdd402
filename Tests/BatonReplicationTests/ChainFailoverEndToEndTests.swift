import BatonClient
import BatonNet
import BatonNode
import BatonReplication
import BatonTestSupport
import Foundation
import XCTest

/// A chain with automatic failover in one process on loopback (each node on
/// its own thread): the head's node stops mid-way; the others remove it
/// (epoch 2), the middle becomes the head — the appender passes from its
/// replicator's thread to its order stage's — and a publisher given every
/// member follows the `notLeader` refusals there; every message is
/// acknowledged and delivered once, in order, by both survivors. Under
/// ThreadSanitizer in `make tsan`. The detector gets 1 + 2 s (TSan slows
/// every thread; a healthy member must not look dead).
final class ChainFailoverEndToEndTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testWhenTheHeadsNodeStopsThePublisherFollowsTheNewHead() throws {
        let detector = FailureDetectorConfiguration(probeIntervalNanos: 5_000_000, suspectAfterNanos: 1_000_000_000,
                                                    indirectProbeCount: 2, confirmAfterNanos: 2_000_000_000)
        let cluster = try ClusterHarness(count: 3) { _, configuration in
            configuration.replication?.failover = ChainFailoverConfiguration(minimumLength: 2, detector: detector)
        }
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(180)
        try waitUntil("a configuration leader every member knows", deadline: deadline) {
            let leaders = (0..<3).map { cluster.node($0).replicationCounters!.configurationLeader.getAcquire() }
            return leaders[0] >= 0 && Set(leaders).count == 1
        }
        let total = 2_000
        let producer: UInt64 = 5_151
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = producer
        configuration.windowMessages = 256  // some in flight when the head stops
        let publisher = try Publisher(brokers: (0..<3).map { IPv4SocketAddress.loopback(port: cluster.port($0)) }, configuration: configuration)
        defer { publisher.close() }
        var session = FailoverSession(publisher: publisher, deadline: deadline)
        try session.publish(count: total / 2)
        try session.pump(until: "some of the first half acknowledged") { (publisher.lastAckedSequence ?? 0) >= 100 }
        let survivorPorts = [1, 2].map { cluster.port($0) }
        cluster.stop(0)
        try session.publish(count: total - total / 2)
        try session.awaitAcks()
        XCTAssertEqual(publisher.lastAckedSequence, UInt64(total - 1))
        XCTAssertEqual(publisher.connection.address, IPv4SocketAddress.loopback(port: survivorPorts[0]), "the new head")
        XCTAssertEqual(cluster.node(1).replicationCounters!.epoch.getAcquire(), 2)
        XCTAssertEqual(ChainRole(code: cluster.node(1).replicationCounters!.role.getAcquire()), .head)
        XCTAssertEqual(ChainRole(code: cluster.node(2).replicationCounters!.role.getAcquire()), .tail)
        for port in survivorPorts {
            let replay = try EndToEnd.replay(port: port, expected: total, deadline: deadline)
            XCTAssertEqual(replay.problems, [], "port \(port)")
            XCTAssertEqual(replay.nextSequence, [producer: UInt64(total)], "every message once, in order, at port \(port)")
        }
        print("chain failover in one process: publisher moved \(session.errors.count) times "
              + "(\(session.errors.map { $0.serverCode.map { "\($0)" } ?? "lost" }.joined(separator: ", "))); "
              + "the new head dropped \(cluster.node(1).counters.duplicatesDropped.getAcquire()) resent duplicates")
    }

    private func waitUntil(_ what: String, deadline: Date, _ condition: () throws -> Bool) throws {
        while Date() < deadline {
            if try condition() { return }
            usleep(2_000)  // polling other threads' counters: nothing to wait on
        }
        throw TestTimeout(what)
    }
}
