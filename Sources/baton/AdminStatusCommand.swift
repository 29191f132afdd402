import ArgumentParser
import BatonBench
import BatonConfig
import BatonReplication

/// `baton admin status --config CLUSTER.toml [--json]`: one table of the
/// whole cluster as its members' counters files say it, for an operator on
/// the cluster's machine. For every `[[member]]` of the cluster file, in its
/// order, it maps `<data>/counters.dat` read-only (as `baton stat` does) and
/// shows the member's addresses, whether it runs, its role, epoch (Raft:
/// term and leader), whether it takes writes, its commit and durable
/// positions and — with failover — its configuration term and leader,
/// FENCED / WAITING FOR A MEMBER and the members it holds failed; then a
/// summary (`ClusterSummary`): the chain in force or the Raft leader, and
/// warnings where members disagree. A member without a counters file, or
/// whose process is gone, is shown so; it does not fail the command. Exit 0
/// whenever the cluster file reads; 1 (with the BatonConfig error) when not.
struct AdminStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every member of a cluster file from its counters file: role, epoch, leader, positions, failover state (on the cluster's machine).",
        discussion: """
            Reads each member's <data>/counters.dat read-only (data paths relative to the cluster file's folder); \
            nothing is sent to the members. A member whose data folder is on another machine shows "no counters file".
            """
    )

    @Option(name: .long, help: "The cluster file (cluster_id, replication, [[member]], ...), as given to baton serve --config.")
    var config: String

    @Flag(name: .long, help: "Print JSON (an object per member and a summary) instead of the table.")
    var json = false

    func run() throws {
        let cluster: ClusterConfigFile
        do { cluster = try ClusterConfigFile.load(path: config) } catch {
            LogTool.printError("baton admin status: \(error)")
            throw ExitCode(1)
        }
        let members = MemberStatus.readAll(cluster)
        let summary = ClusterSummary(cluster: cluster, members: members)
        if json {
            print(Self.json(cluster: cluster, members: members, summary: summary).rendered())
        } else {
            for line in Self.table(cluster: cluster, members: members, summary: summary) { print(line) }
        }
    }

    // MARK: - The table

    static func table(cluster: ClusterConfigFile, members: [MemberStatus], summary: ClusterSummary) -> [String] {
        let raft = cluster.replication == .raft
        let mode = raft ? "Raft" : (cluster.failoverEnabled ? "chain with failover" : "chain")
        var lines = ["cluster \(cluster.clusterId): \(mode), \(members.count) member\(members.count == 1 ? "" : "s")"]
        var headers = ["ID", "CLIENT", "REPLICATION", "PID", "STATE", "ROLE", raft ? "TERM" : "EPOCH"]
        if raft { headers.append("LEADER") }
        headers += ["WRITES", "COMMIT", "DURABLE"]
        if cluster.failoverEnabled { headers += ["CONFIG TERM", "CONFIG LEADER"] }
        headers.append("NOTES")
        var rows: [[String]] = []
        for member in members {
            var row = [String(member.id), member.member.client.description, member.member.replication.description,
                       member.pid.map(String.init) ?? "-", member.state.rawValue]
            let live = member.isRunning
            func shown(_ text: @autoclosure () -> String) -> String { live ? text() : "-" }
            row += [shown(member.roleText), shown(String(member.epoch))]
            if raft { row.append(shown(member.raftLeader >= 0 ? String(member.raftLeader) : "none")) }
            row += [shown(member.writesText), shown(String(member.commit)), shown(String(member.durable))]
            if cluster.failoverEnabled {
                let has = live && member.hasFailover
                row += [has ? String(member.configurationTerm) : "-",
                        has ? (member.configurationLeader >= 0 ? String(member.configurationLeader) : "none") : "-"]
            }
            row.append(notes(member).joined(separator: "; "))
            rows.append(row)
        }
        lines += aligned([headers] + rows)
        lines.append(summaryLine(summary))
        lines += summary.warnings.map { "WARNING: " + $0 }
        return lines
    }

    /// What the row's columns do not say: fencing, failed members, a Raft rejoin, why a member does not run.
    static func notes(_ member: MemberStatus) -> [String] {
        guard member.isRunning else {
            var notes = member.detail.map { [$0] } ?? []
            if !member.values.isEmpty, member.values["replication.role"] != nil {
                notes.append("last seen: \(member.roleText), \(member.raftRole != nil ? "term" : "epoch") \(member.epoch)")
            }
            return notes
        }
        var notes: [String] = []
        if let fenced = member.fencedText { notes.append(fenced) }
        let failed = member.failedMembers
        if !failed.isEmpty { notes.append("holds failed: " + failed.map { $0 >= 0 ? "node \($0)" : "member index \(-1 - $0)" }.joined(separator: ", ")) }
        if member.chainRole == .outside {
            let heldOut = (member.value("replication.configuration.heldOut") >> Int64(member.index)) & 1 == 1
            notes.append(heldOut ? "HELD OUT by an operator (baton admin add-member --node \(member.id) brings it back)"
                                 : "OUTSIDE THE CHAIN (removed by a configuration change; rejoining)")
        }
        if let rejoin = member.values["raft.rejoinAt"], rejoin >= 0 { notes.append("REJOIN NEEDED (the leader's log starts at \(rejoin))") }
        return notes
    }

    static func summaryLine(_ summary: ClusterSummary) -> String {
        var parts: [String] = []
        switch summary.replication {
        case .chain:
            if let epoch = summary.epoch {
                let chain = summary.chain.isEmpty ? "no chain"
                    : summary.chain.map { id in summary.chainNotes[id].map { "\(id) (\($0))" } ?? String(id) }.joined(separator: " → ")
                var text = "epoch \(epoch), chain \(chain)"
                if let source = summary.chainSource { text += " (\(source.phrase))" }
                if let head = summary.head {
                    text += ", head node \(head) \(summary.headWrites ?? "")" + (summary.headFenced.map { " (\($0))" } ?? "")
                }
                parts.append(text)
            } else {
                parts.append("no chain member running")
            }
            if summary.failover {
                if let term = summary.configurationTerm {
                    parts.append("configuration leader " + (summary.configurationLeader.map { "node \($0)" } ?? "none known") + " (term \(term))")
                } else {
                    parts.append("configuration leader unknown")
                }
            }
        case .raft:
            if let term = summary.epoch {
                parts.append("term \(term), leader " + (summary.leader.map { "node \($0) (\(summary.headWrites ?? ""))" } ?? "none"))
            } else {
                parts.append("no Raft member running")
            }
        }
        parts.append("not running: " + (summary.notRunning.isEmpty ? "none" : summary.notRunning.map { "node \($0)" }.joined(separator: ", ")))
        return "summary: " + parts.joined(separator: "; ")
    }

    /// Rows padded to their columns' widths (two spaces between columns; the last column unpadded).
    static func aligned(_ rows: [[String]]) -> [String] {
        guard let columns = rows.map(\.count).max() else { return [] }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                if index + 1 == row.count { line += cell } else { line += cell + String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }

    // MARK: - JSON

    static func json(cluster: ClusterConfigFile, members: [MemberStatus], summary: ClusterSummary) -> JSONValue {
        func optional(_ value: Int64?) -> JSONValue { value.map(JSONValue.integer) ?? .null }
        func optionalId(_ value: Int64) -> JSONValue { value >= 0 ? .integer(value) : .null }
        func ids(_ values: [UInt32]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
        let memberObjects: [JSONValue] = members.map { member in
            var fields: [(String, JSONValue)] = [
                ("id", .integer(Int64(member.id))), ("client", .string(member.member.client.description)),
                ("replication", .string(member.member.replication.description)), ("data", .string(member.member.data)),
                ("state", .string(member.state.rawValue)), ("running", .bool(member.isRunning)),
                ("pid", member.pid.map { .integer(Int64($0)) } ?? .null), ("detail", member.detail.map(JSONValue.string) ?? .null),
            ]
            if member.isRunning {
                fields += [("role", .string(member.roleText)), (member.raftRole != nil ? "term" : "epoch", .integer(member.epoch)),
                           ("writes", .string(member.writesText)), ("commit", .integer(member.commit)), ("durable", .integer(member.durable))]
                if member.raftRole != nil {
                    fields.append(("leader", optionalId(member.raftLeader)))
                    if let rejoin = member.values["raft.rejoinAt"], rejoin >= 0 { fields.append(("rejoinAt", .integer(rejoin))) }
                }
                if member.hasFailover {
                    fields.append(("failover", .object([
                        ("configurationTerm", .integer(member.configurationTerm)),
                        ("configurationLeader", optionalId(member.configurationLeader)),
                        ("fenced", .integer(member.fenced)),
                        ("fencedState", member.fencedText.map(JSONValue.string) ?? .null),
                        ("failedMembers", .array(member.failedMembers.map(JSONValue.integer))),
                    ])))
                }
            } else if member.values["replication.role"] != nil {
                fields.append(("lastSeen", .object([("role", .string(member.roleText)), ("epoch", .integer(member.epoch))])))
            }
            return .object(fields)
        }
        var summaryFields: [(String, JSONValue)] = [("replication", .string(summary.replication.rawValue))]
        switch summary.replication {
        case .chain:
            summaryFields += [
                ("failover", .bool(summary.failover)), ("epoch", optional(summary.epoch)), ("chain", ids(summary.chain)),
                ("chainSource", summary.chainSource.map { .string($0.rawValue) } ?? .null),
                ("chainNotes", .object(summary.chain.compactMap { id in summary.chainNotes[id].map { (String(id), JSONValue.string($0)) } })),
                ("head", summary.head.map { .integer(Int64($0)) } ?? .null),
                ("headWrites", summary.headWrites.map(JSONValue.string) ?? .null),
                ("headFencedState", summary.headFenced.map(JSONValue.string) ?? .null),
                ("configurationTerm", optional(summary.configurationTerm)),
                ("configurationLeader", optional(summary.configurationLeader)),
            ]
        case .raft:
            summaryFields += [("term", optional(summary.epoch)), ("leader", summary.leader.map { .integer(Int64($0)) } ?? .null)]
        }
        summaryFields += [("running", ids(summary.running)), ("notRunning", ids(summary.notRunning)),
                          ("warnings", .array(summary.warnings.map(JSONValue.string)))]
        return .object([
            ("cluster", .object([("clusterId", .integer(Int64(cluster.clusterId))), ("replication", .string(cluster.replication.rawValue)),
                                 ("failover", .bool(cluster.failoverEnabled))])),
            ("members", .array(memberObjects)),
            ("summary", .object(summaryFields)),
        ])
    }
}
