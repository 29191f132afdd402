import BatonReplication

extension StatCommand {
    /// A Raft member's state from its counters (labels of `RaftCounters` and
    /// `ReplicationCounters`): role, term, leader, vote, positions,
    /// elections, step-downs, truncations, and — while leading, or as of
    /// when it last led — each follower's durable and received positions. Every value is read
    /// by label; a missing one shows as 0.
    static func raftSummary(_ values: [String: Int64], role: RaftRole) -> [String] {
        func value(_ label: String) -> Int64 { values[label] ?? 0 }
        func member(_ id: Int64, none: String) -> String { id >= 0 ? "node \(id)" : none }
        let leader = value("raft.leader")
        var lines = ["raft \(role), term \(value("replication.epoch")), leader \(member(leader, none: "unknown (no leader heard in this term)")), "
                     + "voted for \(member(values["raft.votedFor"] ?? -1, none: "nobody in this term"))"]
        lines.append("  positions: appended \(value("position.log-0.appended")), durable \(value("position.log-0.durable")), "
                     + "commit \(value("replication.position.chainCommit")) (acked to publishers \(value("position.commit")))"
                     + (role == .leader && value("raft.termStart") >= 0 ? ", this term from \(value("raft.termStart"))" : ""))
        lines.append("  elections: pre-votes started \(value("raft.preVotes.started")), started \(value("raft.elections.started")), "
                     + "won \(value("raft.elections.won")); step-downs \(value("raft.stepDowns")), hand-overs \(value("raft.handOvers"))")
        lines.append("  truncations \(value("raft.truncations")) (\(value("raft.truncations.bytes")) bytes; refused below the commit "
                     + "\(value("raft.truncations.refusedBelowCommit"))); syncs served \(value("raft.syncs.served")); "
                     + "state file write failures \(value("raft.stateFile.writeFailures"))")
        let followers = followerIds(values)
        // Only a leader keeps them (a member that never led has nothing to show).
        if !followers.isEmpty && (role == .leader || value("raft.elections.won") > 0) {
            let heading = role == .leader ? "  followers (as this leader knows them):" : "  followers (as of when this member last led):"
            let appended = value("position.log-0.appended")
            lines.append(heading + followers.map { id in
                let durable = value("raft.follower.\(id).durable")
                return " node \(id) durable \(durable) (lag \(max(0, appended - durable)) bytes), received \(value("raft.follower.\(id).received"))"
            }.joined(separator: ";"))
        }
        if let rejoin = values["raft.rejoinAt"], rejoin >= 0 {
            lines.append("  REJOIN NEEDED: the leader's log starts at \(rejoin) (retention), above this member's; restart it to rejoin from there")
        }
        if value("raft.rejoinsAsked") > 0 { lines.append("  followers told to rejoin from this log's start: \(value("raft.rejoinsAsked"))") }
        if value("raft.transfer.requests") > 0 {
            let outcome = RaftTransferOutcome(rawValue: value("raft.transfer.outcome")).map(String.init(describing:)) ?? "not answered yet"
            lines.append("  leadership transfers asked \(value("raft.transfer.requests")); the last answered (#\(value("raft.transfer.handled"))): \(outcome)")
        }
        lines.append("  naks sent \(value("replication.naks.sent")), received \(value("replication.naks.received")); "
                     + "retransmits \(value("replication.retransmits")) (\(value("replication.retransmits.bytes")) bytes)")
        return lines
    }

    /// The ids of `raft.follower.<id>.durable` counters, in increasing order.
    static func followerIds(_ values: [String: Int64]) -> [UInt32] {
        let prefix = "raft.follower.", suffix = ".durable"
        return values.keys.compactMap { label -> UInt32? in
            guard label.hasPrefix(prefix), label.hasSuffix(suffix) else { return nil }
            return UInt32(label.dropFirst(prefix.count).dropLast(suffix.count))
        }.sorted()
    }
}
