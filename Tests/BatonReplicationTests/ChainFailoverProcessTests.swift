import BatonClient
import BatonNet
import BatonTestSupport
import Foundation
import Glibc
import XCTest

/// Three `baton serve` chain members with automatic failover as separate
/// processes, under continuous publishing. In one cluster (node ids are the
/// indexes; chain 0 → 1 → 2 at epoch 1):
///
/// 1. the head (0) is SIGKILLed and not restarted at first: publishing goes on
///    through the new head (the client follows the `notLeader` refusals) in
///    epoch 2; restarted on its data, it rejoins as the tail (epoch 3: 1 → 2 → 0);
/// 2. the middle (2) likewise (epoch 4: 1 → 0, then 5: 1 → 0 → 2);
/// 3. the tail (2) likewise (epoch 6: 1 → 0, then 7: 1 → 0 → 2), but its
///    data folder is emptied before the restart (a lost disk): it starts
///    from the cluster file, learns the configuration from the leader, and
///    rejoins the same way from an empty log;
/// 4. an operator removes the head with `baton admin remove-member` (epoch 8:
///    0 → 2; node 1 runs on, held out, and does not rejoin), then adds it back
///    with `add-member` (epoch 9 releases it, epoch 10: 0 → 2 → 1 once it caught up);
///
/// and all three members end with every acknowledged message delivered
/// once, in order, and identical logs (`log compare`). Each write outage —
/// from the kill to the acknowledgement of the first message offered after
/// it — is printed (not asserted: the machine may be loaded; BENCHMARKS.md
/// has the distribution from `BATON_FAILOVER_ROUNDS`).
///
/// The detector is given 300 + 600 ms here, not the default 100 + 200 ms, so
/// that a loaded CI machine does not remove a healthy member that merely
/// went unscheduled (which would be correct behaviour, but not this test's).
final class ChainFailoverProcessTests: XCTestCase {
    override func setUp() { ignoreSIGPIPE() }

    static let producerId: UInt64 = 41
    static let failoverTable = "[failover]\nenabled = true\nsuspect_after_ms = 300\nconfirm_after_ms = 600"

    func testHeadMiddleAndTailKilledInTurnRejoinAndAnOperatorRemovesAndAddsTheHead() throws {
        let cluster = try ProcessCluster(count: 3, tables: Self.failoverTable)
        defer { cluster.shutdown() }
        let deadline = Date().addingTimeInterval(300)
        try waitForConfigurationLeader(cluster, deadline: deadline)
        let client = try FailoverClient(ports: cluster.clientPorts, deadline: deadline)
        defer { client.publisher.close() }
        var outages: [String] = []
        for (victim, name, epoch) in [(0, "head", 2), (2, "middle", 4), (2, "tail", 6)] {
            let seconds = try killAndRejoin(cluster, client, victim: victim, epochWithout: Int64(epoch),
                                            losingItsDisk: name == "tail", deadline: deadline)
            outages.append("\(name) \(String(format: "%.0f", seconds * 1000))")
        }
        print("chain failover, 3 processes (suspect 300 + confirm 600 ms), one cluster: kill → first ack of a message offered after it, ms: "
              + outages.joined(separator: ", "))

        // An operator takes the head (node 1) out while publishing goes on, and lets it back in.
        let removal = try runWhilePublishing(client, ["admin", "remove-member", "--config", cluster.configPath, "--node", "1"])
        XCTAssertEqual(removal.status, 0, removal.output)
        XCTAssertTrue(removal.output.contains("epoch 8, chain 0 → 2, held out 1"), removal.output)
        try client.publish(untilAcked: client.offered + 10_000)
        let heldOut = try cluster.counters(1)
        XCTAssertEqual(heldOut["replication.role"], 4, "node 1 stays outside")
        XCTAssertEqual(heldOut["replication.epoch"], 8, "and asks nobody to let it join")
        let refused = try ProcessCluster.baton(["admin", "remove-member", "--config", cluster.configPath, "--node", "2"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.output.contains("shorter than its minimum length"), refused.output)
        let addition = try runWhilePublishing(client, ["admin", "add-member", "--config", cluster.configPath, "--node", "1"])
        XCTAssertEqual(addition.status, 0, addition.output)
        XCTAssertTrue(addition.output.contains("joined as the tail: epoch 10, chain 0 → 2 → 1"), addition.output)

        let total = client.offered + 10_000
        try client.publish(untilAcked: total - 1, limit: total)
        client.publisher.close()
        try cluster.verifyEveryMember(producers: [Self.producerId: total], deadline: deadline)
    }

    /// `BATON_FAILOVER_ROUNDS=N` kills the head, the middle and the tail each
    /// on N fresh clusters, and `BATON_FAILOVER_DEFAULTS=1` uses the default
    /// detector timings (100 + 200 ms): the measurement BENCHMARKS.md reports.
    /// (Skipped without `BATON_FAILOVER_ROUNDS`: the test above covers each case.)
    func testKillToFirstAckRounds() throws {
        guard let rounds = ProcessInfo.processInfo.environment["BATON_FAILOVER_ROUNDS"].flatMap(Int.init), rounds > 0 else {
            throw XCTSkip("set BATON_FAILOVER_ROUNDS=N to measure N rounds of each kill on fresh clusters")
        }
        let table = ProcessInfo.processInfo.environment["BATON_FAILOVER_DEFAULTS"] == "1" ? "[failover]\nenabled = true" : Self.failoverTable
        for (victim, name) in [(0, "head"), (1, "middle"), (2, "tail")] {
            var outages: [Double] = []
            for _ in 0..<rounds {
                let cluster = try ProcessCluster(count: 3, tables: table)
                defer { cluster.shutdown() }
                let deadline = Date().addingTimeInterval(240)
                try waitForConfigurationLeader(cluster, deadline: deadline)
                let client = try FailoverClient(ports: cluster.clientPorts, deadline: deadline)
                defer { client.publisher.close() }
                outages.append(try killAndRejoin(cluster, client, victim: victim, epochWithout: 2, deadline: deadline))
                let total = client.offered + 10_000
                try client.publish(untilAcked: total - 1, limit: total)
                client.publisher.close()
                try cluster.verifyEveryMember(producers: [Self.producerId: total], deadline: deadline)
            }
            let sorted = outages.sorted()
            print("chain failover, 3 processes, \(name) SIGKILLed (\(table.contains("suspect") ? "suspect 300 + confirm 600 ms" : "default timings")): "
                  + "kill → first ack of a message offered after it, ms: " + outages.map { String(format: "%.0f", $0 * 1000) }.joined(separator: " ")
                  + String(format: "; median %.0f, max %.0f", sorted[sorted.count / 2] * 1000, sorted.last! * 1000))
        }
    }

    private func waitForConfigurationLeader(_ cluster: ProcessCluster, deadline: Date) throws {
        try waitFor("a configuration leader every member knows", deadline: deadline) {
            let leaders = try (0..<3).map { try cluster.counters($0)["replication.configuration.leader"] ?? -1 }
            return leaders[0] >= 0 && Set(leaders).count == 1
        }
    }

    /// Publishes 20,000 more messages, SIGKILLs `victim` with more in
    /// flight, publishes on until the survivors are in epoch `epochWithout`
    /// and 20,000 more are acknowledged, restarts the victim on its data and
    /// waits for it to rejoin as the tail (epoch + 1). Returns the seconds
    /// from the kill to the first acknowledgement of a message offered after it.
    func killAndRejoin(_ cluster: ProcessCluster, _ client: FailoverClient, victim: Int, epochWithout: Int64,
                       losingItsDisk: Bool = false, deadline: Date) throws -> Double {
        try client.publish(untilAcked: client.offered + 19_999)
        for _ in 0..<300 { try client.step() }  // messages in flight across the kill
        // The outage ends when a message offered after the kill is acknowledged (with the head alive,
        // messages already durable everywhere before the kill may still be acknowledged during it).
        let firstAfterKill = client.offered
        let killed = Date()
        cluster.kill(victim)
        try client.publish(untilAcked: firstAfterKill)
        let seconds = Date().timeIntervalSince(killed)
        let survivors = [0, 1, 2].filter { $0 != victim }
        try waitFor("the survivors in epoch \(epochWithout)", deadline: deadline) {
            try survivors.allSatisfy { try cluster.counters($0)["replication.epoch"] == epochWithout }
        }
        try client.publish(untilAcked: client.offered + 19_999)
        // The killed member comes back on its data (or none): it rejoins as the tail, taking the log again.
        if losingItsDisk {
            removeTree(cluster.dataDirectory(victim))
            XCTAssertEqual(mkdir(cluster.dataDirectory(victim), 0o755), 0)
        }
        try cluster.start(victim)
        try waitFor("node \(victim) back in the chain as the tail of epoch \(epochWithout + 1)", deadline: deadline) {
            let counters = try cluster.counters(victim)
            return counters["replication.role"] == 3 && counters["replication.epoch"] == epochWithout + 1
        }
        return seconds
    }

    /// Runs `baton arguments` while the client keeps publishing; returns its exit status and output.
    private func runWhilePublishing(_ client: FailoverClient, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: NodeProcess.batonBinary)
        process.arguments = arguments
        let output = makeTemporaryDirectory("admin-output") + "/output.txt"
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        while process.isRunning { try client.step() }
        process.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: (output as NSString).deletingLastPathComponent)
        return (process.terminationStatus, text)
    }

    private func waitFor(_ what: String, deadline: Date, _ condition: () throws -> Bool) throws {
        while Date() < deadline {
            if try condition() { return }
            usleep(5_000)  // polling other processes' counters files: nothing to wait on
        }
        throw TestTimeout(what)
    }

    /// One publisher given every member; after a failure it reconnects where
    /// the refusal points (or round-robin), pausing 20 ms after a whole round
    /// failed, and resends what was not acknowledged (payloads are a function
    /// of producer and sequence, so a resend is identical).
    final class FailoverClient {
        let publisher: Publisher
        let deadline: Date
        var reconnector = Reconnector(policy: ReconnectPolicy(attempts: 10_000)) { _ in usleep(20_000) }
        private var next: UInt64 = 0

        init(ports: [UInt16], deadline: Date) throws {
            var configuration = PublisherConfiguration(streamId: 1)
            configuration.producerId = ChainFailoverProcessTests.producerId
            publisher = try Publisher(brokers: ports.map { IPv4SocketAddress.loopback(port: $0) }, configuration: configuration)
            self.deadline = deadline
        }

        var acked: UInt64? { publisher.lastAckedSequence }
        /// Messages offered so far (sequences 0..<offered).
        var offered: UInt64 { next }

        func step(limit: UInt64 = .max) throws {
            if Date() > deadline { throw TestTimeout("publishing at sequence \(next), acked \(acked.map(String.init) ?? "none")") }
            do {
                if next >= limit {
                    if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
                    return
                }
                let result = publisher.offer(length: 100) { buffer, sequence in
                    GeneratedPayload.write(into: buffer, producerId: ChainFailoverProcessTests.producerId, sequence: sequence)
                }
                switch result {
                case .accepted:
                    next += 1
                case .backPressured:
                    if try publisher.poll() == 0 { publisher.waitForIO(timeout: .milliseconds(1)) }
                case let .tooLarge(limit): throw TestTimeout("message above the broker's limit \(limit)")
                case .closed: try recover(publisher.failure ?? .connectionLost(reason: "closed"))
                }
            } catch let error as BatonClientError {
                try recover(error)
            }
        }

        private func recover(_ error: BatonClientError) throws {
            if let final = reconnector.recover(publisher, after: error) { throw final }
        }

        func publish(untilAcked target: UInt64, limit: UInt64 = .max) throws {
            while !(acked.map { $0 >= target } ?? false) {
                let before = acked
                try step(limit: limit)
                if acked != before { reconnector.reset() }
            }
        }
    }
}
