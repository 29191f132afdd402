/// A scripted fault schedule, for the cases random seeds reach too rarely
/// (a leader cut off while its clients keep talking to it, the whole cluster
/// crashing at once, failovers in quick succession, a member coming back with
/// a longer stale log). Each step runs once simulated time reaches `at`;
/// member references are resolved when the step runs (`leader`: the member
/// leading the highest term then). With a script, the seed draws no random
/// faults: the script is the fault plan; after its last step (plus
/// `SimulationScript.settleAfterNanos`) everything heals as in a random run.
///
/// A value; any thread.
public struct SimulationScript: Sendable, Equatable {
    public var steps: [ScriptStep]

    public init(_ steps: [ScriptStep]) { self.steps = steps.sorted { $0.at < $1.at } }

    /// How long after the last step faults stop (the run then heals).
    public static let settleAfterNanos: Int64 = 100_000_000

    /// When faults stop: after the last step.
    public var faultNanos: Int64 { (steps.last?.at ?? 0) + Self.settleAfterNanos }
}

/// One step of a script: what to do, and when.
public struct ScriptStep: Sendable, Equatable {
    public var at: Int64
    public var action: ScriptedAction
    public init(at: Int64, _ action: ScriptedAction) {
        self.at = at
        self.action = action
    }
}

/// A member a script names: by index, or by what it is when the step runs.
public enum ScriptedMember: Sendable, Equatable {
    case member(Int)
    /// The member leading the highest term now (the step is skipped if none leads).
    case leader
    /// The member a step resolved as `leader` most recently.
    case lastLeader
}

/// What a scripted step does.
public enum ScriptedAction: Sendable, Equatable {
    /// Cut every link to and from the member.
    case isolate(ScriptedMember)
    /// Cut the links between the member and one other (both ways).
    case cut(ScriptedMember, ScriptedMember)
    /// Restore every link.
    case healNetwork
    /// Kill the member's process (unsynced writes lost or torn).
    case crash(ScriptedMember)
    /// Start a crashed member again.
    case restart(ScriptedMember)
    /// Kill every member at once.
    case crashAll
    /// Start every crashed member.
    case restartAll
}
