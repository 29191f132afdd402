import BatonRing

/// A chain member's commit source: the position the `ChainReplicator`
/// publishes as durable on every member (`ReplicationCounters.chainCommit`).
/// Read by the node's commit stage (any thread, acquire).
public struct ChainCommitSource: CommitSource, Sendable {
    public let chainCommit: PositionCounter
    public init(chainCommit: PositionCounter) { self.chainCommit = chainCommit }
    @inlinable public func committedPosition() -> Int64 { chainCommit.getAcquire() }
}

/// A single node: committed means durable under the local durability policy.
/// Read by the node's commit stage (any thread, acquire).
public struct LocalDurableCommitSource: CommitSource, Sendable {
    public let durable: PositionCounter
    public init(durable: PositionCounter) { self.durable = durable }
    @inlinable public func committedPosition() -> Int64 { durable.getAcquire() }
}
