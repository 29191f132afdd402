/// The node's agents, as named in `[threads.STAGE]` tables, in the order of
/// `NodeConfiguration.cpus` and `idleStrategies` (the `rawValue` is also the
/// agent's `roleName`, so the thread name).
/// Threading: a plain value.
public enum PipelineStage: String, Sendable, CaseIterable, Comparable {
    case clientIO = "client-io"
    case order
    case log
    case commit
    case execute
    /// The replication agent (transmit to the successor, follower order); chain members only.
    case replication = "transmit"

    /// Index into `NodeConfiguration.cpus` / `idleStrategies`.
    public var index: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: PipelineStage, rhs: PipelineStage) -> Bool { lhs.index < rhs.index }
}
