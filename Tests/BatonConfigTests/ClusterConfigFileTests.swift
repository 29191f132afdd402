import BatonTestSupport
import BatonConfig
import BatonLog
import BatonNet
import BatonNode
import BatonReplication
import XCTest

/// The repository's `config/` directory (found from this file's path).
private let configDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // BatonConfigTests/ClusterConfigFileTests.swift, Tests
    return parts.joined(separator: "/") + "/config"
}()

/// A member table with the given values (defaults make member `index` of a valid chain).
private func member(_ index: Int, id: String? = nil, replication: String? = nil, client: String? = nil,
                    data: String? = nil, extra: String = "") -> String {
    """
    [[member]]
    id = \(id ?? String(index))
    replication = \(replication ?? "\"127.0.0.1:\(7500 + index)\"")
    client = \(client ?? "\"127.0.0.1:\(7400 + index)\"")
    data = \(data ?? "\"data/node-\(index)\"")
    \(extra)

    """
}

/// A valid three-member file, with `top` added at the top and `tail` at the end.
private func cluster(top: String = "", members: String? = nil, tail: String = "") -> String {
    "cluster_id = 7\n\(top)\n" + (members ?? (member(0) + member(1) + member(2))) + tail
}

/// `--config FILE` for a cluster: parsing, strict validation, member lookup.
final class ClusterConfigFileTests: XCTestCase {
    static let everyKey = """
        cluster_id = 9_000_000_000
        epoch = 4
        replication = "raft"

        [[member]]
        id = 10
        replication = "10.0.0.1:7500"
        client = "10.0.0.1:7400"
        data = "/var/lib/baton/a"

        [[member]]
        id = 11
        replication = "localhost:7501"
        client = "0.0.0.0:7401"
        data = "b"

        [[member]]
        id = 12
        replication = "10.0.0.3:7502"
        client = "10.0.0.3:7402"
        data = "c"

        [udp]
        batch = 32
        mtu = 9000
        socket_buffer_bytes = 8_388_608
        receiver_window_bytes = 2_097_152
        nak_delay_us = 250
        heartbeat_interval_ms = 20

        [raft]
        election_timeout_min_ms = 400
        election_timeout_max_ms = 900

        [log]
        retention_bytes = 1_073_741_824
        retention_ms = 3_600_000
        """

    func testParsesEveryKey() throws {
        let file = try ClusterConfigFile(parsing: Self.everyKey)
        XCTAssertEqual(file.clusterId, 9_000_000_000)
        XCTAssertEqual(file.epoch, 4)
        XCTAssertEqual(file.replication, .raft)
        XCTAssertEqual(file.members, [
            .init(id: 10, replication: HostAndPort(host: "10.0.0.1", port: 7500), client: HostAndPort(host: "10.0.0.1", port: 7400),
                  data: "/var/lib/baton/a"),
            .init(id: 11, replication: HostAndPort(host: "localhost", port: 7501), client: HostAndPort(host: "0.0.0.0", port: 7401),
                  data: "b"),
            .init(id: 12, replication: HostAndPort(host: "10.0.0.3", port: 7502), client: HostAndPort(host: "10.0.0.3", port: 7402),
                  data: "c"),
        ])
        XCTAssertEqual(file.udp, .init(batch: 32, mtu: 9000, socketBufferBytes: 8 << 20, receiverWindowBytes: 2 << 20,
                                       nakDelayMicros: 250, heartbeatIntervalMillis: 20))
        XCTAssertEqual(file.raft, .init(electionTimeoutMinimumMillis: 400, electionTimeoutMaximumMillis: 900))
        XCTAssertEqual(file.log, .init(retentionBytes: 1 << 30, retentionMillis: 3_600_000))
    }

    /// `[log]` reaches every member's log configuration; without it, everything is kept.
    func testLogRetentionReachesEveryMember() throws {
        let file = try ClusterConfigFile(parsing: Self.everyKey)
        for id in [UInt32(10), 11, 12] {
            var configuration = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: LogConfiguration(directory: "/tmp"))
            try file.apply(nodeId: id, to: &configuration)
            XCTAssertEqual(configuration.log.retention.maximumBytes, 1 << 30)
            XCTAssertEqual(configuration.log.retention.maximumAgeNanos, 3_600_000_000_000)
        }
        var plain = NodeConfiguration(listen: HostAndPort(host: "127.0.0.1", port: 0), log: LogConfiguration(directory: "/tmp"))
        try ClusterConfigFile(parsing: cluster()).apply(nodeId: 0, to: &plain)
        XCTAssertEqual(plain.log.retention, .keepEverything)
        assertConfigError(try ClusterConfigFile(parsing: cluster() + "\n[log]\nretention_ms = 0\n"),
                          mentions: ["log.retention_ms", "0"])
        assertConfigError(try ClusterConfigFile(parsing: cluster() + "\n[log]\nretention = 5\n"),
                          mentions: ["log.retention", "unknown key", "retention_bytes"])
        var built = try ClusterConfigFile(parsing: cluster())
        built.log.retentionBytes = 0
        assertConfigError(try built.validate(), mentions: ["log.retention_bytes", "0"])
    }

    func testRoundTripsThroughText() throws {
        let file = try ClusterConfigFile(parsing: Self.everyKey)
        XCTAssertEqual(try ClusterConfigFile(parsing: file.tomlText), file)
        let minimal = try ClusterConfigFile(parsing: cluster(members: member(0, data: "\"odd \\\"dir\\\"\\\\x\"")))
        XCTAssertEqual(minimal.members[0].data, "odd \"dir\"\\x")
        XCTAssertFalse(minimal.tomlText.contains("[udp]"))
        XCTAssertEqual(try ClusterConfigFile(parsing: minimal.tomlText), minimal)
    }

    func testDefaults() throws {
        let file = try ClusterConfigFile(parsing: cluster())
        XCTAssertEqual(file.epoch, 1)
        XCTAssertEqual(file.replication, .chain)
        XCTAssertEqual(file.udp, ClusterConfigFile.UDP())
        XCTAssertNil(file.raft)
        XCTAssertEqual(file.members.map(\.id), [0, 1, 2])
        XCTAssertEqual(file.members.map(\.data), ["data/node-0", "data/node-1", "data/node-2"])
    }

    func testInlineMemberTablesAreAccepted() throws {
        let file = try ClusterConfigFile(parsing: """
            cluster_id = 1
            member = [{ id = 3, replication = "127.0.0.1:7500", client = "127.0.0.1:7400", data = "d" },
                      { id = 4, replication = "127.0.0.1:7501", client = "127.0.0.1:7401", data = "e" }]
            """)
        XCTAssertEqual(file.members.map(\.id), [3, 4])
        XCTAssertEqual(file.members.map(\.data), ["d", "e"])
        assertConfigError(try ClusterConfigFile(parsing: """
            cluster_id = 1
            member = [{ id = 3, replication = "127.0.0.1:7500", client = "127.0.0.1:7400", data = { path = "d" } }]
            """), mentions: ["config key 'member[0].data'", "(table)", "directory path"])
    }

    func testShippedExampleLoads() throws {
        let file = try ClusterConfigFile.load(path: configDirectory + "/cluster-3.toml")
        XCTAssertEqual(file.clusterId, 7)
        XCTAssertEqual(file.epoch, 1)
        XCTAssertEqual(file.replication, .chain)
        XCTAssertEqual(file.members.map(\.id), [0, 1, 2])
        XCTAssertEqual(file.members.map(\.client.port), [7400, 7401, 7402])
        XCTAssertEqual(file.members.map(\.replication.port), [7500, 7501, 7502])
        XCTAssertEqual(file.members.map(\.data), (0..<3).map { configDirectory + "/../data/node-\($0)" })
        XCTAssertEqual(file.udp, .init(batch: 64, mtu: 1472, socketBufferBytes: 4 << 20, receiverWindowBytes: 4 << 20,
                                       nakDelayMicros: 100, heartbeatIntervalMillis: 10))
    }

    func testShippedRaftExampleLoads() throws {
        let file = try ClusterConfigFile.load(path: configDirectory + "/cluster-raft-3.toml")
        XCTAssertEqual(file.replication, .raft)
        XCTAssertEqual(file.members.map(\.id), [0, 1, 2])
        XCTAssertEqual(file.members.map(\.client.port), [7410, 7411, 7412])
        XCTAssertEqual(file.members.map(\.replication.port), [7510, 7511, 7512])
        XCTAssertEqual(file.raft, .init(electionTimeoutMinimumMillis: 150, electionTimeoutMaximumMillis: 300))
        let replication = try file.replicationConfiguration(nodeId: 2)
        XCTAssertEqual(replication.mode, .raft)
        XCTAssertEqual(replication.nodeId, 2)
        XCTAssertEqual(replication.electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(replication.electionTimeoutMaximumNanos, 300_000_000)
    }

    func testEveryKeyOfTheShippedExamplesIsAKeyOfTheFormat() throws {
        // The examples list every key: each format key appears in one of them (as `key =` or `[table]`).
        let chain = try XCTUnwrap(readSmallFile(configDirectory + "/cluster-3.toml"))
        let raft = try XCTUnwrap(readSmallFile(configDirectory + "/cluster-raft-3.toml"))
        for key in ClusterConfigFile.keys {
            let spelled = ["member": "[[member]]", "udp": "[udp]", "raft": "[raft]", "log": "[log]", "failover": "[failover]"][key] ?? "\n\(key) = "
            XCTAssertTrue(chain.contains(spelled) || raft.contains(spelled), "no example names '\(key)'")
        }
        for key in ClusterConfigFile.Member.keys + ClusterConfigFile.UDP.keys + ClusterConfigFile.Log.keys {
            XCTAssertTrue(chain.contains("\n\(key) = ") && raft.contains("\n\(key) = "), "an example lacks '\(key)'")
        }
        for key in ClusterConfigFile.Raft.keys { XCTAssertTrue(raft.contains("\n\(key) = "), "the Raft example lacks '\(key)'") }
        for key in ClusterConfigFile.Failover.keys { XCTAssertTrue(chain.contains("\n\(key) = "), "the chain example lacks failover '\(key)'") }
    }

    /// Every `*.toml` shipped in `config/` loads (the examples a reader copies
    /// must not rot), and the list holds the three documented ones.
    func testEveryShippedClusterFileLoads() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: configDirectory).filter { $0.hasSuffix(".toml") }.sorted()
        XCTAssertTrue(Set(["cluster-3.toml", "cluster-raft-3.toml", "cluster-3-failover.toml"]).isSubset(of: Set(names)), "\(names)")
        for name in names {
            let file: ClusterConfigFile
            do { file = try ClusterConfigFile.load(path: configDirectory + "/" + name) } catch {
                XCTFail("\(name): \(error)")
                continue
            }
            for member in file.members {
                XCTAssertNoThrow(try file.replicationConfiguration(nodeId: member.id), "\(name) member \(member.id)")
            }
        }
    }

    /// The failover example: a chain with failover on at every default, on
    /// ports and folders of its own; the plain chain example has the table
    /// with every key, switched off.
    func testShippedFailoverExampleLoads() throws {
        let file = try ClusterConfigFile.load(path: configDirectory + "/cluster-3-failover.toml")
        XCTAssertEqual(file.replication, .chain)
        XCTAssertEqual(file.members.map(\.id), [0, 1, 2])
        XCTAssertEqual(file.members.map(\.client.port), [7410, 7411, 7412])
        XCTAssertEqual(file.members.map(\.replication.port), [7510, 7511, 7512])
        XCTAssertEqual(file.members.map(\.data), (0..<3).map { configDirectory + "/../data/failover-node-\($0)" })
        XCTAssertTrue(file.failoverEnabled)
        let replication = try file.replicationConfiguration(nodeId: 1)
        XCTAssertEqual(replication.failover, ChainFailoverConfiguration(), "the example spells out the defaults")
        XCTAssertEqual(replication.electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(replication.electionTimeoutMaximumNanos, 300_000_000)

        let plain = try ClusterConfigFile.load(path: configDirectory + "/cluster-3.toml")
        XCTAssertEqual(plain.failover?.enabled, false)
        XCTAssertFalse(plain.failoverEnabled)
        XCTAssertNil(try plain.replicationConfiguration(nodeId: 0).failover, "enabled = false: a static chain")
        var switchedOn = plain
        switchedOn.failover?.enabled = true
        XCTAssertEqual(try switchedOn.replicationConfiguration(nodeId: 0).failover, ChainFailoverConfiguration(),
                       "the plain example's values are the defaults")
    }

    func testFailoverKeysReachTheReplicationConfiguration() throws {
        let file = try ClusterConfigFile(parsing: cluster(tail: """
            [udp]
            heartbeat_interval_ms = 5

            [failover]
            enabled = true
            minimum_length = 3
            probe_interval_ms = 7
            suspect_after_ms = 250
            confirm_after_ms = 400
            indirect_probes = 1
            election_timeout_min_ms = 60
            election_timeout_max_ms = 140
            """))
        XCTAssertEqual(file.failover, .init(enabled: true, minimumLength: 3, probeIntervalMillis: 7, suspectAfterMillis: 250,
                                            confirmAfterMillis: 400, indirectProbes: 1, electionTimeoutMinimumMillis: 60,
                                            electionTimeoutMaximumMillis: 140))
        let replication = try file.replicationConfiguration(nodeId: 2)
        XCTAssertEqual(replication.mode, .chain)
        XCTAssertEqual(replication.failover, ChainFailoverConfiguration(
            minimumLength: 3,
            detector: FailureDetectorConfiguration(probeIntervalNanos: 7_000_000, suspectAfterNanos: 250_000_000,
                                                   indirectProbeCount: 1, confirmAfterNanos: 400_000_000)))
        XCTAssertEqual(replication.electionTimeoutMinimumNanos, 60_000_000)
        XCTAssertEqual(replication.electionTimeoutMaximumNanos, 140_000_000)
        XCTAssertEqual(replication.heartbeatIntervalNanos, 5_000_000)
        XCTAssertEqual(try ClusterConfigFile(parsing: file.tomlText), file)

        // An empty table turns failover on with every default; the probe interval is the heartbeat in effect.
        let empty = try ClusterConfigFile(parsing: cluster(tail: "[udp]\nheartbeat_interval_ms = 20\n\n[failover]\n"))
        XCTAssertEqual(empty.failover, .init(enabled: true))
        XCTAssertTrue(empty.failoverEnabled)
        let defaults = try XCTUnwrap(try empty.replicationConfiguration(nodeId: 0).failover)
        XCTAssertEqual(defaults.minimumLength, 2)
        XCTAssertEqual(defaults.detector.probeIntervalNanos, 20_000_000)
        XCTAssertEqual(defaults.detector.suspectAfterNanos, 100_000_000)
        XCTAssertEqual(defaults.detector.confirmAfterNanos, 200_000_000)
        XCTAssertEqual(defaults.detector.indirectProbeCount, 2)
        XCTAssertEqual(try empty.replicationConfiguration(nodeId: 0).electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(try empty.replicationConfiguration(nodeId: 0).electionTimeoutMaximumNanos, 300_000_000)
        XCTAssertEqual(try ClusterConfigFile(parsing: empty.tomlText), empty)
        XCTAssertTrue(empty.tomlText.contains("[failover]\nenabled = true\n"), empty.tomlText)
        XCTAssertEqual(try ClusterConfigFile(parsing: cluster(tail: "[failover]\n")).replicationConfiguration(nodeId: 0).failover?
                           .detector.probeIntervalNanos, 10_000_000, "the default heartbeat")

        // No table, or enabled = false: a static chain (the disabled table is kept and written back).
        let none = try ClusterConfigFile(parsing: cluster())
        XCTAssertNil(none.failover)
        XCTAssertNil(try none.replicationConfiguration(nodeId: 0).failover)
        XCTAssertFalse(none.tomlText.contains("[failover]"))
        let off = try ClusterConfigFile(parsing: cluster(tail: "[failover]\nenabled = false\nminimum_length = 3\n"))
        XCTAssertEqual(off.failover, .init(enabled: false, minimumLength: 3))
        XCTAssertFalse(off.failoverEnabled)
        let offReplication = try off.replicationConfiguration(nodeId: 0)
        XCTAssertNil(offReplication.failover)
        XCTAssertEqual(offReplication.electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(try ClusterConfigFile(parsing: off.tomlText), off)

        // baton cluster --failover: the local cluster with an enabled table.
        let local = ClusterConfigFile.localCluster(nodes: 3, basePort: 7400, dataDirectory: "d", failover: .init())
        XCTAssertNoThrow(try local.validate())
        XCTAssertEqual(try local.replicationConfiguration(nodeId: 1).failover, ChainFailoverConfiguration())
    }

    func testAFailoverTableInARaftFileIsRefused() {
        let raft = "replication = \"raft\""
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, tail: "[failover]\nminimum_length = 2\n")),
                          mentions: ["config key 'failover'", "a [failover] table in a Raft file", "replication = \"chain\"",
                                     "remove the table"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, tail: "[failover]\nenabled = false\n")),
                          mentions: ["config key 'failover'", "Raft file"])
        let built = ClusterConfigFile.localCluster(nodes: 3, basePort: 7400, dataDirectory: "d", replication: .raft, failover: .init())
        assertConfigError(try built.validate(), mentions: ["config key 'failover'", "Raft file"])
    }

    func testFailoverValuesOutOfRangeOrInconsistent() {
        let cases: [(String, [String])] = [
            ("enabled = 1\n", ["config key 'failover.enabled'", "1 (integer)", "true or false"]),
            ("minimum_length = 0\n", ["config key 'failover.minimum_length'", "0 is not allowed", "1...16"]),
            ("minimum_length = 17\n", ["config key 'failover.minimum_length'", "17", "1...16"]),
            ("minimum_length = \"two\"\n", ["config key 'failover.minimum_length'", "\"two\" (string)", "an integer in 1...16"]),
            ("probe_interval_ms = 0\n", ["config key 'failover.probe_interval_ms'", "0", "1...10000"]),
            ("suspect_after_ms = 60001\n", ["config key 'failover.suspect_after_ms'", "60001", "3...60000"]),
            ("confirm_after_ms = 2\n", ["config key 'failover.confirm_after_ms'", "2", "3...60000"]),
            ("indirect_probes = 0\n", ["config key 'failover.indirect_probes'", "0", "1...15"]),
            ("indirect_probes = 16\n", ["config key 'failover.indirect_probes'", "16", "1...15"]),
            ("election_timeout_min_ms = 2\n", ["config key 'failover.election_timeout_min_ms'", "2", "3...60000"]),
            ("election_timeout_max_ms = 120001\n", ["config key 'failover.election_timeout_max_ms'", "120001", "3...120000"]),
            ("suspect_ms = 100\n", ["config key 'failover.suspect_ms'", "unknown key", "failover.enabled, failover.minimum_length",
                                     "failover.election_timeout_max_ms"]),
            // The rules between keys and against the rest of the file.
            ("minimum_length = 4\n", ["config key 'failover.minimum_length'", "4 is more than the 3 [[member]] tables",
                                      "notEnoughReplicas", "at most 3"]),
            ("probe_interval_ms = 50\n", ["config key 'failover.suspect_after_ms'", "the default 100 ms is less than 3 probe intervals",
                                          "failover.probe_interval_ms = 50", "at least 150"]),
            ("suspect_after_ms = 20\n", ["config key 'failover.suspect_after_ms'", "20 ms is less than 3 probe intervals",
                                         "by default udp.heartbeat_interval_ms, = 10", "at least 30"]),
            ("confirm_after_ms = 29\n", ["config key 'failover.confirm_after_ms'", "29 ms", "at least 30"]),
            ("election_timeout_min_ms = 20\n", ["config key 'failover.election_timeout_min_ms'", "20 ms is less than 3 heartbeat intervals",
                                                "heartbeat_interval_ms = 10", "at least 30"]),
            ("election_timeout_min_ms = 400\n", ["config key 'failover.election_timeout_max_ms'",
                                                 "the default 300 ms is below election_timeout_min_ms = 400"]),
            ("election_timeout_min_ms = 200\nelection_timeout_max_ms = 100\n",
             ["config key 'failover.election_timeout_max_ms'", "100 ms is below election_timeout_min_ms = 200"]),
        ]
        for (keys, fragments) in cases {
            assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[failover]\n" + keys)), mentions: fragments)
        }
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: "failover = true")),
                          mentions: ["config key 'failover'", "true (boolean)", "a table [failover]"])
        // A heartbeat of 50 ms makes the default probe interval 50 and the default suspicion (100 ms) too short.
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[udp]\nheartbeat_interval_ms = 50\n\n[failover]\n")),
                          mentions: ["config key 'failover.suspect_after_ms'", "the default 100 ms", "udp.heartbeat_interval_ms, = 50"])
        // One member: the default minimum length (2) is more than the chain.
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0), tail: "[failover]\n")),
                          mentions: ["config key 'failover.minimum_length'", "the default 2 is more than the 1 [[member]] table of",
                                     "at most 1"])
        XCTAssertNoThrow(try ClusterConfigFile(parsing: cluster(members: member(0), tail: "[failover]\nminimum_length = 1\n")))
        // A disabled table is checked key by key, not against the rest of the file.
        XCTAssertNoThrow(try ClusterConfigFile(parsing: cluster(tail: "[failover]\nenabled = false\nminimum_length = 4\nsuspect_after_ms = 20\n")))
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[failover]\nenabled = false\nminimum_length = 17\n")),
                          mentions: ["config key 'failover.minimum_length'", "17", "1...16"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[failover]\nenabled = false\nelection_timeout_max_ms = 0\n")),
                          mentions: ["config key 'failover.election_timeout_max_ms'", "0", "3...120000"])
        // Built in code: the same checks.
        var built = ClusterConfigFile.localCluster(nodes: 3, basePort: 7400, dataDirectory: "d", failover: .init(indirectProbes: 0))
        assertConfigError(try built.validate(), mentions: ["config key 'failover.indirect_probes'", "0", "1...15"])
        built.failover = .init(electionTimeoutMinimumMillis: 70_000)
        assertConfigError(try built.validate(), mentions: ["config key 'failover.election_timeout_min_ms'", "70000", "3...60000"])
        built.failover = .init(minimumLength: 3, suspectAfterMillis: 30, confirmAfterMillis: 30)
        XCTAssertNoThrow(try built.validate())
    }

    func testRaftTimeoutsReachTheReplicationConfiguration() throws {
        let file = try ClusterConfigFile(parsing: Self.everyKey)
        let replication = try file.replicationConfiguration(nodeId: 11)
        XCTAssertEqual(replication.mode, .raft)
        XCTAssertEqual(replication.members.map(\.nodeId), [10, 11, 12])
        XCTAssertEqual(replication.electionTimeoutMinimumNanos, 400_000_000)
        XCTAssertEqual(replication.electionTimeoutMaximumNanos, 900_000_000)
        XCTAssertEqual(replication.heartbeatIntervalNanos, 20_000_000)
        // Without a [raft] table the replication layer's defaults stay.
        let plain = try ClusterConfigFile(parsing: cluster(top: "replication = \"raft\""))
        XCTAssertNil(plain.raft)
        let defaults = try plain.replicationConfiguration(nodeId: 0)
        XCTAssertEqual(defaults.electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(defaults.electionTimeoutMaximumNanos, 300_000_000)
        // One key alone: the other keeps its default.
        let onlyMax = try ClusterConfigFile(parsing: cluster(top: "replication = \"raft\"", tail: "[raft]\nelection_timeout_max_ms = 1000\n"))
        XCTAssertEqual(try onlyMax.replicationConfiguration(nodeId: 1).electionTimeoutMinimumNanos, 150_000_000)
        XCTAssertEqual(try onlyMax.replicationConfiguration(nodeId: 1).electionTimeoutMaximumNanos, 1_000_000_000)
        XCTAssertEqual(try ClusterConfigFile(parsing: onlyMax.tomlText), onlyMax)
    }

    func testARaftTableInAChainFileIsRefused() {
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[raft]\nelection_timeout_min_ms = 200\n")),
                          mentions: ["config key 'raft'", "a [raft] table in a chain file", "replication = \"raft\""])
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: "replication = \"chain\"", tail: "[raft]\n")),
                          mentions: ["config key 'raft'", "chain file"])
        let address = { (port: UInt16) in HostAndPort(host: "127.0.0.1", port: port) }
        let file = ClusterConfigFile(clusterId: 3, members: [.init(id: 0, replication: address(7500), client: address(7400), data: "a")],
                                     raft: .init(electionTimeoutMinimumMillis: 200))
        assertConfigError(try file.validate(), mentions: ["config key 'raft'", "chain file"])
    }

    func testARaftFileNeedsAnOddMemberCountOfAtMostSeven() throws {
        let raft = "replication = \"raft\""
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, members: member(0) + member(1))),
                          mentions: ["config key 'member'", "2 [[member]] tables", "an odd number", "at most 7", "replication = \"raft\""])
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, members: (0..<4).map { member($0) }.joined())),
                          mentions: ["config key 'member'", "4 [[member]] tables", "an odd number"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, members: (0..<9).map { member($0) }.joined())),
                          mentions: ["config key 'member'", "9 [[member]] tables", "at most 7"])
        for count in [1, 3, 5, 7] {
            XCTAssertEqual(try ClusterConfigFile(parsing: cluster(top: raft, members: (0..<count).map { member($0) }.joined())).members.count,
                           count)
        }
        // A chain has no such rule.
        XCTAssertEqual(try ClusterConfigFile(parsing: cluster(members: member(0) + member(1))).members.count, 2)
        var built = ClusterConfigFile.localCluster(nodes: 4, basePort: 7400, dataDirectory: "d", replication: .raft)
        assertConfigError(try built.validate(), mentions: ["config key 'member'", "4 [[member]] tables"])
        built = ClusterConfigFile.localCluster(nodes: 3, basePort: 7400, dataDirectory: "d", replication: .raft)
        XCTAssertNoThrow(try built.validate())
        XCTAssertEqual(try built.replicationConfiguration(nodeId: 1).mode, .raft)
    }

    func testRaftTimeoutsOutOfRangeOrInconsistent() {
        let raft = "replication = \"raft\""
        let cases: [(String, [String])] = [
            ("[raft]\nelection_timeout_min_ms = 2\n", ["config key 'raft.election_timeout_min_ms'", "2 is not allowed", "3...60000"]),
            ("[raft]\nelection_timeout_min_ms = 60001\n", ["config key 'raft.election_timeout_min_ms'", "60001", "3...60000"]),
            ("[raft]\nelection_timeout_max_ms = 120001\n", ["config key 'raft.election_timeout_max_ms'", "120001", "3...120000"]),
            ("[raft]\nelection_timeout_min_ms = 200\nelection_timeout_max_ms = 100\n",
             ["config key 'raft.election_timeout_max_ms'", "100 ms is below election_timeout_min_ms = 200"]),
            ("[raft]\nelection_timeout_min_ms = 400\n",
             ["config key 'raft.election_timeout_max_ms'", "the default 300 ms is below election_timeout_min_ms = 400"]),
            ("[raft]\nelection_timeout_min_ms = 20\n",
             ["config key 'raft.election_timeout_min_ms'", "20 ms is less than 3 heartbeat intervals", "heartbeat_interval_ms = 10",
              "at least 30"]),
            ("[udp]\nheartbeat_interval_ms = 100\n",
             ["config key 'raft.election_timeout_min_ms'", "the default 150 ms is less than 3 heartbeat intervals", "at least 300"]),
            ("[raft]\nelection_timeout_min_ms = \"fast\"\n", ["config key 'raft.election_timeout_min_ms'", "(string)", "an integer"]),
            ("[raft]\nelection_timeout_ms = 100\n",
             ["config key 'raft.election_timeout_ms'", "unknown key", "raft.election_timeout_min_ms, raft.election_timeout_max_ms"]),
        ]
        for (tail, fragments) in cases {
            assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft, tail: tail)), mentions: fragments)
        }
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: raft + "\nraft = 5")),
                          mentions: ["config key 'raft'", "5 (integer)", "a table [raft]"])
    }

    func testRelativeDataIsResolvedAgainstTheFilesDirectory() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        writeFile(directory + "/cluster.toml", cluster(members: member(0, data: "\"node-0\"") + member(1, data: "\"/srv/node-1\"")))
        let file = try ClusterConfigFile.load(path: directory + "/cluster.toml")
        XCTAssertEqual(file.members.map(\.data), [directory + "/node-0", "/srv/node-1"])
        // Parsed from text with no base directory, a relative path stays as written.
        XCTAssertEqual(try ClusterConfigFile(parsing: cluster()).members[0].data, "data/node-0")
        XCTAssertEqual(try ClusterConfigFile(parsing: cluster(), relativeTo: "/etc/baton").members[0].data, "/etc/baton/data/node-0")
        assertConfigError(try ClusterConfigFile.load(path: directory + "/missing.toml"), mentions: ["missing.toml", "cannot read"])
    }

    func testMemberLookup() throws {
        let file = try ClusterConfigFile(parsing: cluster(members: member(0, id: "5") + member(1, id: "3") + member(2, id: "9")))
        let (index, found) = try file.member(id: 3)
        XCTAssertEqual(index, 1)
        XCTAssertEqual(found.client, HostAndPort(host: "127.0.0.1", port: 7401))
        XCTAssertEqual(try file.member(id: 9).index, 2)
        assertConfigError(try file.member(id: 4),
                          mentions: ["config key 'member.id'", "no member has id 4", "--node 4", "the ids in this file are 5, 3, 9"])
    }

    func testUnknownKeysAreRefusedEverywhere() {
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: "node_id = 1")),
                          mentions: ["config key 'node_id'", "unknown key", "allowed: cluster_id, epoch, replication, member, udp, raft"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0) + member(1, extra: "listen = \"127.0.0.1:1\""))),
                          mentions: ["config key 'member[1].listen'", "unknown key",
                                     "member[1].id, member[1].replication, member[1].client, member[1].data"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[udp]\nbatch = 8\nbatch_size = 8\n")),
                          mentions: ["config key 'udp.batch_size'", "unknown key", "udp.batch, udp.mtu", "udp.heartbeat_interval_ms"])
    }

    func testDuplicatesNameTheKeyTheValueAndBothMembers() {
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0) + member(1) + member(2, id: "0"))),
                          mentions: ["config key 'member[2].id'", "0 is also the id of member[0]"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0) + member(1, replication: "\"localhost:7500\""))),
                          mentions: ["config key 'member[1].replication'", "\"localhost:7500\"", "replication address of member[0]"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0) + member(1) + member(2, client: "\"127.0.0.1:7401\""))),
                          mentions: ["config key 'member[2].client'", "\"127.0.0.1:7401\" is also the client address of member[1]"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, data: "\"./data//n/\"") + member(1, data: "\"data/n\""))),
                          mentions: ["config key 'member[1].data'", "\"data/n\" is also the data directory of member[0]"])
    }

    func testMissingMembersAndKeys() {
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = 7\n"),
                          mentions: ["config key 'member'", "missing", "1 to 16 [[member]] tables", "required"])
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = 7\nmember = []\n"),
                          mentions: ["config key 'member'", "0 [[member]] tables", "1 to 16"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: "[member]\nid = 0\n")),
                          mentions: ["config key 'member'", "(table)", "double brackets"])
        assertConfigError(try ClusterConfigFile(parsing: member(0)),
                          mentions: ["config key 'cluster_id'", "missing", "1...9223372036854775807", "required"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: "[[member]]\nid = 0\nreplication = \"127.0.0.1:1\"\ndata = \"d\"\n")),
                          mentions: ["config key 'member[0].client'", "missing", "HOST:PORT", "required"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, data: "\"\""))),
                          mentions: ["config key 'member[0].data'", "\"\"", "non-empty directory path"])
        let seventeen = (0..<17).map { member($0) }.joined()
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: seventeen)),
                          mentions: ["config key 'member'", "17 [[member]] tables", "1 to 16"])
    }

    func testBadAddresses() {
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, replication: "\"127.0.0.1\""))),
                          mentions: ["config key 'member[0].replication'", "\"127.0.0.1\"", "HOST:PORT", "has no port"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, client: "\"node-a.example:7400\""))),
                          mentions: ["config key 'member[0].client'", "\"node-a.example:7400\"", "not an IPv4 dotted quad"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, client: "\"127.0.0.1:70000\""))),
                          mentions: ["config key 'member[0].client'", "\"127.0.0.1:70000\"", "invalid port"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, replication: "\"127.0.0.1:0\""))),
                          mentions: ["config key 'member[0].replication'", "\"127.0.0.1:0\"", "port 0"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, client: "7400"))),
                          mentions: ["config key 'member[0].client'", "7400 (integer)", "HOST:PORT"])
    }

    func testOutOfRangeValues() {
        let cases: [(String, String, [String])] = [
            ("cluster_id = 0\n", "", ["config key 'cluster_id'", "0 is not allowed", "1...9223372036854775807"]),
            ("cluster_id = 7\nepoch = 0\n", "", ["config key 'epoch'", "0 is not allowed", "1...4294967295"]),
            ("cluster_id = 7\nepoch = 4294967296\n", "", ["config key 'epoch'", "4294967296", "1...4294967295"]),
            ("cluster_id = 7\nreplication = \"paxos\"\n", "", ["config key 'replication'", "\"paxos\"", "\"chain\" | \"raft\""]),
            ("cluster_id = 7\n", "[udp]\nbatch = 2000\n", ["config key 'udp.batch'", "2000", "1...1024"]),
            ("cluster_id = 7\n", "[udp]\nmtu = 100\n", ["config key 'udp.mtu'", "100", "576...65507"]),
            ("cluster_id = 7\n", "[udp]\nsocket_buffer_bytes = 1024\n", ["config key 'udp.socket_buffer_bytes'", "1024", "65536...1073741824"]),
            ("cluster_id = 7\n", "[udp]\nreceiver_window_bytes = 2147483648\n", ["config key 'udp.receiver_window_bytes'", "2147483648", "65536...1073741824"]),
            ("cluster_id = 7\n", "[udp]\nnak_delay_us = 0\n", ["config key 'udp.nak_delay_us'", "0", "1...1000000"]),
            ("cluster_id = 7\n", "[udp]\nheartbeat_interval_ms = 10001\n", ["config key 'udp.heartbeat_interval_ms'", "10001", "1...10000"]),
        ]
        for (top, tail, fragments) in cases {
            assertConfigError(try ClusterConfigFile(parsing: top + member(0) + tail), mentions: fragments)
        }
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, id: "-1"))),
                          mentions: ["config key 'member[0].id'", "-1", "0...4294967295"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, id: "4294967296"))),
                          mentions: ["config key 'member[0].id'", "4294967296", "0...4294967295"])
    }

    func testWrongTypes() {
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = \"7\"\n" + member(0)),
                          mentions: ["config key 'cluster_id'", "\"7\" (string)", "an integer"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(members: member(0, id: "\"zero\""))),
                          mentions: ["config key 'member[0].id'", "\"zero\" (string)", "an integer"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(top: "udp = 5")),
                          mentions: ["config key 'udp'", "5 (integer)", "a table [udp]"])
        assertConfigError(try ClusterConfigFile(parsing: cluster(tail: "[udp]\nmtu = 1500.0\n")),
                          mentions: ["config key 'udp.mtu'", "(float)", "an integer in 576...65507"])
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = 7\nmember = [1, 2]\n"),
                          mentions: ["config key 'member[0]'", "(integer)", "a table"])
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = 7\nmember = 3\n"),
                          mentions: ["config key 'member'", "3 (integer)", "[[member]]"])
        assertConfigError(try ClusterConfigFile(parsing: "cluster_id = 7\n[[member\n"), mentions: ["<config>", "line 2"])
    }

    func testValidateChecksAConfigurationBuiltInCode() throws {
        let address = { (port: UInt16) in HostAndPort(host: "127.0.0.1", port: port) }
        var file = ClusterConfigFile(clusterId: 3, members: [
            .init(id: 0, replication: address(7500), client: address(7400), data: "a"),
            .init(id: 1, replication: address(7501), client: address(7401), data: "b"),
        ])
        XCTAssertNoThrow(try file.validate())
        XCTAssertEqual(try ClusterConfigFile(parsing: file.tomlText), file)
        file.members[1].client = address(7400)
        assertConfigError(try file.validate(), mentions: ["config key 'member[1].client'", "client address of member[0]"])
        file.members[1].client = HostAndPort(host: "example.org", port: 1)
        assertConfigError(try file.validate(), mentions: ["config key 'member[1].client'", "\"example.org:1\""])
        file.members = []
        assertConfigError(try file.validate(), mentions: ["config key 'member'", "0 [[member]] tables"])
        file = ClusterConfigFile(clusterId: 3, members: [.init(id: 0, replication: address(1), client: address(2), data: "a")],
                                 udp: .init(mtu: 70_000))
        assertConfigError(try file.validate(), mentions: ["config key 'udp.mtu'", "70000", "576...65507"])
    }
}
