import BatonClient
import BatonNet
import BatonTestSupport
import Foundation
import XCTest

/// Chains of three `baton serve` processes: the acceptance run (1,000,000
/// messages, every node delivers the same sequence, logs verify and compare
/// identical), and SIGKILL + restart of the tail and of the middle mid-stream.
final class ChainProcessTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testMillionMessagesReachEveryProcessIdentically() throws {
        let cluster = try ProcessCluster(count: 3)
        defer { cluster.shutdown() }
        let total = EndToEnd.messageCount
        let deadline = Date().addingTimeInterval(400)
        let started = Date()
        let (last, _) = try EndToEnd.publish(port: cluster.clientPorts[0], producerId: 11, count: total, deadline: deadline)
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(last, UInt64(total - 1))
        try checkEveryNode(cluster, producers: [11: UInt64(total)], deadline: deadline)
        print("3 processes: \(total) messages acked in \(String(format: "%.2f", seconds)) s (\(Int(Double(total) / seconds)) msgs/s)")
    }

    func testTailKilledMidStreamCatchesUpAndNothingIsLostOrDuplicated() throws {
        try killAndRestart(member: 2)
    }

    func testMiddleKilledMidStreamCatchesUpAndNothingIsLostOrDuplicated() throws {
        try killAndRestart(member: 1)
    }

    /// The head may die having sent frames it had not written: on restart it
    /// takes them back from its successor before ordering again, and the
    /// publisher (reconnecting, resending its unacknowledged messages) gets
    /// every message logged exactly once.
    func testHeadKilledMidStreamTakesBackWhatItLostAndNothingIsLostOrDuplicated() throws {
        try killAndRestart(member: 0)
    }

    private func killAndRestart(member: Int) throws {
        let cluster = try ProcessCluster(count: 3)
        defer { cluster.shutdown() }
        let total = 200_000
        let deadline = Date().addingTimeInterval(300)
        var configuration = PublisherConfiguration(streamId: 1)
        configuration.producerId = 21
        let publisher = try Publisher(broker: .loopback(port: cluster.clientPorts[0]), configuration: configuration)
        defer { publisher.close() }
        var sent = 0
        var killed = false
        while sent < total {
            let result = publisher.offer(length: 100) { buffer, sequence in
                GeneratedPayload.write(into: buffer, producerId: 21, sequence: sequence)
            }
            switch result {
            case .accepted: sent += 1
            case .backPressured:
                let headRestarted = member == 0 && killed
                do { try publisher.poll() } catch {
                    guard headRestarted else { throw error }
                    try reconnect(publisher, deadline: deadline)
                }
            case let .tooLarge(limit): XCTFail("limit \(limit)"); return
            case let .closed(error):
                // Only the head's restart may close the publisher's session.
                guard member == 0 && killed else { throw error }
                try reconnect(publisher, deadline: deadline)
            }
            if Date() > deadline { throw TestTimeout("publishing \(sent) of \(total)") }
            // Mid-stream: once a third is acknowledged, SIGKILL the member and start it again on its data.
            if !killed, let acked = publisher.lastAckedSequence, acked >= UInt64(total / 3) {
                cluster.kill(member)
                try cluster.start(member)
                killed = true
            }
        }
        var acked = false
        while !acked {
            do {
                try publisher.awaitAcks(timeout: .seconds(120))
                acked = true
            } catch {
                guard member == 0 else { throw error }
                try reconnect(publisher, deadline: deadline)
            }
        }
        XCTAssertTrue(killed)
        XCTAssertEqual(publisher.lastAckedSequence, UInt64(total - 1))
        try checkEveryNode(cluster, producers: [21: UInt64(total)], deadline: deadline)
        let stat = try ProcessCluster.baton(["stat", "--data", cluster.dataDirectory(member), "--compact"])
        let counters = stat.output.split(separator: " ").filter { $0.hasPrefix("replication.adoptedBytes") || $0.hasPrefix("replication.retransmits=") || $0.hasPrefix("messages.duplicatesDropped") }
        print("member \(member) killed and restarted: \(counters.joined(separator: " "))")
    }

    /// Reconnects (resending the unacknowledged messages) once the restarted head listens.
    private func reconnect(_ publisher: Publisher, deadline: Date) throws {
        while true {
            do {
                try publisher.reconnect()
                return
            } catch {
                if Date() > deadline { throw error }
                usleep(10_000)  // the restarted head is not listening yet: poll again
            }
        }
    }

    private func checkEveryNode(_ cluster: ProcessCluster, producers: [UInt64: UInt64], deadline: Date) throws {
        try cluster.verifyEveryMember(producers: producers, deadline: deadline)
    }
}

/// `baton cluster` (what `make run` starts): a whole chain in one process,
/// ports derived from the base port; publish to the head, read from the tail.
final class ClusterCommandTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    func testClusterCommandRunsAChainAtTheDocumentedPorts() throws {
        let root = makeTemporaryDirectory("cluster-cmd")
        defer { removeTree(root) }
        // A base port whose six ports are free now (retry a few random ones).
        var process: NodeProcess?
        var base = 0
        var random = SplitMix64(seed: testSeed(UInt64(getpid())))
        for _ in 0..<5 where process == nil {
            base = 20_000 + Int(random.next() % 20_000)
            process = try? NodeProcess(arguments: ["cluster", "--nodes", "3", "--data", root, "--base-port", String(base), "--threads", "one",
                                                   "--log-level", "warning", "--buffer-size", "8MiB", "--segment-size", "16MiB"],
                                       readyMarker: "node 0 head: clients 127.0.0.1:")
        }
        guard let cluster = process else { return XCTFail("baton cluster did not start on any of 5 base ports") }
        defer { cluster.stop() }
        XCTAssertEqual(Int(cluster.port), base)
        let deadline = Date().addingTimeInterval(60)
        _ = try EndToEnd.publish(port: UInt16(base), producerId: 5, count: 10_000, deadline: deadline)
        let replay = try EndToEnd.replay(port: UInt16(base + 2), expected: 10_000, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
        XCTAssertEqual(replay.nextSequence[5], 10_000)
        cluster.stop()
        XCTAssertEqual(cluster.process.terminationStatus, 0)
        for index in 0..<3 {
            let verify = try ProcessCluster.baton(["log", "verify", "--data", root + "/node-\(index)"])
            XCTAssertEqual(verify.status, 0, verify.output)
        }
    }
}
