import BatonAgent

/// Where a node's commit position comes from: the local durable position (a
/// single node), durable on every chain member, or a Raft majority. Generic
/// so the commit stage specializes for each (no dynamic dispatch).
///
/// Threading: `committedPosition` is called on the commit stage's thread
/// (acquire loads only).
public protocol CommitSource: Sendable {
    /// The highest position that is committed now (acquire loads).
    func committedPosition() -> Int64
}

/// What a node needs from a replication mode — the seam chain replication
/// and Raft implement:
///
/// - an `Agent` (its duty cycle moves log bytes between members and folds
///   the commit position);
/// - `commitSource`, read by the commit stage;
/// - `leadership`, the gate the order stage reads every duty cycle (this
///   member orders, waits, or refuses naming the leader) — written only by
///   the replicator, so leadership may change at run time.
///
/// The node is generic over it (`Node.assemble`), so a mode costs no
/// dynamic dispatch on the hot path. Log truncation below the appended
/// position (a Raft follower discarding an uncommitted suffix) is the log's
/// (`DurableLog.requestTruncation`), called by the replicator while it is the
/// appender's writer; the replicator keeps it above its commit position
/// (`RaftReplicator` refuses, counts and asserts otherwise). The chain never
/// truncates. Two modes implement the seam: `ChainReplicator` and `RaftReplicator`.
///
/// Threading: built on the node's set-up thread; then `doWork` runs on its
/// runner's thread only; `commitSource` and `leadership` are safe to read from
/// the stages' threads (acquire loads of counters the replicator releases).
public protocol Replicator: Agent {
    associatedtype Commit: CommitSource
    /// Where the commit stage reads the committed position.
    var commitSource: Commit { get }
    /// The gate the order stage reads (this replicator is its only writer).
    var leadership: LeadershipGate { get }
}
