import BatonNet
import BatonNode
import BatonTestSupport
import Foundation
import XCTest

/// `baton admin status --config FILE` over real `baton serve` processes: a
/// chain with failover before and after its middle is SIGKILLed (the table,
/// the summary, `--json`), a Raft cluster's one leader, and a cluster file
/// that is missing, refused, or whose members never ran.
final class AdminStatusProcessTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    /// `baton admin status` of `config`, as printed (exit 0 asserted).
    private func status(_ config: String, json: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try ProcessCluster.baton(["admin", "status", "--config", config] + (json ? ["--json"] : []))
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        return result.output
    }

    /// `--json`, parsed: (members in cluster-file order, summary).
    private func statusJSON(_ config: String) throws -> (members: [[String: Any]], summary: [String: Any]) {
        let text = try status(config, json: true)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        guard let top = object as? [String: Any], let members = top["members"] as? [[String: Any]],
              let summary = top["summary"] as? [String: Any] else {
            throw TestTimeout("admin status --json is not {members, summary}: \(text)")
        }
        return (members, summary)
    }

    /// Polls `admin status --json` until `condition` holds; the last reading, or a failure naming `what` after `seconds`.
    private func waitForStatus(_ config: String, _ what: String, seconds: TimeInterval = 60,
                               _ condition: ([[String: Any]], [String: Any]) -> Bool) throws -> (members: [[String: Any]], summary: [String: Any]) {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let reading = try statusJSON(config)
            if condition(reading.members, reading.summary) { return reading }
            if Date() > deadline { throw TestTimeout("\(what); last status: \(reading.summary)") }
            usleep(50_000)
        }
    }

    private func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }
    private func ints(_ value: Any?) -> [Int]? { (value as? [Any])?.compactMap { int($0) } }

    private func assertContains(_ text: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        for fragment in fragments { XCTAssertTrue(text.contains(fragment), "no '\(fragment)' in:\n\(text)", file: file, line: line) }
    }

    /// The table line of member `id` (it starts with the id).
    private func row(_ text: String, id: Int) -> String {
        text.split(separator: "\n").first { $0.hasPrefix("\(id) ") }.map(String.init) ?? ""
    }

    func testChainWithFailoverBeforeAndAfterTheMiddleIsKilled() throws {
        // The failure timings of FailoverStatProcessTests: the members start one by one.
        let cluster = try ProcessCluster(count: 3, tables: "[failover]\nenabled = true\nsuspect_after_ms = 1000\nconfirm_after_ms = 2000")
        defer { cluster.shutdown() }
        let config = cluster.configPath
        var reading = try waitForStatus(config, "head 0 leading in epoch 1 with a configuration leader every member names") { members, summary in
            int(summary["epoch"]) == 1 && int(summary["head"]) == 0 && summary["headWrites"] as? String == "leading"
                && int(summary["configurationLeader"]) != nil && (summary["warnings"] as? [Any])?.isEmpty == true
                && members.allSatisfy { ($0["failover"] as? [String: Any]).map { int($0["configurationLeader"]) != nil } ?? false }
        }
        XCTAssertEqual(reading.members.map { $0["role"] as? String }, ["head", "middle", "tail"])
        XCTAssertEqual(reading.members.map { int($0["epoch"]) }, [1, 1, 1])
        XCTAssertEqual(reading.members.map { $0["state"] as? String }, ["running", "running", "running"])
        XCTAssertEqual(ints(reading.summary["chain"]), [0, 1, 2])
        XCTAssertEqual(ints(reading.summary["notRunning"]), [])
        let leader = int(reading.summary["configurationLeader"])!
        let leaders = Set(reading.members.compactMap { ($0["failover"] as? [String: Any]).flatMap { int($0["configurationLeader"]) } })
        XCTAssertEqual(leaders, [leader], "one configuration leader")

        // 200 acknowledged messages: every member's commit and durable positions reach the head's.
        _ = try EndToEnd.publish(port: cluster.clientPorts[0], producerId: 3, count: 200, deadline: Date().addingTimeInterval(30))
        reading = try waitForStatus(config, "the commit on every member") { members, _ in
            let durable = members.compactMap { int($0["durable"]) }
            return int(members[0]["commit"]).map { $0 > 0 } == true && durable.count == 3 && Set(durable).count == 1
                && members.allSatisfy { int($0["commit"]) == durable[0] }
        }
        let committed = int(reading.members[0]["commit"])!

        var table = try status(config)
        print(table)
        assertContains(table, ["cluster 77: chain with failover, 3 members", "ID  CLIENT", "CONFIG LEADER",
                               "summary: epoch 1, chain 0 → 1 → 2", "head node 0 leading",
                               "configuration leader node \(leader)", "not running: none"])
        XCTAssertFalse(table.contains("WARNING"), table)
        for (id, role) in [(0, "head"), (1, "middle"), (2, "tail")] {
            assertContains(row(table, id: id), ["127.0.0.1:\(cluster.clientPorts[id])", "running", " \(role) "])
            // ID CLIENT REPLICATION PID STATE ROLE EPOCH WRITES COMMIT DURABLE ...
            let cells = row(table, id: id).split(separator: " ")
            XCTAssertEqual(cells.count > 9 ? [cells[8], cells[9]] : [], ["\(committed)", "\(committed)"], row(table, id: id))
        }

        // The middle dies: the head and the tail commit the chain 0 -> 2 in epoch 2.
        cluster.kill(1)
        // Until the others confirm it failed (seconds), the chain of epoch 1 still holds it, stopped.
        let between = try status(config)
        print(between)
        if between.contains("summary: epoch 1,") {
            assertContains(between, ["chain 0 → 1 (not running) → 2", "not running: node 1"])
        }
        reading = try waitForStatus(config, "epoch 2, chain 0 -> 2, the head leading") { members, summary in
            int(summary["epoch"]) == 2 && ints(summary["chain"]) == [0, 2] && summary["headWrites"] as? String == "leading"
                && int(members[0]["epoch"]) == 2 && int(members[2]["epoch"]) == 2
        }
        XCTAssertEqual(reading.members[1]["state"] as? String, "not running")
        XCTAssertEqual(reading.members[1]["running"] as? Bool, false)
        XCTAssertEqual(ints(reading.summary["notRunning"]), [1])
        XCTAssertEqual(ints(reading.summary["running"]), [0, 2])
        XCTAssertEqual(reading.summary["chainSource"] as? String, "chain-config")
        XCTAssertEqual(reading.members.map { $0["role"] as? String }, ["head", nil, "tail"])
        XCTAssertEqual((reading.members[1]["lastSeen"] as? [String: Any])?["role"] as? String, "middle")
        XCTAssertEqual(reading.summary["warnings"] as? [String], [])

        table = try status(config)
        print(table)
        assertContains(table, ["summary: epoch 2, chain 0 → 2 (as chain-config records it), head node 0 leading", "not running: node 1"])
        assertContains(row(table, id: 1), ["not running", "has exited", "last seen: middle, epoch 1"])
        assertContains(row(table, id: 0), ["running", " head ", " 2 ", "holds failed: node 1"])
        assertContains(row(table, id: 2), ["running", " tail ", " 2 ", "holds failed: node 1"])
    }

    func testRaftClusterShowsOneLeader() throws {
        let cluster = try ProcessCluster(count: 3, replication: "raft")
        defer { cluster.shutdown() }
        let reading = try waitForStatus(cluster.configPath, "one leader every member names, in one term") { members, summary in
            guard let leader = int(summary["leader"]), (summary["warnings"] as? [Any])?.isEmpty == true else { return false }
            return members.allSatisfy { int($0["leader"]) == leader }
        }
        let leader = int(reading.summary["leader"])!
        XCTAssertEqual(reading.members.filter { $0["role"] as? String == "leader" }.compactMap { int($0["id"]) }, [leader])
        XCTAssertEqual(reading.members.filter { $0["role"] as? String == "follower" }.count, 2)
        XCTAssertEqual(Set(reading.members.compactMap { int($0["term"]) }), [int(reading.summary["term"])!])
        let table = try status(cluster.configPath)
        print(table)
        assertContains(table, ["cluster 77: Raft, 3 members", "TERM", "LEADER", "leader node \(leader) (leading)", "not running: none"])
        assertContains(row(table, id: leader), [" leader ", " leading "])
    }

    func testMissingOrRefusedClusterFileFailsAndMembersThatNeverRanAreShownSo() throws {
        let root = makeTemporaryDirectory("admin-status")
        defer { removeTree(root) }
        let missing = try ProcessCluster.baton(["admin", "status", "--config", root + "/absent.toml"])
        XCTAssertEqual(missing.status, 1, missing.output)
        assertContains(missing.output, ["cannot read '\(root)/absent.toml'"])

        let bad = root + "/bad.toml"
        try "cluster_id = 0\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try ProcessCluster.baton(["admin", "status", "--config", bad])
        XCTAssertEqual(refused.status, 1, refused.output)
        assertContains(refused.output, ["cluster_id"])

        // Valid, but nothing ever ran: every member "no counters file", and the command still succeeds.
        let never = root + "/never.toml"
        var text = "cluster_id = 5\n"
        for index in 0..<2 {
            text += "[[member]]\nid = \(index)\nreplication = \"127.0.0.1:\(7600 + index)\"\nclient = \"127.0.0.1:\(7700 + index)\"\ndata = \"node-\(index)\"\n"
        }
        try text.write(toFile: never, atomically: true, encoding: .utf8)
        let table = try status(never)
        assertContains(table, ["no counters file", "no data folder \(root)/node-0", "not running: node 0, node 1", "WARNING: no member is running"])
        try FileManager.default.createDirectory(atPath: root + "/node-1", withIntermediateDirectories: false)
        assertContains(row(try status(never), id: 1), ["no counters file", "never started here"])
        let json = try statusJSON(never)
        XCTAssertEqual(json.members.map { $0["state"] as? String }, ["no counters file", "no counters file"])
        XCTAssertEqual(ints(json.summary["notRunning"]), [0, 1])

        // How a writer's liveness is told: a file this (live) process writes is "running"; the same pid in a
        // file written before this process started (its creation time set back to 1970) is a reused pid.
        let live = try CountersFile(creatingAt: root + "/node-1/counters.dat", capacity: 4)
        try FileManager.default.createDirectory(atPath: root + "/node-0", withIntermediateDirectories: false)
        let stale = try CountersFile(creatingAt: root + "/node-0/counters.dat", capacity: 4)
        let fd = open(root + "/node-0/counters.dat", O_WRONLY)
        var longAgo: Int64 = 1_000_000_000
        XCTAssertEqual(pwrite(fd, &longAgo, 8, 40), 8)
        close(fd)
        let reused = try statusJSON(never)
        XCTAssertEqual(reused.members.map { $0["state"] as? String }, ["not running", "running"])
        XCTAssertEqual(reused.members.map { int($0["pid"]) }, [Int(getpid()), Int(getpid())])
        assertContains(reused.members[0]["detail"] as? String ?? "", ["now belongs to a process started after this counters file was written"])
        withExtendedLifetime((live, stale)) {}
    }

    /// The summary's warnings, from counters files this test writes itself (so its own, live, pid runs them):
    /// two members say they head epoch 2, the third is a tail still in epoch 1.
    func testWarningsWhenMembersDisagreeOnTheEpochAndTheHead() throws {
        let root = makeTemporaryDirectory("admin-status-warn")
        defer { removeTree(root) }
        let config = root + "/cluster.toml"
        var text = "cluster_id = 6\n"
        for index in 0..<3 {
            text += "[[member]]\nid = \(index)\nreplication = \"127.0.0.1:\(7600 + index)\"\nclient = \"127.0.0.1:\(7700 + index)\"\ndata = \"node-\(index)\"\n"
        }
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        var files: [CountersFile] = []
        for (index, role, epoch) in [(0, 1, 2), (1, 1, 2), (2, 3, 1)] as [(Int, Int64, Int64)] {
            try FileManager.default.createDirectory(atPath: root + "/node-\(index)", withIntermediateDirectories: false)
            let file = try CountersFile(creatingAt: root + "/node-\(index)/counters.dat", capacity: 8)
            file.allocate(label: "replication.role").setRelease(role)
            file.allocate(label: "replication.epoch").setRelease(epoch)
            file.allocate(label: "leadership.state").setRelease(role == 1 ? 1 : 2)
            files.append(file)
        }
        let json = try statusJSON(config)
        XCTAssertEqual(json.members.map { $0["role"] as? String }, ["head", "head", "tail"])
        XCTAssertEqual(int(json.summary["epoch"]), 2)
        XCTAssertEqual(json.summary["chainSource"] as? String, "roles")
        XCTAssertEqual(json.summary["warnings"] as? [String], ["members disagree on the epoch (epoch 2: nodes 0, 1; epoch 1: node 2)",
                                                               "more than one member says it heads epoch 2: nodes 0, 1"])
        let table = try status(config)
        assertContains(table, ["summary: epoch 2, chain 0 → 1 (ordered by the members' roles), head node 0 leading",
                               "WARNING: members disagree on the epoch", "WARNING: more than one member says it heads epoch 2"])
        withExtendedLifetime(files) {}
    }
}
