import BatonRing

/// A chain member's commit source: the position the `ChainReplicator`
/// publishes as durable on every member (`ReplicationCounters.chainCommit`).
/// Read by the node's commit stage (any thread, acquire).
public struct ChainCommitSource: Sendable {
    public let chainCommit: PositionCounter
    public init(chainCommit: PositionCounter) { self.chainCommit = chainCommit }
    @inlinable public func committedPosition() -> Int64 { chainCommit.getAcquire() }
}
