import BatonNode
import BatonReplication
import Glibc

/// Which member of a local Raft cluster leads, and waiting (bounded) until
/// one does — for `baton cluster --replication raft` and `baton bench
/// --embedded --replication raft`, whose members all run in this process.
///
/// A member leads once its leadership gate is `leading` (its replicator has
/// won an election and appended its term's marker: its order stage takes
/// publishes). Two may both read `leading` for a moment while a deposed
/// leader has not yet heard the new term; the later term wins.
/// Stateless; the set-up thread.
enum RaftLeaderWait {
    /// How long the local tools wait for the first leader: many election
    /// timeouts (150–300 ms by default), for a loaded machine.
    static let defaultTimeoutNanos: Int64 = 10_000_000_000

    /// The index in `nodes` of the member that leads now (of two, the one
    /// of the later term), or nil.
    static func leadingIndex(_ nodes: [Node]) -> Int? {
        var best: (index: Int, term: Int64)?
        for (index, node) in nodes.enumerated() where node.counters.leadership.getAcquire() == Leadership.leading.rawValue {
            let term = node.replicationCounters?.epoch.getAcquire() ?? 0
            if best == nil || term > best!.term { best = (index, term) }
        }
        return best?.index
    }

    /// Polls every millisecond until a member leads (its index) or
    /// `timeoutNanos` have passed (nil).
    static func leader(of nodes: [Node], timeoutNanos: Int64 = defaultTimeoutNanos) -> Int? {
        let deadline = monotonicNanos() + timeoutNanos
        while true {
            if let index = leadingIndex(nodes) { return index }
            if monotonicNanos() >= deadline { return nil }
            var pause = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&pause, nil)
        }
    }

    /// The term a member is in (`replication.epoch` holds a Raft member's term).
    static func term(of node: Node) -> Int64 { node.replicationCounters?.epoch.getAcquire() ?? 0 }

    static func monotonicNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
