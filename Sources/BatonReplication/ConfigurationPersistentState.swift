/// What a member of the configuration log must remember across a crash
/// before it answers any message: the latest term it has seen, its vote in
/// that term, its last entry and the newest entry it knows to be committed
/// (the membership the data path obeys; kept whole because a member holds no
/// other entries to find it in). Kept in `ConfigurationStateFile`.
///
/// Invariant (`inconsistency == nil`): the last entry is of a term at most
/// `currentTerm`; the committed entry is at or before the last one (the same
/// entry when at the same index, of a term no later); the last entry's epoch
/// is the committed one or the next (a leader proposes only once its last
/// entry is committed; a no-op keeps the epoch). Threading: a plain value.
public struct ConfigurationPersistentState: Equatable, Sendable {
    /// The latest term this member has seen (0 before any).
    public var currentTerm: UInt64
    /// The member this one voted for in `currentTerm`; nil when it has not voted.
    public var votedFor: UInt32?
    /// The newest entry this member knows to be committed (index 0: the cluster file's membership).
    public var committedEntry: ConfigurationEntry
    /// The member's last entry: its whole log, for a log of whole memberships.
    public var lastEntry: ConfigurationEntry

    public init(currentTerm: UInt64, votedFor: UInt32?, committedEntry: ConfigurationEntry, lastEntry: ConfigurationEntry) {
        self.currentTerm = currentTerm
        self.votedFor = votedFor
        self.committedEntry = committedEntry
        self.lastEntry = lastEntry
    }

    /// A new member's state: term 0, no vote, the cluster file's membership
    /// as entry 0, committed.
    public init(initialMembership: ChainMembership) {
        let initial = ConfigurationEntry.initial(initialMembership)
        self.init(currentTerm: 0, votedFor: nil, committedEntry: initial, lastEntry: initial)
    }

    /// Nil when the state keeps the invariant; otherwise the first rule it
    /// breaks, in words (for an error or an assertion).
    public var inconsistency: String? {
        if lastEntry.term > currentTerm {
            return "the last entry's term \(lastEntry.term) is past the current term \(currentTerm)"
        }
        if committedEntry.index > lastEntry.index {
            return "the committed entry \(committedEntry.index) is past the last entry \(lastEntry.index)"
        }
        if committedEntry.index == lastEntry.index && committedEntry != lastEntry {
            return "two different entries at index \(lastEntry.index): committed \(committedEntry), last \(lastEntry)"
        }
        if committedEntry.term > lastEntry.term {
            return "the committed entry's term \(committedEntry.term) is past the last entry's term \(lastEntry.term)"
        }
        let committedEpoch = committedEntry.membership.epoch
        let lastEpoch = lastEntry.membership.epoch
        if lastEpoch < committedEpoch {
            return "the last entry's epoch \(lastEpoch) is below the committed epoch \(committedEpoch)"
        }
        if lastEpoch - committedEpoch > 1 {
            return "the last entry's epoch \(lastEpoch) is more than one change past the committed epoch \(committedEpoch)"
        }
        return nil
    }
}
