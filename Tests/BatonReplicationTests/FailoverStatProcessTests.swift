import BatonNet
import BatonTestSupport
import Foundation
import XCTest

/// `baton serve --config FILE --node N` with a `[failover]` table, and what
/// `baton stat` says about it: three processes elect a configuration leader;
/// the middle is SIGKILLed and the others commit the chain without it (epoch
/// 2), naming it failed; the tail is SIGKILLed too and the head, hearing no
/// majority, is FENCED; the middle restarted learns it was removed and stays
/// outside, learning, the head hears a majority again but keeps the dead
/// tail (the chain is at its minimum length) and refuses writes until it
/// returns; when it does, the chain takes up again and the middle rejoins
/// as the tail (epoch 3).
/// A chain member without failover shows none of it.
final class FailoverStatProcessTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    /// `baton stat --data DIR` of member `index`, as printed.
    private func stat(_ cluster: ProcessCluster, _ index: Int) throws -> String {
        let result = try ProcessCluster.baton(["stat", "--data", cluster.dataDirectory(index)])
        XCTAssertEqual(result.status, 0, result.output)
        return result.output
    }

    /// Polls member counters until `condition` holds; fails naming `what` after `seconds`.
    private func waitFor(_ what: String, seconds: TimeInterval = 60, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            if Date() > deadline { throw TestTimeout(what) }
            usleep(50_000)
        }
    }

    private func assertContains(_ text: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        for fragment in fragments { XCTAssertTrue(text.contains(fragment), "no '\(fragment)' in:\n\(text)", file: file, line: line) }
    }

    func testStatShowsFailoverThroughAMiddleFailureFencingAndARemovedMembersRestart() throws {
        // The processes start one after another, each once the last listens: with the default failure time
        // (300 ms) a member that starts later than that under load is removed before it is first heard
        // (and does not rejoin). Three seconds leave room; the test is about what stat shows.
        let cluster = try ProcessCluster(count: 3, tables: "[failover]\nenabled = true\nsuspect_after_ms = 1000\nconfirm_after_ms = 2000")
        defer { cluster.shutdown() }
        try waitFor("a configuration leader every member knows") {
            let leaders = try (0..<3).map { try cluster.counters($0)["replication.configuration.leader"] ?? -1 }
            return leaders[0] >= 0 && Set(leaders).count == 1
        }
        let compact = try cluster.counters(0)
        XCTAssertEqual(compact["replication.failover.minimumLength"], 2)
        XCTAssertEqual((0..<3).map { compact["replication.failover.member.\($0)"] }, [0, 1, 2])
        let leader = compact["replication.configuration.leader"]!
        var head = try stat(cluster, 0)
        assertContains(head, ["chain head, epoch 1", "head ready yes", "failover: configuration term ", "leader node \(leader)",
                              "configurations applied since start 0, minimum length 2", "failure detector: no member confirmed failed"])
        XCTAssertFalse(head.contains("FENCED"), head)
        assertContains(try stat(cluster, 1), ["chain middle, epoch 1", "failover: configuration term"])

        // The middle dies: the head and the tail commit the chain 0 -> 2 (epoch 2) and name node 1 failed.
        cluster.kill(1)
        try waitFor("epoch 2 on the head and the tail") {
            try [0, 2].allSatisfy { try cluster.counters($0)["replication.epoch"] == 2 }
        }
        try waitFor("the head leading again") { try cluster.counters(0)["leadership.state"] == 1 }
        head = try stat(cluster, 0)
        assertContains(head, ["chain head, epoch 2", "head ready yes", "configurations applied since start 1", "confirmed failed node 1"])
        assertContains(try stat(cluster, 2), ["chain tail, epoch 2", "configurations applied since start 1", "confirmed failed node 1"])

        // The tail dies too: the head hears no majority of the three and fences itself.
        cluster.kill(2)
        try waitFor("the head fenced") { try cluster.counters(0)["replication.fenced"] == 1 }
        head = try stat(cluster, 0)
        assertContains(head, ["FENCED: this member heads the chain but has heard no majority",
                              "head ready no (refusing writes with notEnoughReplicas"])

        // The middle comes back on its data: it learns it was removed and starts rejoining — from the
        // chain's tail, node 2, which is dead but still in the chain (not removed below the minimum): it
        // stays outside, learning, and the head, hearing a majority again, waits for node 2.
        try cluster.start(1)
        try waitFor("the restarted middle outside the chain of epoch 2") {
            let counters = try cluster.counters(1)
            return counters["replication.role"] == 4 && counters["replication.epoch"] == 2
        }
        assertContains(try stat(cluster, 1), ["chain outside, epoch 2", "OUTSIDE THE CHAIN: a committed configuration (epoch 2) removed",
                                              "it is rejoining as the tail", "failover: configuration term"])
        try waitFor("the head waiting for the tail, not fenced") { try cluster.counters(0)["replication.fenced"] == 2 }
        head = try stat(cluster, 0)
        assertContains(head, ["chain head, epoch 2", "head ready no (refusing writes with notEnoughReplicas",
                              "WAITING FOR A MEMBER", "configurations applied since start 1", "minimum length 2"])
        XCTAssertFalse(head.contains("FENCED"), head)

        // The tail returns: the chain 0 -> 2 takes up again, and the middle, learning from it, rejoins as
        // the tail (epoch 3: 0 -> 2 -> 1).
        try cluster.start(2)
        try waitFor("node 1 back in the chain as the tail of epoch 3") {
            let counters = try cluster.counters(1)
            return counters["replication.role"] == 3 && counters["replication.epoch"] == 3
        }
        try waitFor("the head ordering again") { try cluster.counters(0)["leadership.state"] == 1 }
        assertContains(try stat(cluster, 1), ["chain tail, epoch 3"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: cluster.dataDirectory(1) + "/chain-config"))
    }

    /// `baton cluster --failover`: a local chain whose members elect a
    /// configuration leader and commit what is published, and say so in `baton stat`.
    func testClusterCommandWithFailoverRunsAChainWithAConfigurationLeader() throws {
        let root = makeTemporaryDirectory("cluster-failover")
        defer { removeTree(root) }
        var process: NodeProcess?
        var base = 0
        var random = SplitMix64(seed: testSeed(UInt64(getpid()) ^ 0xFA11))
        for _ in 0..<5 where process == nil {
            base = 20_000 + Int(random.next() % 20_000)
            process = try? NodeProcess(arguments: ["cluster", "--nodes", "3", "--failover", "--data", root, "--base-port", String(base), "--threads", "one",
                                                   "--log-level", "warning", "--buffer-size", "8MiB", "--segment-size", "16MiB"],
                                       readyMarker: "node 0 head: clients 127.0.0.1:")
        }
        guard let cluster = process else { return XCTFail("baton cluster --failover did not start on any of 5 base ports") }
        defer { cluster.stop() }
        func counters(_ index: Int) throws -> [String: Int64] {
            let output = try ProcessCluster.baton(["stat", "--data", root + "/node-\(index)", "--compact"]).output
            var values: [String: Int64] = [:]
            for pair in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, let value = Int64(parts[1]) { values[String(parts[0])] = value }
            }
            return values
        }
        try waitFor("a configuration leader every member knows") {
            let leaders = try (0..<3).map { try counters($0)["replication.configuration.leader"] ?? -1 }
            return leaders[0] >= 0 && Set(leaders).count == 1
        }
        let deadline = Date().addingTimeInterval(60)
        _ = try EndToEnd.publish(port: UInt16(base), producerId: 6, count: 1_000, deadline: deadline)
        let replay = try EndToEnd.replay(port: UInt16(base + 2), expected: 1_000, deadline: deadline)
        XCTAssertEqual(replay.problems, [])
        XCTAssertEqual(replay.nextSequence[6], 1_000)
        let tail = try ProcessCluster.baton(["stat", "--data", root + "/node-2"]).output
        assertContains(tail, ["chain tail, epoch 1", "failover: configuration term", "minimum length 2", "no member confirmed failed"])
        cluster.stop()
        XCTAssertEqual(cluster.process.terminationStatus, 0)
    }

    /// A chain member without failover: no failover lines, no failover counters.
    func testStatOfAChainMemberWithoutFailoverShowsNoFailoverLines() throws {
        let cluster = try ProcessCluster(count: 1)
        defer { cluster.shutdown() }
        let text = try stat(cluster, 0)
        assertContains(text, ["chain single, epoch 1", "replication.configuration.term"])
        for absent in ["failover:", "failure detector:", "FENCED", "OUTSIDE", "replication.failover."] {
            XCTAssertFalse(text.contains(absent), "'\(absent)' in:\n\(text)")
        }
    }
}
