import ArgumentParser
import BatonNode
import BatonReplication
import Glibc

/// `baton stat --data DIR`: prints a node's counters, read live from its
/// counters file (the node need not be asked; it may also have stopped).
struct StatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stat",
        abstract: "Print a node's counters: replication role (chain or Raft), stage positions, traffic, back-pressure, errors, sessions."
    )

    @Option(name: .long, help: "The node's data directory.")
    var data: String

    @Flag(name: .long, help: "One line of label=value pairs instead of a table.")
    var compact = false

    func run() throws {
        let path = data + "/counters.dat"
        let snapshot: CountersFile.Snapshot
        do { snapshot = try CountersFile.read(path: path) } catch {
            throw ValidationError("\(error) — is '\(data)' the data directory of a node that has run?")
        }
        if compact {
            print(snapshot.values.map { "\($0.label)=\($0.value)" }.joined(separator: " "))
            return
        }
        let alive = snapshot.isProcessAlive ? "running" : "not running"
        let ageSeconds = Double(CountersFile.wallClockNanos() - snapshot.startedNanos) / 1e9
        print("node pid \(snapshot.pid) (\(alive)), started \(Int(ageSeconds)) s ago")
        let values = Dictionary(snapshot.values.map { ($0.label, $0.value) }, uniquingKeysWith: { first, _ in first })
        for line in StatCommand.replicationSummary(values) { print(line) }
        if let layout = StatCommand.readLayout(data + "/layout.txt") {
            print("applied layout (written at start):")
            for line in layout { print("  " + line) }
        }
        let width = snapshot.values.map(\.label.count).max() ?? 10
        for (label, value) in snapshot.values {
            print(label + String(repeating: " ", count: width - label.count) + "  " + String(value))
        }
    }

    /// Role, epoch, the positions along the chain and the Nak/retransmit/drop
    /// counts of a chain member, and with failover its configuration log,
    /// failure detector and fencing (`failoverSummary`); a Raft member's
    /// state (`raftSummary`); nothing for a single node.
    static func replicationSummary(_ values: [String: Int64]) -> [String] {
        guard let code = values["replication.role"] else { return [] }
        if let role = RaftRole(code: code) { return raftSummary(values, role: role) + droppedSummary(values) }
        guard let role = ChainRole(code: code) else { return [] }
        func value(_ label: String) -> Int64 { values[label] ?? 0 }
        var lines = ["chain \(role), epoch \(value("replication.epoch"))"]
        lines.append("  positions: appended \(value("position.log-0.appended")), durable \(value("position.log-0.durable")), "
                     + "sent \(value("replication.position.sent")), acked by successor \(value("replication.position.successorReceived")), "
                     + "committed \(value("position.commit"))")
        lines.append("  naks sent \(value("replication.naks.sent")), received \(value("replication.naks.received")); "
                     + "retransmits \(value("replication.retransmits")) (\(value("replication.retransmits.bytes")) bytes)")
        // A chain of one leads unless failover's minimum length (or fencing) stops it: then it says so too.
        if role == .head || (role == .single && values[FailoverCounters.minimumLengthLabel] != nil) {
            let ready: String
            switch Leadership(rawValue: value("leadership.state")) {
            case .leading: ready = "yes"
            case .tooFewReplicas: ready = "no (refusing writes with notEnoughReplicas: the chain is shorter than its minimum length, or this head is fenced)"
            default: ready = "no (taking back its successor's log)"
            }
            lines.append("  head ready \(ready); bytes taken back from the successor \(value("replication.adoptedBytes"))")
        }
        return lines + failoverSummary(values, role: role) + droppedSummary(values)
    }

    /// The dropped-datagram and data-anomaly counts of a replicating member.
    static func droppedSummary(_ values: [String: Int64]) -> [String] {
        func value(_ label: String) -> Int64 { values[label] ?? 0 }
        return ["  dropped datagrams: malformed \(value("replication.dropped.malformed")), "
                + "wrong cluster \(value("replication.dropped.wrongCluster")), wrong epoch \(value("replication.dropped.wrongEpoch")), "
                + "not a peer \(value("replication.dropped.notPeer")); data duplicate \(value("replication.data.duplicate")), "
                + "out of order \(value("replication.data.outOfOrder")), no room \(value("replication.data.noRoom"))"]
    }

    /// The layout lines `serve`/`cluster` wrote at start, if any.
    static func readLayout(_ path: String) -> [String]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            let line = String(cString: buffer)
            lines.append(line.hasSuffix("\n") ? String(line.dropLast()) : line)
        }
        return lines
    }
}

/// Writes the applied layout (`NodeLayout.describe`) to `<data>/layout.txt` for `baton stat`.
func writeLayout(_ lines: [String], directory: String) {
    guard let file = fopen(directory + "/layout.txt", "w") else { return }
    for line in lines { fputs(line + "\n", file) }
    fclose(file)
}
