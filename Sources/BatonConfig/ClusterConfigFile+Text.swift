extension ClusterConfigFile {
    /// The configuration as TOML that parses back to an equal value (with no
    /// base directory: `data` is written as held, i.e. already resolved).
    /// Keys left nil in `[udp]` are omitted, and so is the table when all are;
    /// `[raft]` and `[failover]` are written when the configuration has them
    /// (their nil keys omitted; `failover.enabled` always written).
    public var tomlText: String {
        var lines = ["cluster_id = \(clusterId)", "epoch = \(epoch)", "replication = \(Self.quoted(replication.rawValue))"]
        for member in members {
            lines += ["", "[[member]]", "id = \(member.id)", "replication = \(Self.quoted(member.replication.description))",
                      "client = \(Self.quoted(member.client.description))", "data = \(Self.quoted(member.data))"]
        }
        let udpValues: [(String, Int?)] = [
            ("batch", udp.batch), ("mtu", udp.mtu), ("socket_buffer_bytes", udp.socketBufferBytes),
            ("receiver_window_bytes", udp.receiverWindowBytes), ("nak_delay_us", udp.nakDelayMicros),
            ("heartbeat_interval_ms", udp.heartbeatIntervalMillis),
        ]
        let given = udpValues.compactMap { name, value in value.map { "\(name) = \($0)" } }
        if !given.isEmpty { lines += ["", "[udp]"] + given }
        if !log.isEmpty { lines += ["", "[log]"] + log.lines }
        if let raft {
            let raftValues: [(String, Int?)] = [
                ("election_timeout_min_ms", raft.electionTimeoutMinimumMillis),
                ("election_timeout_max_ms", raft.electionTimeoutMaximumMillis),
            ]
            lines += ["", "[raft]"] + raftValues.compactMap { name, value in value.map { "\(name) = \($0)" } }
        }
        if let failover { lines += ["", "[failover]"] + failover.lines }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A TOML basic string: quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
