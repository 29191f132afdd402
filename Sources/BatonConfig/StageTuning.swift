import BatonAgent

/// One `[threads.STAGE]` table of a tuning profile (dedicated mode only).
/// Threading: a plain value.
public struct StageTuning: Sendable, Equatable {
    /// Pin the stage's thread to this CPU (checked online on this machine), or leave it unpinned.
    public var cpu: Int?
    /// The stage's idle strategy, or nil for the profile's `idle`.
    public var idle: IdleStrategyConfiguration?

    public init(cpu: Int? = nil, idle: IdleStrategyConfiguration? = nil) {
        self.cpu = cpu
        self.idle = idle
    }
}
