import BatonNode
import BatonReplication

extension StatCommand {
    /// A chain member's automatic failover, from its counters: the
    /// configuration log's term and leader, the configurations applied since
    /// the member started, the minimum length, the members its failure
    /// detector holds failed, and the FENCED, WAITING FOR A MEMBER and OUTSIDE markers.
    ///
    /// Shown only for a member that runs failover, which its counters file
    /// says exactly: the node publishes `FailoverCounters` (the minimum
    /// length, the member ids in cluster-file order) only then. (The
    /// `replication.configuration.*` counters exist on every chain member and
    /// read 0 without failover, which a fresh failover member can read too.)
    /// Every other value is read by label; a missing one shows as 0.
    static func failoverSummary(_ values: [String: Int64], role: ChainRole) -> [String] {
        guard let minimumLength = values[FailoverCounters.minimumLengthLabel] else { return [] }
        func value(_ label: String) -> Int64 { values[label] ?? 0 }
        let leader = values["replication.configuration.leader"] ?? -1
        var lines = ["  failover: configuration term \(value("replication.configuration.term")), leader "
                     + (leader >= 0 ? "node \(leader)" : "unknown (none heard in this term)")
                     + ", configurations applied since start \(value("replication.configuration.changes")), minimum length \(minimumLength)"]
        let ids = FailoverCounters.memberIds(values)
        let failed = memberNames(bits: value("replication.failureDetector.failed"), ids: ids)
        lines.append("  failure detector: " + (failed.isEmpty ? "no member confirmed failed"
                                                              : "confirmed failed " + failed.joined(separator: ", ")))
        switch value("replication.fenced") {
        case 1:
            lines.append("  FENCED: this member heads the chain but has heard no majority of the members for half the failure time; "
                         + "it refuses writes (notEnoughReplicas) until it does (the others may have replaced it)")
        case 2:
            lines.append("  WAITING FOR A MEMBER: this member heads a chain at its minimum length and a member of it is confirmed failed; "
                         + "it refuses writes (notEnoughReplicas) until that member returns (it is not removed below the minimum)")
        default:
            break
        }
        let heldOutBits = value("replication.configuration.heldOut")
        let heldOut = memberNames(bits: heldOutBits, ids: ids)
        if !heldOut.isEmpty { lines.append("  held out by an operator: " + heldOut.joined(separator: ", ") + " (baton admin add-member brings a member back)") }
        let selfIndex = values[FailoverCounters.selfLabel].flatMap { ids.firstIndex(of: $0) }
        if role == .outside, let selfIndex, heldOutBits & (Int64(1) << Int64(selfIndex)) != 0 {
            lines.append("  HELD OUT OF THE CHAIN: an operator removed this member (baton admin remove-member); it stays out, learning nothing, "
                         + "until baton admin add-member lets it rejoin, and refuses publishes naming the head")
        } else if role == .outside {
            lines.append("  OUTSIDE THE CHAIN: a committed configuration (epoch \(value("replication.epoch"))) removed this member "
                         + "while it was unreachable; it is rejoining as the tail (cutting its log to the last commit it knows, "
                         + "learning the rest from the tail, then added back by a configuration entry) and refuses publishes naming the head")
        }
        return lines
    }

    /// The members whose bit is set in `bits` (bit i: the member at index i
    /// of the cluster file), as "node ID" when `ids` maps the index, else "member index I".
    static func memberNames(bits: Int64, ids: [Int64]) -> [String] {
        (0..<64).filter { bits & (Int64(1) << Int64($0)) != 0 }.map { index in
            index < ids.count ? "node \(ids[index])" : "member index \(index)"
        }
    }
}
