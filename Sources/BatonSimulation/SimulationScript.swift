/// A scripted fault schedule, for the cases random seeds reach too rarely
/// (a leader cut off while its clients keep talking to it, the whole cluster
/// crashing at once, failovers in quick succession, a member coming back with
/// a longer stale log, Raft's figure 8). Steps run one after another, in the
/// order given: each waits until simulated time reaches its `at`, then (if
/// it has one) until its condition holds, then `afterNanos` more. Member
/// references are resolved when the step runs (`leader`: the member leading
/// the highest term then; `named`: one a `remember` step bound). A step whose
/// condition does not hold by `at + within` ends the script there
/// (`SimulationResult.scriptStepsRun` says how far it got). With a script, the
/// seed draws no random faults: the script is the fault plan; once its last
/// step ran (plus `SimulationScript.settleAfterNanos`) everything heals as in
/// a random run.
///
/// A value; any thread.
public struct SimulationScript: Sendable, Equatable {
    public var steps: [ScriptStep]

    public init(_ steps: [ScriptStep]) { self.steps = steps }

    /// How long after the last step faults stop (the run then heals).
    public static let settleAfterNanos: Int64 = 100_000_000

    /// The earliest time faults stop: after the last step's `at` (a step
    /// waiting for its condition moves it later; the clients publish over
    /// about this span).
    public var faultNanos: Int64 { (steps.map(\.at).max() ?? 0) + Self.settleAfterNanos }
}

/// One step of a script: what to do, and when.
public struct ScriptStep: Sendable, Equatable {
    /// The earliest simulated time the step runs.
    public var at: Int64
    /// What must hold first (checked after every simulation step), if anything.
    public var condition: ScriptCondition?
    /// How long after `at` the condition may take before the script gives up.
    public var within: Int64
    /// How long after the condition first held the action runs.
    public var afterNanos: Int64
    public var action: ScriptedAction

    public init(at: Int64, when condition: ScriptCondition? = nil, within: Int64 = 2_000_000_000, afterNanos: Int64 = 0,
                _ action: ScriptedAction) {
        self.at = at
        self.condition = condition
        self.within = within
        self.afterNanos = afterNanos
        self.action = action
    }
}

/// A state of the cluster a scripted step can wait for.
public enum ScriptCondition: Sendable, Equatable {
    /// A member started leading after the step began waiting.
    case newLeader
    /// Raft's figure-8 moment: the leader of the highest term knows that a
    /// majority (itself included) durably holds bytes of earlier terms past
    /// the commit position it had when its term began, while its own term's
    /// first entry (the marker) is durable on fewer than a majority — bytes a
    /// leader counting replicas of earlier terms would commit (§5.4.2).
    case majorityHoldsEarlierTermsBeyondCommit
}

/// A member a script names: by index, or by what it is when the step runs.
public enum ScriptedMember: Sendable, Equatable {
    case member(Int)
    /// The member leading the highest term now (the step is skipped if none leads).
    case leader
    /// The member a step resolved as `leader` most recently.
    case lastLeader
    /// The member a `remember` step bound to this name.
    case named(String)
    /// The `k`-th member (0-based, by index) not bound to any of these names.
    case otherThan([String], Int)
}

/// What a scripted step does.
public enum ScriptedAction: Sendable, Equatable {
    /// Binds a name to the member a reference resolves to now (for later steps).
    case remember(ScriptedMember, as: String)
    /// Cut every link to and from the member.
    case isolate(ScriptedMember)
    /// Cut the links between the member and one other (both ways).
    case cut(ScriptedMember, ScriptedMember)
    /// Cut every link between these members and the rest (both ways): a partition into two sides.
    case separate([ScriptedMember])
    /// Restore every link.
    case healNetwork
    /// Mistreat datagrams on every link as these faults say (`.calm`: stop).
    case networkFaults(NetworkFaults)
    /// Kill the member's process (unsynced writes lost or torn).
    case crash(ScriptedMember)
    /// Start a crashed member again.
    case restart(ScriptedMember)
    /// Kill every member at once.
    case crashAll
    /// Start every crashed member.
    case restartAll
    /// Ask the member to hand its leadership over (to the one named, or its
    /// most up-to-date follower), as `baton admin transfer-leadership` does.
    case transferLeadership(ScriptedMember, to: ScriptedMember?)
}
