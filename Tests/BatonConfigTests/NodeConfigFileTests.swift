import BatonTestSupport
import BatonConfig
import BatonNet
import BatonNode
import XCTest

/// `--config FILE`: parsing, strict validation, applying.
final class NodeConfigFileTests: XCTestCase {
    func testParsesAndAppliesEveryKey() throws {
        let file = try NodeConfigFile(parsing: """
            node_id = 7
            listen = "0.0.0.0:7500"
            data = "/var/lib/baton"
            max_sessions = 100
            max_message_bytes = 1_048_576
            max_payload_bytes = 65_536
            max_batch_count = 512
            session_timeout_ms = 2_000
            heartbeat_interval_ms = 250
            subscriber_lag_limit_bytes = 1_073_741_824
            segment_bytes = 268_435_456
            retention_bytes = 10_737_418_240
            retention_ms = 86_400_000
            """)
        XCTAssertEqual(file.listen, HostAndPort(host: "0.0.0.0", port: 7500))
        var configuration = baseConfiguration()
        file.apply(to: &configuration)
        XCTAssertEqual(configuration.nodeId, 7)
        XCTAssertEqual(configuration.listen, HostAndPort(host: "0.0.0.0", port: 7500))
        XCTAssertEqual(configuration.log.directory, "/var/lib/baton")
        XCTAssertEqual(configuration.maximumSessions, 100)
        XCTAssertEqual(configuration.maximumMessageLength, 1 << 20)
        XCTAssertEqual(configuration.maximumPayloadLength, 65_536)
        XCTAssertEqual(configuration.maximumBatchCount, 512)
        XCTAssertEqual(configuration.sessionTimeoutNanos, 2_000_000_000)
        XCTAssertEqual(configuration.heartbeatIntervalNanos, 250_000_000)
        XCTAssertEqual(configuration.subscriberLagLimitBytes, 1 << 30)
        XCTAssertEqual(configuration.log.segmentBytes, 256 << 20)
        XCTAssertEqual(configuration.log.retention.maximumBytes, 10 << 30)
        XCTAssertEqual(configuration.log.retention.maximumAgeNanos, 86_400_000_000_000)
        XCTAssertNoThrow(try configuration.validate())
    }

    func testMissingKeysKeepDefaults() throws {
        let file = try NodeConfigFile(parsing: "node_id = 3\n")
        XCTAssertNil(file.data)
        var configuration = baseConfiguration(directory: "/data")
        file.apply(to: &configuration)
        XCTAssertEqual(configuration.nodeId, 3)
        XCTAssertEqual(configuration.log.directory, "/data")
        XCTAssertEqual(configuration.maximumSessions, 1024)
    }

    /// The layering `baton serve` uses: file values first, then explicit flags win.
    func testLaterLayersOverrideTheFile() throws {
        let file = try NodeConfigFile(parsing: "listen = \"127.0.0.1:7600\"\nmax_sessions = 10\n")
        var configuration = baseConfiguration()
        file.apply(to: &configuration)
        configuration.listen = HostAndPort(host: "127.0.0.1", port: 7700) // as --listen does
        XCTAssertEqual(configuration.listen.port, 7700)
        XCTAssertEqual(configuration.maximumSessions, 10)
    }

    func testLoadsFromAFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTree(directory) }
        writeFile(directory + "/node.toml", "data = \"\(directory)\"\nlisten = \"127.0.0.1:0\"\n")
        let file = try NodeConfigFile.load(path: directory + "/node.toml")
        XCTAssertEqual(file.data, directory)
        assertConfigError(try NodeConfigFile.load(path: directory + "/missing.toml"), mentions: ["missing.toml", "cannot read"])
    }

    func testRefusals() {
        assertConfigError(try NodeConfigFile(parsing: "listen_port = 7400\n"),
                          mentions: ["config key 'listen_port'", "unknown key", "listen", "segment_bytes"])
        assertConfigError(try NodeConfigFile(parsing: "listen = \"localhost\"\n"),
                          mentions: ["config key 'listen'", "\"localhost\"", "HOST:PORT"])
        assertConfigError(try NodeConfigFile(parsing: "max_sessions = 0\n"),
                          mentions: ["'max_sessions'", "0", "1...65536"])
        assertConfigError(try NodeConfigFile(parsing: "node_id = \"one\"\n"),
                          mentions: ["'node_id'", "\"one\" (string)", "integer"])
        assertConfigError(try NodeConfigFile(parsing: "segment_bytes = 1_000_000\n"),
                          mentions: ["'segment_bytes'", "1000000", "power of two"])
        assertConfigError(try NodeConfigFile(parsing: "data = 5\n"), mentions: ["'data'", "5 (integer)"])
        assertConfigError(try NodeConfigFile(parsing: "retention_bytes = 0\n"), mentions: ["'retention_bytes'", "0"])
        assertConfigError(try NodeConfigFile(parsing: "retention_ms = -5\n"), mentions: ["'retention_ms'", "-5"])
        assertConfigError(try NodeConfigFile(parsing: "session_timeout_ms = 1.5\n"),
                          mentions: ["'session_timeout_ms'", "float"])
    }
}
